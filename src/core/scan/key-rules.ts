import { describeBare, parseJson } from '../json.js';
import type { Hit } from './rules.js';

/*
 * The key detectors: private keys in PEM armour (PKCS#8, PKCS#1, SEC1, OpenSSH; encrypted
 * ones named as such) and private or symmetric JWKs. Both find their candidates in one linear
 * pass over the text.
 */

const PEM_BEGIN_RE = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY)-----/g;
const PEM_END_RE = /-----END ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY)-----/g;
const PEM_MAX_BODY = 16384;

/**
 * Each BEGIN armour with the first END of the same label after it (within 16 KiB): the END
 * positions are found in one pass and looked up per BEGIN, so a file of many BEGIN lines and
 * no END costs linear time, not a 16 KiB lazy scan per line.
 */
function pemBlocks(text: string): { index: number; label: string; body: string }[] {
  const ends = new Map<string, number[]>();
  for (const m of text.matchAll(PEM_END_RE)) {
    const list = ends.get(m[1]!) ?? [];
    list.push(m.index);
    ends.set(m[1]!, list);
  }
  const blocks: { index: number; label: string; body: string }[] = [];
  let consumed = 0;
  for (const m of text.matchAll(PEM_BEGIN_RE)) {
    if (m.index < consumed) continue;
    const label = m[1]!;
    const from = m.index + m[0].length;
    const list = ends.get(label) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const end = list[lo];
    if (end === undefined || end - from > PEM_MAX_BODY) continue;
    blocks.push({ index: m.index, label, body: text.slice(from, end) });
    consumed = end;
  }
  return blocks;
}

function opensshEncrypted(body: string): boolean {
  const bytes = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (bytes.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const length = bytes.readUInt32BE(magic.length);
  return bytes.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1') !== 'none';
}

export function pemHits(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const match of pemBlocks(text)) {
    const label = match.label;
    const raw = match.body.replace(/\\[nr]/g, '\n');
    const encryptedHeader = /Proc-Type:\s*4,ENCRYPTED/.test(raw);
    // Strip RFC 1421 headers, then what code puts around a key in a string literal: the
    // concatenation `" + "` as a whole (a bare + is a base64 digit), quotes, commas, whitespace.
    const body = raw
      .replace(/^[ \t"']*[A-Za-z-]+:.*$/gm, '')
      .replace(/(["'`])\s*\+\s*\1/g, '')
      .replace(/[\s"',`]/g, '');
    if (!/^[A-Za-z0-9+/]{64,}={0,2}$/.test(body)) continue; // "..." or a truncated example
    const encrypted = label === 'ENCRYPTED PRIVATE KEY' || encryptedHeader || (label === 'OPENSSH PRIVATE KEY' && opensshEncrypted(body));
    const format =
      {
        'PRIVATE KEY': 'PKCS#8',
        'RSA PRIVATE KEY': 'PKCS#1 RSA',
        'EC PRIVATE KEY': 'SEC1 EC',
        'DSA PRIVATE KEY': 'DSA',
        'OPENSSH PRIVATE KEY': 'OpenSSH',
        'ENCRYPTED PRIVATE KEY': 'PKCS#8',
      }[label] ?? label;
    hits.push(
      encrypted
        ? {
            rule: 'private-key-encrypted',
            severity: 'low',
            index: match.index,
            secret: body,
            message: `${format} private key, passphrase-encrypted (only as safe as the passphrase)`,
          }
        : { rule: 'private-key', severity: 'critical', index: match.index, secret: body, message: `${format} private key, unencrypted` },
    );
  }
  return hits;
}

const JWK_MAX_LENGTH = 16384;
const KTY = '"kty"';

/**
 * JSON objects that carry a "kty" member at their own level, found in one pass over the text
 * with a stack of open braces (strings respected; a newline ends a string, as JSON allows none
 * inside one). An object that contains another candidate is left to the inner one, so the
 * parsed spans never overlap and the whole costs linear time.
 */
function jwkCandidates(text: string): { start: number; json: string }[] {
  const out: { start: number; json: string }[] = [];
  const stack: { start: number; kty: boolean; nested: boolean }[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34 || c === 10) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (stack.length && text.startsWith(KTY, i)) {
        let j = i + KTY.length;
        while (j < text.length && j < i + 64 && /\s/.test(text[j]!)) j++;
        if (text[j] === ':') stack[stack.length - 1]!.kty = true;
      }
    } else if (c === 123) {
      stack.push({ start: i, kty: false, nested: false });
      if (stack.length > 64) stack.shift(); // deeper than any key set: forget the outermost
    } else if (c === 125) {
      const open = stack.pop();
      if (!open) continue;
      if ((open.kty || open.nested) && stack.length) stack[stack.length - 1]!.nested = true;
      if (open.kty && !open.nested && i - open.start < JWK_MAX_LENGTH) out.push({ start: open.start, json: text.slice(open.start, i + 1) });
    }
  }
  return out;
}

export function jwkHits(text: string): Hit[] {
  const hits: Hit[] = [];
  if (!text.includes(KTY)) return hits;
  for (const found of jwkCandidates(text)) {
    let jwk: Record<string, unknown>;
    try {
      jwk = parseJson(found.json) as Record<string, unknown>;
    } catch {
      continue;
    }
    const secret = jwk.kty === 'oct' ? jwk.k : jwk.d;
    if (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(secret)) continue;
    hits.push({
      rule: 'private-jwk',
      severity: 'critical',
      index: found.start,
      secret,
      message: `${jwk.kty === 'oct' ? 'symmetric (oct)' : `private ${describeBare(jwk.kty)}`} JWK${typeof jwk.kid === 'string' ? ` kid ${jwk.kid}` : ''}`,
    });
  }
  return hits;
}
