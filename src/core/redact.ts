import { createHash } from 'node:crypto';

/** A short, stable fingerprint that identifies a value in logs without revealing it. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/**
 * How a token is shown anywhere but where printing it is the command's job (CLI.md): its first
 * 10 characters (for a JWT, part of the public header) plus a short SHA-256 prefix.
 *
 * @example maskToken('eyJhbGciOiJIUzI1NiJ9.e30.sig') // 'eyJhbGciOi…(sha256:1b2c3d4e)'
 */
export function maskToken(token: string): string {
  return `${token.slice(0, 10)}…(${fingerprint(token)})`;
}

/** How a secret (client secret, password, key) is shown: its fingerprint only, no characters. */
export function maskSecret(secret: string): string {
  return `[redacted ${fingerprint(secret)}]`;
}

/** Shorter values are not redacted: they would blank out ordinary words. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Every form a secret can take on the wire, so a server that echoes a request (the body, a
 * header) cannot make authctl print it: raw, URL- and form-encoded, JSON-escaped, base64 and
 * base64url.
 *
 * @example secretForms('a b').includes('a+b') // true
 */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    secret,
    uri,
    uri.replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_REDACTED_LENGTH);
}

/**
 * Replaces every form of every secret in `text` by a redaction mark with its fingerprint.
 * Longer forms first, so a secret inside a longer one is not half-replaced.
 *
 * @example redactSecrets('error: bad secret s3cr3t!', ['s3cr3t!']) // 'error: bad secret [redacted sha256:…]'
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  return replaceForms(text, redactionPairs(secrets));
}

/**
 * `redactSecrets` for many texts (a bulk command's every result line) against a set that only
 * grows while the command runs: the forms and marks are worked out again only when it has grown.
 */
export function secretRedactor(secrets: ReadonlySet<string>): (text: string) => string {
  let pairs: [string, string][] = [];
  let size = 0;
  return (text) => {
    if (!secrets.size) return text;
    if (secrets.size !== size) {
      pairs = redactionPairs(secrets);
      size = secrets.size;
    }
    return replaceForms(text, pairs);
  };
}

/** Each form of each secret with its mark, the longest forms first. */
function redactionPairs(secrets: Iterable<string>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const secret of secrets) {
    const mark = maskSecret(secret);
    for (const form of secretForms(secret)) pairs.push([form, mark]);
  }
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

function replaceForms(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [form, mark] of pairs) if (out.includes(form)) out = out.split(form).join(mark);
  return out;
}

/**
 * A server's answer (parsed JSON) with `redact` applied to every string in it, keys included:
 * what a command shows of a server's fields, so an echoed secret never reaches output.
 *
 * @example redactValues({ echoed: 'you sent s3cret' }, (t) => t.replace('s3cret', '***')) // { echoed: 'you sent ***' }
 */
export function redactValues<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValues(item, redact)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValues(v, redact)])) as T;
}

/** A remote verdict whose `info` (the server's fields about the caller) is redacted; its findings carry marked words, redacted at output. */
export function redactedInfo<T extends { info?: Record<string, unknown> }>(verdict: T, secrets: ReadonlySet<string>): T {
  return verdict.info ? { ...verdict, info: redactValues(verdict.info, secretRedactor(secrets)) } : verdict;
}
