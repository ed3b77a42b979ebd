import { parseToken } from '../jwt/parse.js';
import { validateClaims } from '../claims/validate.js';
import { formatRelative, formatSpan } from '../duration.js';
import type { Finding } from '../claims/types.js';

import type { RuleId, ScanSeverity } from './catalog.js';
import { describeBare } from '../json.js';
import { jwkHits, pemHits } from './key-rules.js';
import { PROVIDER_PREFILTER, providerHits } from './provider-rules.js';

/** What a detector found, before positions, suppressions and masking are worked out. */
export interface Hit {
  rule: RuleId;
  severity: ScanSeverity;
  /** Offset of the hit in the text. */
  index: number;
  /** The secret itself: fingerprinted, never output. */
  secret: string;
  message: string;
  /** For JWTs: what the claims module said. */
  claims?: Finding[];
}

export interface DetectContext {
  now: number;
  /** Assignments are only looked for in config-like files (.env, JSON, YAML, TOML, …). */
  configLike: boolean;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

const PLACEHOLDER_WORDS =
  /your|example|placeholder|change[-_]?me|xxxx|dummy|sample|redacted|replace|insert|todo|fixme|secret[-_]?here|token[-_]?here|\.\.\.|\*\*\*/i;
const TEMPLATE =
  /^(\$\{?[\w.:-]+\}?|\$\(.*\)|<[^>]*>|\{\{.*\}\}|%\(?\w*\)?s|%[A-Z_]+%|env\(.*\)|process\.env.*|os\.environ.*|null|none|nil|true|false|undefined|secret|password|test|testing)$/i;

/**
 * A value a human wrote as a stand-in ("your-api-secret", "${SECRET}", "<token>"), not a real secret.
 *
 * @example isPlaceholder('${CLIENT_SECRET}') // true
 */
export function isPlaceholder(value: string): boolean {
  return TEMPLATE.test(value) || PLACEHOLDER_WORDS.test(value) || /^(.)\1+$/.test(value);
}

/** A URL, a path or a number assigned to a secret-sounding key is a reference, not the secret. */
const REFERENCE = /^([a-z][\w+.-]*:\/\/(?![^/@\s]*:[^/@\s]*@)|[~.]?\/|\d+$)/i;

/** Values encrypted at rest by SOPS, Ansible Vault, Spring Cloud Config or Vault transit: safe to commit. */
const ENCRYPTED_VALUE = /^(ENC\[[A-Z0-9_]+(,|$)|\{cipher\}|vault:v\d+:|!vault\b|\$ANSIBLE_VAULT;)/;

function plausibleSecret(value: string, minLength = 8): boolean {
  return value.length >= minLength && !isPlaceholder(value) && !REFERENCE.test(value) && !ENCRYPTED_VALUE.test(value) && entropy(value) >= 2.5;
}

// The jwt.io sample token, in thousands of READMEs: signed with "your-256-bit-secret".
const PUBLIC_EXAMPLE_SIGNATURES = new Set(['SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c']);

const B64URL = '[A-Za-z0-9_-]';
const JWE_RE = new RegExp(`(?<!${B64URL})eyJ${B64URL}{8,}\\.${B64URL}*\\.${B64URL}{8,}\\.${B64URL}{8,}\\.${B64URL}{8,}(?!${B64URL}|\\.)`, 'g');
const JWS_RE = new RegExp(`(?<!${B64URL})eyJ${B64URL}{8,}\\.eyJ${B64URL}{8,}\\.${B64URL}*(?!${B64URL}|\\.)`, 'g');

function tokenHits(text: string, ctx: DetectContext): Hit[] {
  const hits: Hit[] = [];
  const taken = new Set<number>();
  for (const match of text.matchAll(JWE_RE)) {
    let parsed;
    try {
      parsed = parseToken(match[0]);
    } catch {
      continue;
    }
    if (parsed.kind !== 'jwe' || typeof parsed.header.enc !== 'string') continue;
    taken.add(match.index);
    hits.push({
      rule: 'jwe',
      severity: 'medium',
      index: match.index,
      secret: match[0],
      message: `encrypted token (alg ${describeBare(parsed.header.alg)}, enc ${describeBare(parsed.header.enc)}); its claims cannot be read, but it is still a bearer credential`,
    });
  }
  for (const match of text.matchAll(JWS_RE)) {
    if (taken.has(match.index)) continue;
    let parsed;
    try {
      parsed = parseToken(match[0]);
    } catch {
      continue; // truncated or made-up examples do not decode
    }
    if (parsed.kind !== 'jws' || typeof parsed.header.alg !== 'string') continue;
    const signature = match[0].slice(match[0].lastIndexOf('.') + 1);
    if (PUBLIC_EXAMPLE_SIGNATURES.has(signature)) continue;
    const unsecured = parsed.header.alg === 'none';
    if (!unsecured && signature.length < 22) continue; // a stub signature: an example, not a credential
    hits.push(jwtHit(parsed.header, parsed.payload, match.index, match[0], unsecured, ctx.now));
  }
  return hits;
}

/** A JWT judged by the shared claims module: live outranks expired; alg none and long lifetimes are named. */
function jwtHit(header: Record<string, unknown>, payload: Record<string, unknown>, index: number, token: string, unsecured: boolean, now: number): Hit {
  const claims = validateClaims(header, payload, {}, { now });
  const expired = claims.some((f) => f.code === 'token_expired');
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  const status = expired
    ? `expired ${formatRelative(exp!, now)}`
    : exp !== undefined
      ? `live, expires ${formatRelative(exp, now)}`
      : 'live, never expires (no exp)';
  const details = [
    status,
    typeof payload.iss === 'string' ? `iss ${payload.iss}` : undefined,
    typeof payload.sub === 'string' ? `sub ${payload.sub}` : undefined,
    exp !== undefined && typeof payload.iat === 'number' ? `lifetime ${formatSpan(exp - payload.iat)}` : undefined,
    unsecured ? 'alg none: unsigned, anyone can forge it' : `alg ${describeBare(header.alg)}`,
  ].filter(Boolean);
  const notable = claims.filter((f) => (f.code !== 'token_expired' && f.severity === 'error') || ['lifetime_too_long', 'alg_not_allowed'].includes(f.code));
  const severity: ScanSeverity = expired ? 'low' : unsecured ? 'medium' : 'critical';
  return {
    rule: 'jwt',
    severity,
    index,
    secret: token,
    message: `${details.join('; ')}${notable.length ? ` [${[...new Set(notable.map((f) => f.code))].join(', ')}]` : ''}`,
    claims,
  };
}

const SECRET_KEYS = String.raw`[\w.-]{0,64}?(?:client[_-]?secret|app[_-]?secret|api[_-]?key|api[_-]?secret|apikey|secret[_-]?key|hmac[_-]?secret|signing[_-]?secret|jwt[_-]?secret|private[_-]?token|access[_-]?token|refresh[_-]?token|auth[_-]?token|password|passwd|pwd|secret|token)`;
// key (optionally quoted) = or : value (quoted, or up to whitespace / comment / separator)
const ASSIGNMENT_RE = new RegExp(
  String.raw`(?<![\w-])(["']?)(${SECRET_KEYS})\1[ \t]*[:=][ \t]*(?:"((?:[^"\\\n]|\\.){1,256})"|'([^'\n]{1,256})'|([^\s"'#,;}{\]]{1,256}))`,
  'gi',
);

function ruleForKey(key: string): RuleId {
  if (/passw|pwd/i.test(key)) return 'password';
  if (/client[_-]?secret/i.test(key)) return 'client-secret';
  return 'secret-assignment';
}

function assignmentHits(text: string, ctx: DetectContext): Hit[] {
  const hits: Hit[] = [];
  const add = (rule: RuleId, index: number, value: string, what: string) => {
    if (!plausibleSecret(value)) return;
    hits.push({ rule, severity: 'high', index, secret: value, message: what });
  };
  if (ctx.configLike) {
    for (const match of text.matchAll(ASSIGNMENT_RE)) {
      const value = match[3] ?? match[4] ?? match[5]!;
      if (value.startsWith('eyJ')) continue; // a JWT: the token rule judges it
      add(ruleForKey(match[2]!), match.index, value, `${match[2]} is assigned a literal value`);
    }
  }
  // curl commands anywhere (scripts, READMEs, shell history): -u id:secret and form fields.
  for (const line of text.includes('curl') ? text.matchAll(/^.*\bcurl\b.*$/gm) : []) {
    for (const m of line[0].matchAll(/(?<=^|\s)(-u|--user)[ =]?(["']?)([^\s"':]+):([^\s"']+)\2/g)) {
      add('basic-auth', line.index + m.index, m[4]!, `curl ${m[1]} with a literal secret for ${m[3]}`);
    }
    for (const m of line[0].matchAll(/\b(client_secret|password|api_key|refresh_token)=([^&\s"']+)/g)) {
      add(ruleForKey(m[1]!), line.index + m.index, m[2]!, `curl sends ${m[1]} as a literal`);
    }
  }
  for (const m of text.matchAll(/Authorization:?[ \t]{0,16}["']?[ \t]{0,16}Basic[ \t]{1,16}([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/gi)) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1 || !/^[\x20-\x7e]+$/.test(decoded)) continue;
    add('basic-auth', m.index, decoded.slice(colon + 1), `Basic credentials for ${decoded.slice(0, colon)}`);
  }
  for (const m of text.includes('://') ? text.matchAll(/\b[a-z][\w+.-]{0,31}:\/\/([^/\s:@"'`]+):([^/\s@"'`]+)@[\w.-]/gi) : []) {
    add('basic-auth', m.index, m[2]!, `credentials in a URL for ${m[1]}`);
  }
  for (const m of text.matchAll(/\bBearer[ \t]{1,16}([A-Za-z0-9._~+/-]{20,}=*)(?![A-Za-z0-9._~+/=-])/g)) {
    const token = m[1]!;
    if (token.startsWith('eyJ') || !/\d/.test(token) || !/[a-zA-Z]/.test(token) || entropy(token) < 3.5) continue;
    add('bearer-token', m.index, token, 'opaque bearer token');
  }
  return hits;
}

/** A cheap test that lets most files skip every detector. */
const PREFILTER = /eyJ|PRIVATE KEY|"kty"|secret|passw|pwd|api.?key|token|basic|bearer|curl|:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * Every detector over one text. Pure: the caller passes the time (tokens are judged live or
 * expired against it) and whether the file is config-like.
 *
 * @example detect('TOKEN=eyJ…', { now: 1_800_000_000, configLike: true })
 */
export function detect(text: string, ctx: DetectContext): Hit[] {
  const generic = PREFILTER.test(text);
  const providers = PROVIDER_PREFILTER.test(text) ? providerHits(text) : [];
  if (!generic && !providers.length) return [];
  // A secret a specific rule names (a GitHub token assigned to GITHUB_TOKEN) is not reported again as an assignment.
  const named = new Set(providers.map((h) => h.secret));
  const generalHits = generic
    ? [...tokenHits(text, ctx), ...pemHits(text), ...jwkHits(text), ...assignmentHits(text, ctx).filter((h) => !named.has(h.secret))]
    : [];
  // A value found by two detectors (a JWT assigned to access_token) is reported once.
  const seen = new Set<string>();
  return [...generalHits, ...providers]
    .sort((a, b) => a.index - b.index)
    .filter((hit) => {
      const key = `${hit.index}:${hit.secret}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
