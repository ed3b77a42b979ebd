import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { Finding } from '../claims/types.js';

/**
 * A token's `x5c` chain (RFC 7515 §4.1.6) checked up to roots the user named: each certificate
 * within its validity at `now`, signed by the next, every issuer a CA (basic constraints), the
 * last one a given root or signed by one (itself a CA, valid now); and
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

/**
 * An issuer must be a CA (basic constraints). Node exposes a certificate's extended key usage
 * only, not its key usage bits, so keyCertSign and digitalSignature are not checked here.
 */
function mayIssue(cert: X509Certificate): boolean {
  return cert.ca;
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
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return fail(`x5c[${i}] is not signed by x5c[${i + 1}]`);
    if (!mayIssue(issuer)) return fail(`x5c[${i + 1}] (${issuer.subject.replace(/\n/g, ', ')}) is not a CA allowed to sign certificates`);
  }
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
