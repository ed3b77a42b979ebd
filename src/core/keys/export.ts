import { createPublicKey, generateKeyPair, randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, calculateJwkThumbprintUri, exportJWK, type JWK } from 'jose';
import { UsageError } from '../../errors.js';
import { describeKeyObject, type LoadedKey } from './load.js';
import { defaultAlgorithm, MIN_RSA_BITS } from './algorithms.js';
import { CURVES, type KeyType, OCT_SIZES } from './kinds.js';

export interface KeygenSpec {
  type: KeyType;
  /** RSA modulus or HMAC secret length, in bits. */
  size?: number;
  curve?: string;
  insecure?: boolean;
}

const generate = promisify(generateKeyPair);

/**
 * A new key: RSA 2048/3072/4096 (smaller only with `insecure`), EC P-256/384/521, Ed25519, or
 * an HMAC secret of 256/384/512 bits.
 *
 * @example (await generateKey({ type: 'ec' })).crv // 'P-256'
 */
export async function generateKey(spec: KeygenSpec): Promise<LoadedKey> {
  let key: KeyObject;
  switch (spec.type) {
    case 'rsa': {
      const size = spec.size ?? 2048;
      if (size < MIN_RSA_BITS && !spec.insecure)
        throw new UsageError('weak_key', `RSA keys below ${MIN_RSA_BITS} bits are refused`, 'use --size 2048 or more (or --insecure for tests)');
      if (size < 512 || size > 16384 || size % 8) throw new UsageError('invalid_argument', `RSA size ${size} is not a usable modulus length`);
      key = (await generate('rsa', { modulusLength: size })).privateKey;
      break;
    }
    case 'ec': {
      const curve = spec.curve ?? 'P-256';
      if (!(CURVES as readonly string[]).includes(curve)) throw new UsageError('invalid_argument', `curve ${curve} is not one of ${CURVES.join(', ')}`);
      key = (await generate('ec', { namedCurve: curve })).privateKey;
      break;
    }
    case 'ed25519':
      key = (await generate('ed25519', {})).privateKey;
      break;
    case 'oct': {
      const size = spec.size ?? 256;
      if (!OCT_SIZES.includes(size) && !(spec.insecure && size >= 64 && size % 8 === 0)) {
        throw new UsageError('invalid_argument', `HMAC secret size ${size} is not one of ${OCT_SIZES.join(', ')} bits`);
      }
      // The secret is a printable string (as providers hand out "API secrets"), and the HMAC
      // key is its UTF-8 bytes, so the text file and the JWK's `k` are the same key.
      key = createSecretKey(Buffer.from(randomBytes(size / 8).toString('base64url'), 'utf8'));
      break;
    }
  }
  return { kind: key.type === 'secret' ? 'secret' : 'private', key, ...describeKeyObject(key), source: key.type === 'secret' ? 'secret' : 'pkcs8' };
}

/** The public half of a key (a public key is its own public half). */
export function publicKeyOf(key: LoadedKey): KeyObject {
  if (key.kind === 'secret') throw new UsageError('invalid_key', 'an HMAC secret has no public part');
  return key.kind === 'public' ? key.key : createPublicKey(key.key);
}

/** The public JWK with `kid` (RFC 7638 thumbprint unless given), `alg` and `use`. */
export async function publicJwk(key: LoadedKey, options: { kid?: string; alg?: string; use?: 'sig' | 'enc' } = {}): Promise<JWK> {
  const jwk = await exportJWK(publicKeyOf(key));
  return {
    ...jwk,
    kid: options.kid ?? key.kid ?? (await calculateJwkThumbprint(jwk)),
    alg: options.alg ?? key.alg ?? defaultAlgorithm(key),
    use: options.use ?? 'sig',
  };
}

/** The private (or secret) JWK, with the same `kid`, `alg` and `use` as its public JWK. */
export async function privateJwk(key: LoadedKey, options: { kid?: string; alg?: string; use?: 'sig' | 'enc' } = {}): Promise<JWK> {
  if (key.kind === 'public') throw new UsageError('invalid_key', 'this is a public key; there is no private part to export');
  const jwk = await exportJWK(key.key);
  const kid = options.kid ?? key.kid ?? (await thumbprint(key));
  return { ...jwk, kid, alg: options.alg ?? key.alg ?? defaultAlgorithm(key), use: options.use ?? 'sig' };
}

/**
 * RFC 7638 thumbprint of the key's public part (or of the secret), base64url; or, with
 * `uri`, the RFC 9278 `urn:ietf:params:oauth:jwk-thumbprint:` form.
 */
export async function thumbprint(key: LoadedKey, digest: 'sha256' | 'sha384' | 'sha512' = 'sha256', uri = false): Promise<string> {
  const jwk = await exportJWK(key.kind === 'secret' ? key.key : publicKeyOf(key));
  return uri ? calculateJwkThumbprintUri(jwk, digest) : calculateJwkThumbprint(jwk, digest);
}

export function privatePem(key: LoadedKey, passphrase?: string): string {
  if (key.kind !== 'private')
    throw new UsageError('invalid_key', key.kind === 'secret' ? 'an HMAC secret has no PEM form' : 'this is a public key; there is no private part to export');
  return key.key.export({ type: 'pkcs8', format: 'pem', ...(passphrase !== undefined ? { cipher: 'aes-256-cbc', passphrase } : {}) }) as string;
}

export function publicPem(key: LoadedKey): string {
  return publicKeyOf(key).export({ type: 'spki', format: 'pem' }) as string;
}

/** A generated HMAC secret as the text `--secret-file` reads back. */
export function secretText(key: LoadedKey): string {
  return `${key.key.export().toString('utf8')}\n`;
}
