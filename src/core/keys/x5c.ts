import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { Finding } from '../claims/types.js';

/**
 * A token's `x5c` chain (RFC 7515 §4.1.6) checked up to roots the user named: each certificate
 * within its validity at `now`, signed by the next, every issuer a CA (basic constraints, and
 * keyCertSign when it states a key usage), the leaf allowed digitalSignature when it states one,
 * the last one a given root or signed by one (itself a CA, valid now); and
 * `x5t#S256`, when present, the leaf's thumbprint. The leaf's key is what may then check the
 * token's signature. Never fetched (no `x5u`), never trusted without roots.
 */
export type ChainVerdict = { leaf: KeyObject; subject: string } | { finding: Finding };

const fail = (message: string): { finding: Finding } => ({ finding: { code: 'invalid_signature', severity: 'error', claim: 'header.x5c', message } });

/** The certificates of an `x5c` header (base64 DER, not base64url), or why there are none. */
export function x5cCertificates(x5c: unknown): X509Certificate[] | string {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 10) return 'x5c must be a list of 1 to 10 certificates';
  const certs: X509Certificate[] = [];
  for (const [i, entry] of x5c.entries()) {
    if (typeof entry !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) return `x5c[${i}] is not base64 DER`;
    try {
      certs.push(new X509Certificate(Buffer.from(entry, 'base64')));
    } catch {
      return `x5c[${i}] is not an X.509 certificate`;
    }
  }
  return certs;
}

function within(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) / 1000 <= now && now <= Date.parse(cert.validTo) / 1000;
}

/** One DER element: its tag and where its contents lie, or undefined when it does not fit. */
interface Element {
  tag: number;
  start: number;
  end: number;
}

function element(der: Uint8Array, at: number, limit: number): Element | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start++]!;
  }
  return start + length > limit ? undefined : { tag, start, end: start + length };
}

/** The elements inside a constructed one (a bounded walk: each step moves forward). */
function* inside(der: Uint8Array, parent: Element): Generator<Element> {
  for (let at = parent.start; at < parent.end; ) {
    const child = element(der, at, parent.end);
    if (!child) return;
    yield child;
    at = child.end;
  }
}

const KEY_USAGE_OID = [0x55, 0x1d, 0x0f]; // 2.5.29.15

/**
 * The key usage bits of a certificate (RFC 5280 §4.2.1.3), read from its DER (Node's
 * X509Certificate gives the extended key usage only): undefined when it has no key usage
 * extension, which leaves the key unconstrained.
 */
export function keyUsage(der: Uint8Array): { digitalSignature: boolean; keyCertSign: boolean } | undefined {
  const cert = element(der, 0, der.length);
  const tbs = cert && inside(der, cert).next().value;
  if (!tbs) return undefined;
  const extensions = [...inside(der, tbs)].find((e) => e.tag === 0xa3); // [3] EXPLICIT
  const list = extensions && inside(der, extensions).next().value;
  if (!list) return undefined;
  for (const extension of inside(der, list)) {
    const [id, ...rest] = [...inside(der, extension)];
    if (id?.tag !== 0x06 || id.end - id.start !== 3 || KEY_USAGE_OID.some((byte, i) => der[id.start + i] !== byte)) continue;
    const value = rest.at(-1);
    const bits = value?.tag === 0x04 ? element(der, value.start, value.end) : undefined;
    if (bits?.tag !== 0x03 || bits.end - bits.start < 2) return { digitalSignature: false, keyCertSign: false };
    const first = der[bits.start + 1]!;
    return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
  }
  return undefined;
}

/** An issuer must be a CA (basic constraints) whose key usage, when stated, allows keyCertSign. */
function mayIssue(cert: X509Certificate): boolean {
  return cert.ca && keyUsage(cert.raw)?.keyCertSign !== false;
}

export function checkChain(header: Record<string, unknown>, roots: readonly X509Certificate[], now: number): ChainVerdict {
  const chain = x5cCertificates(header.x5c);
  if (typeof chain === 'string') return fail(chain);
  const leaf = chain[0]!;
  for (const [i, cert] of chain.entries()) {
    if (!within(cert, now)) return fail(`x5c[${i}] (${cert.subject.replace(/\n/g, ', ')}) is not valid now: ${cert.validFrom} to ${cert.validTo}`);
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const [cert, issuer] = [chain[i]!, chain[i + 1]!];
    // The issuer's right to issue first (OpenSSL's checkIssued also refuses an issuer without keyCertSign, but says only "no").
    if (!mayIssue(issuer)) return fail(`x5c[${i + 1}] (${issuer.subject.replace(/\n/g, ', ')}) is not a CA allowed to sign certificates`);
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return fail(`x5c[${i}] is not signed by x5c[${i + 1}]`);
  }
  // A leaf whose key usage is stated must allow digitalSignature: a JWS is one (RFC 5280 §4.2.1.3).
  if (keyUsage(leaf.raw)?.digitalSignature === false)
    return fail(`x5c[0] (${leaf.subject.replace(/\n/g, ', ')}) may not sign: its key usage lacks digitalSignature`);
  const top = chain.at(-1)!;
  const anchored = roots.some(
    (root) => root.fingerprint256 === top.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey) && mayIssue(root) && within(root, now)),
  );
  if (!anchored) return fail('the x5c chain leads to none of the roots given (--roots)');
  const thumbprint = header['x5t#S256'];
  if (thumbprint !== undefined && thumbprint !== createHash('sha256').update(leaf.raw).digest('base64url'))
    return fail('x5t#S256 is not the thumbprint of the leaf certificate in x5c');
  return { leaf: leaf.publicKey, subject: leaf.subject.replace(/\n/g, ', ') };
}
