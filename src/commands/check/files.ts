import { X509Certificate } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { AuthctlError } from '../../errors.js';
import type { CheckName, CheckStatus } from '../../core/check.js';
import { defaultAlgorithm, keyWeakness } from '../../core/keys/algorithms.js';
import { formatIsoTime, formatRelative } from '../../core/duration.js';
import { modifiedAt, readTextFile } from '../../io/files.js';
import { loadKeyFile } from '../../io/key-file.js';

/** `check`'s rows for the files a profile names (its key, its client certificate), and what every row uses. */

/** Records one check's result. */
export type Add = (check: CheckName, status: CheckStatus, message: string, code?: string) => void;

/** An expected failure becomes a failed check; anything else is a bug, for the edge to report. */
export function why(error: unknown): { code: string; message: string } {
  if (error instanceof AuthctlError) return { code: error.code, message: error.message };
  throw error;
}

/** The profile's private key file: readable, strong enough for its algorithm, not older than the rotation age. */
export async function checkKey(path: string | undefined, alg: string | undefined, rotationDays: number, now: number, deps: Deps, add: Add): Promise<void> {
  if (!path) return add('key', 'skip', 'no private key file in the profile');
  try {
    const key = await loadKeyFile(path, {}, deps.io);
    const weakness = keyWeakness(alg ?? defaultAlgorithm(key), key);
    const described = `${key.kty}${key.bits ? ` ${key.bits}` : ''}${key.crv ? ` ${key.crv}` : ''} key ${path}`;
    if (weakness) return add('key', 'fail', `${path}: ${weakness}`, 'weak_key');
    const days = Math.floor((now - (await modifiedAt(path))) / 86400);
    if (days >= rotationDays) add('key', 'warn', `${described} is ${days} days old: rotate it (every ${rotationDays} days)`, 'rotation_due');
    else add('key', 'pass', `${described}, ${days} days old`);
  } catch (error) {
    add('key', 'fail', why(error).message, why(error).code);
  }
}

const CERTIFICATE_WARN_DAYS = 30;

/** The mutual-TLS client certificate: readable, and not expired or about to. */
export async function checkCertificate(path: string, now: number, add: Add): Promise<void> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await readTextFile(path, 'client certificate'));
  } catch (error) {
    return add(
      'certificate',
      'fail',
      error instanceof AuthctlError ? error.message : `${path}: not a PEM X.509 certificate`,
      error instanceof AuthctlError ? error.code : 'invalid_certificate',
    );
  }
  const until = Math.floor(Date.parse(cert.validTo) / 1000);
  const subject = cert.subject.split('\n').join(', ');
  if (until <= now) add('certificate', 'fail', `${path} (${subject}) expired ${formatRelative(until, now)}`, 'certificate_expired');
  else if (until - now < CERTIFICATE_WARN_DAYS * 86400)
    add('certificate', 'warn', `${path} (${subject}) expires ${formatRelative(until, now)}: renew it`, 'certificate_expires_soon');
  else add('certificate', 'pass', `${path} (${subject}) valid until ${formatIsoTime(until)}`);
}
