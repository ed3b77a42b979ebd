import { createSecretKey } from 'node:crypto';
import type { Deps } from '../deps.js';
import { AuthError, UsageError } from '../errors.js';
import { describeKeyObject, type LoadedKey } from '../core/keys/load.js';
import { SECRET_SOURCES } from '../core/secret-sources.js';
import { loadKeyFile, type KeyFileOptions } from '../io/key-file.js';
import { findSecret, type StoreAccess } from './secrets.js';

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
 * The key for signing or verifying: `--key FILE`, else an HMAC secret from its flags or the
 * environment, else the profile's key file, else the profile's stored HMAC secret. The key
 * file comes before the store, so a profile with a key file never touches the keychain. Never argv.
 */
export async function resolveKey(flags: KeyFlags, deps: Deps, profile: { keyFile?: string; access?: StoreAccess } = {}): Promise<LoadedKey> {
  if (flags.key !== undefined && (flags.secretFile !== undefined || flags.secretStdin)) {
    throw new UsageError('conflicting_options', 'give either --key or an HMAC secret, not both');
  }
  if (flags.key !== undefined) return loadKeyFile(flags.key, flags, deps.io);
  const given = await findSecret('hmac_secret', { file: flags.secretFile, stdin: flags.secretStdin }, deps);
  if (given !== undefined) return secretKey(given);
  if (profile.keyFile !== undefined) return loadKeyFile(profile.keyFile, flags, deps.io);
  const stored = profile.access ? await findSecret('hmac_secret', {}, deps, profile.access) : undefined;
  if (stored !== undefined) return secretKey(stored);
  // A profile's own private key (JustGold's partner key) may live in the credential store too.
  const storedKey = profile.access ? await findSecret('private_key', {}, deps, profile.access) : undefined;
  if (storedKey !== undefined) return (await import('../core/keys/load.js')).loadKey(storedKey);
  throw new AuthError(
    'credential_missing',
    'no key given',
    `use --key FILE (PEM, certificate, JWK or JWKS), --secret-file FILE, --secret-stdin, or set ${SECRET_SOURCES.hmac_secret.env}; verify also takes --jwks URL or --issuer URL`,
  );
}
