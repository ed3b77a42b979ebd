import { X509Certificate } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readTextFile } from './files.js';

/** Every CERTIFICATE block of a PEM file, in order (a chain, or a bundle of roots). */
export async function readCertificates(path: string, what: string): Promise<X509Certificate[]> {
  const text = await readTextFile(path, what);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new UsageError('invalid_key', `${path}: no CERTIFICATE block`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    throw new UsageError('invalid_key', `${path}: a CERTIFICATE block is not a valid X.509 certificate`);
  }
}
