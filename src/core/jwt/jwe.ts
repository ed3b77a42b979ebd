import { createSecretKey } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { CheckFailedError, UsageError } from '../../errors.js';
import type { LoadedKey } from '../keys/load.js';
import { CONTENT_ENCRYPTION, KEY_MANAGEMENT } from '../keys/jwe-algorithms.js';

/**
 * JWE (RFC 7516) through jose, for `token encrypt`, `token mint --encrypt-to` and the
 * `--decrypt-key` of decode, lint and verify. The algorithms are allow-listed, follow the key
 * unless named, and never let a symmetric `dir` stand in for an asymmetric key; a decryption that
 * fails says one thing whatever failed (no padding or tag oracle), and PBES2 iteration counts are
 * bounded before any work.
 */

/** PBES2 iterations authctl will run for one token (OWASP's PBKDF2-SHA256 advice is 600 000; a token asking for more is refused at once). */
export const MAX_PBES2_COUNT = 600_000;
/** The iterations authctl asks for when it encrypts to a password: the most it will run itself. */
const PBES2_COUNT = MAX_PBES2_COUNT;

/** A password as a JWE key: only PBES2 takes it (never a raw AES key, never `dir`). */
export function passwordKey(password: string): LoadedKey {
  const key = createSecretKey(Buffer.from(password, 'utf8'));
  return { kind: 'secret', key, kty: 'oct', bits: (key.symmetricKeySize ?? 0) * 8, source: 'password' };
}

/** The key management a recipient key calls for, when --alg names none. */
export function defaultKeyManagement(key: LoadedKey): string {
  if (key.source === 'password') return 'PBES2-HS512+A256KW';
  if (key.kty === 'RSA') return 'RSA-OAEP-256';
  if (key.kty === 'EC' || (key.kty === 'OKP' && key.crv === 'X25519')) return 'ECDH-ES+A256KW';
  if (key.kty === 'oct') {
    if (key.bits === 128) return 'A128KW';
    if (key.bits === 256) return 'A256KW';
    throw new UsageError(
      'unsupported_key',
      `a ${key.bits}-bit secret wraps no key: use a 128- or 256-bit one`,
      'or say --alg dir with a key of the content encryption size',
    );
  }
  throw new UsageError(
    'unsupported_key',
    `a ${key.kty}${key.crv ? ` ${key.crv}` : ''} key encrypts nothing here`,
    'use an RSA, EC (P-256/384/521), X25519 or symmetric key',
  );
}

/** Whether `alg` fits the key: RSA-OAEP* for RSA, ECDH-ES* for EC and X25519, AxxxKW and dir for secrets, PBES2 for a password. */
function assertFits(alg: string, key: LoadedKey): void {
  if ((key.source === 'password') !== alg.startsWith('PBES2'))
    throw new UsageError(
      'alg_key_mismatch',
      key.source === 'password' ? `${alg} does not take a password: PBES2 does` : `${alg} takes a password (--password-file or --password-stdin), not a key`,
    );
  const family = alg.startsWith('RSA-OAEP')
    ? key.kty === 'RSA'
    : alg.startsWith('ECDH-ES')
      ? key.kty === 'EC' || (key.kty === 'OKP' && key.crv === 'X25519')
      : key.kty === 'oct';
  if (!family) throw new UsageError('alg_key_mismatch', `${alg} does not go with ${key.kty === 'oct' ? 'a symmetric' : `an ${key.kty}`} key`);
}

function allowed<T extends string>(value: string, list: readonly T[], what: string): T {
  if (!(list as readonly string[]).includes(value))
    throw new UsageError('unsupported_alg', `${what} ${JSON.stringify(value)} is not one authctl uses`, `one of ${list.join(', ')}`);
  return value as T;
}

/** A compact JWE of `plaintext` for the recipient key (its public half is used). */
export async function encryptJwe(
  plaintext: Uint8Array,
  key: LoadedKey,
  options: { alg?: string; enc?: string; cty?: string; typ?: string; kid?: string },
): Promise<string> {
  // A recipient JWK that names its key management (use enc) is taken at its word.
  const named = key.alg && (KEY_MANAGEMENT as readonly string[]).includes(key.alg) ? key.alg : undefined;
  const alg = allowed(options.alg ?? named ?? defaultKeyManagement(key), KEY_MANAGEMENT, 'key management');
  const enc = allowed(options.enc ?? 'A256GCM', CONTENT_ENCRYPTION, 'content encryption');
  assertFits(alg, key);
  // The recipient's kid, so a recipient with several keys knows which one opens it.
  const kid = options.kid ?? key.kid;
  const header = {
    alg,
    enc,
    ...(options.cty ? { cty: options.cty } : {}),
    ...(options.typ ? { typ: options.typ } : {}),
    ...(kid ? { kid } : {}),
  };
  const jwe = new CompactEncrypt(plaintext).setProtectedHeader(header);
  if (alg.startsWith('PBES2')) jwe.setKeyManagementParameters({ p2c: PBES2_COUNT });
  return jwe.encrypt(key.source === 'password' ? key.key.export() : (key.key as Parameters<CompactEncrypt['encrypt']>[0]));
}

export interface Decrypted {
  header: Record<string, unknown>;
  plaintext: Uint8Array;
}

/**
 * The plaintext of a compact JWE. The allowed algorithms are the ones the key can use (or the
 * lists given); anything the key or the lists do not allow is refused before any crypto. Every
 * failure of the decryption itself is one message.
 */
export async function decryptJwe(
  jwe: string,
  header: Record<string, unknown>,
  key: LoadedKey,
  options: { algs?: string[]; encs?: string[] } = {},
): Promise<Decrypted> {
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const enc = typeof header.enc === 'string' ? header.enc : '';
  const algs = options.algs ?? [...KEY_MANAGEMENT];
  const encs = options.encs ?? [...CONTENT_ENCRYPTION];
  if (!algs.includes(alg)) throw refused(`its key management ${JSON.stringify(alg)} is not allowed (allowed: ${algs.join(', ')})`);
  if (!encs.includes(enc)) throw refused(`its content encryption ${JSON.stringify(enc)} is not allowed (allowed: ${encs.join(', ')})`);
  if (header.zip !== undefined) throw refused('it is compressed (zip), which authctl does not inflate');
  if (typeof header.p2c === 'number' && header.p2c > MAX_PBES2_COUNT)
    throw refused(`it asks for ${header.p2c} PBES2 iterations, over the ${MAX_PBES2_COUNT} authctl runs`);
  try {
    assertFits(alg, key);
  } catch {
    throw refused(`its key management ${alg} does not go with the ${key.kty} key given`);
  }
  if (key.kind === 'public') throw new UsageError('invalid_key', 'decrypting needs the private key (or the secret), not a public one');
  try {
    const material = key.source === 'password' ? key.key.export() : (key.key as Parameters<typeof compactDecrypt>[1]);
    const result = await compactDecrypt(jwe, material, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [enc],
      maxPBES2Count: MAX_PBES2_COUNT,
    });
    return { header: result.protectedHeader as Record<string, unknown>, plaintext: result.plaintext };
  } catch {
    // Wrong key, a bad tag, bad padding, a malformed segment: one answer, so none is an oracle.
    throw refused('it cannot be decrypted with this key');
  }
}

function refused(why: string): CheckFailedError {
  return new CheckFailedError('invalid_token', `not a token authctl can read: ${why}`);
}
