import { createSecretKey } from 'node:crypto';
import { AuthError, UsageError } from '../errors.js';
import { describeKeyObject, type LoadedKey } from '../core/keys/load.js';
import { loadKeyFile, type KeyFileOptions } from './key-file.js';
import { resolveSecret } from './secrets.js';
import type { IO } from './streams.js';

export interface KeyFlags extends KeyFileOptions {
  key?: string;
  secretFile?: string;
  secretStdin?: boolean;
}

/** An HMAC key from a secret string: its UTF-8 bytes, as providers' "API secrets" are used. */
export function secretKey(secret: string): LoadedKey {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return { kind: 'secret', key, ...describeKeyObject(key), source: 'secret' };
}

/**
 * The key for signing or verifying: `--key FILE`, else an HMAC secret from `--secret-file`,
 * `--secret-stdin` or `AUTHCTL_SECRET`, else the profile's key file, else the profile's HMAC
 * secret in the keychain. Never argv.
 */
export async function resolveKey(
  flags: KeyFlags,
  io: IO,
  fallback: { keyFile?: string; keychainSecret?: () => Promise<string | undefined> } = {},
): Promise<LoadedKey> {
  if (flags.key !== undefined && (flags.secretFile !== undefined || flags.secretStdin)) {
    throw new UsageError('conflicting_options', 'give either --key or an HMAC secret, not both');
  }
  if (flags.key !== undefined) return loadKeyFile(flags.key, flags, io);
  const secret = await resolveSecret(
    { file: flags.secretFile, stdin: flags.secretStdin, envVar: 'AUTHCTL_SECRET', what: 'HMAC secret', flags: '--secret-file or --secret-stdin' },
    io,
  );
  if (secret !== undefined) return secretKey(secret);
  if (fallback.keyFile !== undefined) return loadKeyFile(fallback.keyFile, flags, io);
  const stored = await fallback.keychainSecret?.();
  if (stored !== undefined) return secretKey(stored);
  throw new AuthError(
    'credential_missing',
    'no key given',
    'use --key FILE (PEM, certificate, JWK or JWKS), --secret-file FILE, --secret-stdin, or set AUTHCTL_SECRET; verify also takes --jwks URL or --issuer URL',
  );
}
