import { UsageError } from '../../errors.js';
import type { LoadedKey } from './load.js';

export const SIGNING_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const EC_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
export const MIN_RSA_BITS = 2048;

/** The smallest HMAC secret RFC 7518 §3.2 allows: as long as the hash output. */
export function minSecretBytes(alg: string): number {
  return { HS256: 32, HS384: 48, HS512: 64 }[alg] ?? 32;
}

/**
 * The algorithms a key can be used with, and whether the key alone pins one. RSA keys and
 * HMAC secrets do not (RS256 vs PS512, HS256 vs HS512) unless a JWK says `alg`.
 */
export function algorithmsFor(key: Pick<LoadedKey, 'kty' | 'crv' | 'alg'>): { candidates: string[]; pinned?: string } {
  if (key.alg) return { candidates: [key.alg], pinned: key.alg };
  switch (key.kty) {
    case 'RSA':
      return { candidates: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] };
    case 'EC': {
      const alg = EC_ALG[key.crv ?? ''];
      return alg ? { candidates: [alg], pinned: alg } : { candidates: [] };
    }
    case 'OKP':
      return key.crv === 'Ed25519' ? { candidates: ['EdDSA', 'Ed25519'], pinned: 'EdDSA' } : { candidates: [] };
    case 'oct':
      return { candidates: ['HS256', 'HS384', 'HS512'] };
    default:
      return { candidates: [] };
  }
}

/** The default algorithm for signing with a key (RSA → RS256, EC by curve, Ed25519 → EdDSA, oct → HS256). */
export function defaultAlgorithm(key: Pick<LoadedKey, 'kty' | 'crv' | 'alg'>): string {
  const { candidates, pinned } = algorithmsFor(key);
  if (pinned) return pinned;
  if (!candidates.length) throw new UsageError('unsupported_key', `no JWS algorithm for a ${key.kty} key${key.crv ? ` on ${key.crv}` : ''}`);
  return candidates[0]!;
}

/** Refuses an algorithm the key cannot produce or verify (the algorithm-confusion guard). */
export function assertAlgorithmFits(alg: string, key: Pick<LoadedKey, 'kty' | 'crv' | 'alg' | 'kind'>): void {
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new UsageError('unsupported_alg', `unsupported algorithm "${alg}"`, `supported: ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const { candidates } = algorithmsFor({ kty: key.kty, crv: key.crv });
  if (!candidates.includes(alg)) {
    const what = key.kty === 'oct' ? 'an HMAC secret' : `${key.kty === 'RSA' ? 'an' : 'a'} ${key.kty}${key.crv ? ` ${key.crv}` : ''} key`;
    throw new UsageError(
      'alg_key_mismatch',
      `algorithm ${alg} cannot be used with ${what}`,
      candidates.length ? `this key fits: ${candidates.join(', ')}` : undefined,
    );
  }
  if (key.alg && key.alg !== alg) throw new UsageError('alg_key_mismatch', `the key is declared for ${key.alg}, not ${alg}`);
}

/** A weakness that is refused unless --insecure: RSA below 2048 bits, HMAC secrets shorter than the hash. */
export function keyWeakness(alg: string, key: Pick<LoadedKey, 'kty' | 'bits'>): string | undefined {
  if (key.kty === 'RSA' && (key.bits ?? 0) < MIN_RSA_BITS) return `RSA key of ${key.bits} bits is below ${MIN_RSA_BITS}`;
  if (key.kty === 'oct' && (key.bits ?? 0) / 8 < minSecretBytes(alg)) {
    return `HMAC secret of ${(key.bits ?? 0) / 8} bytes is shorter than the ${minSecretBytes(alg)} bytes ${alg} needs (RFC 7518 §3.2)`;
  }
  return undefined;
}
