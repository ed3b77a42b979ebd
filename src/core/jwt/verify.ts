import type { KeyObject, webcrypto } from 'node:crypto';
import { createHash } from 'node:crypto';
import { compactVerify, errors, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { UsageError } from '../../errors.js';
import { algorithmsFor, assertAlgorithmFits } from '../keys/algorithms.js';
import { jwkList, type LoadedKey } from '../keys/load.js';
import type { Finding } from '../claims/types.js';
import type { ParsedToken } from './parse.js';
import { describeValue } from '../json.js';

/** What a signature is checked against: one key, or a JWKS from which `kid` selects. */
export type Verifier = { kind: 'key'; key: LoadedKey } | { kind: 'jwks'; jwks: JSONWebKeySet };

/**
 * The algorithm allow-list for verification: the explicit list, else what the key pins (EC
 * by curve, Ed25519, a JWK's `alg`). RSA keys and HMAC secrets do not pin an algorithm, so
 * then the list is required: that is what stops algorithm confusion.
 */
export function allowedAlgorithms(verifier: Verifier, explicit: string[] | undefined): string[] {
  if (verifier.kind === 'key') {
    if (explicit?.length) {
      // A policy may list algorithms for several key types (RS256 or ES256): keep those this key fits.
      const fitting = explicit.filter((alg) => fits(alg, verifier.key));
      if (!fitting.length) assertAlgorithmFits(explicit[0]!, verifier.key);
      return fitting;
    }
    const { pinned, candidates } = algorithmsFor(verifier.key);
    if (pinned) return candidates;
    if (!candidates.length)
      throw new UsageError(
        'unsupported_key',
        `${/^[AEIOU]/.test(verifier.key.kty) ? 'an' : 'a'} ${verifier.key.kty} key${verifier.key.crv ? ` on ${verifier.key.crv}` : ''} cannot verify any JWS algorithm authctl supports`,
        'secp256k1 (ES256K) is not supported: use a P-256, P-384 or P-521 EC key, Ed25519, RSA or an HMAC secret',
      );
    throw new UsageError(
      'alg_required',
      `${verifier.key.kty === 'oct' ? 'an HMAC secret' : 'an RSA key'} does not pin the algorithm; say which to accept`,
      `e.g. --alg ${candidates[0]} (or a profile whose policy lists algorithms)`,
    );
  }
  if (!verifier.jwks.keys.length)
    throw new UsageError('invalid_key', 'the JWKS has no public signing key of a type authctl verifies with (RSA, EC, Ed25519, oct)');
  if (explicit?.length) return explicit;
  const algs = new Set<string>();
  for (const jwk of verifier.jwks.keys) {
    const { pinned, candidates } = algorithmsFor({ kty: jwk.kty as LoadedKey['kty'], crv: jwk.crv, alg: jwk.alg });
    if (!pinned)
      throw new UsageError(
        'alg_required',
        `the JWKS has a ${jwk.kty} key${jwk.kid ? ` ("${jwk.kid}")` : ''} without "alg"; say which algorithms to accept`,
        'e.g. --alg RS256',
      );
    for (const alg of candidates) algs.add(alg);
  }
  return [...algs];
}

function fits(alg: string, key: LoadedKey): boolean {
  try {
    assertAlgorithmFits(alg, key);
    return true;
  } catch {
    return false;
  }
}

/** Key types authctl verifies with; others (post-quantum `AKP`, …) are skipped, not fatal. */
const KNOWN_KTY = new Set(['RSA', 'EC', 'OKP', 'oct']);

/**
 * A JWKS from parsed JSON; only public signing keys of a type authctl knows are kept. Each key
 * left out for its type or curve is reported through `onSkip`, so `-v` can say so.
 */
export function toJwks(value: unknown, onSkip?: (why: string) => void): JSONWebKeySet {
  const { keys } = jwkList(value);
  const kept = keys.filter((k) => {
    if (k.use === 'enc' || 'd' in k) return false;
    const usable =
      typeof k.kty === 'string' &&
      KNOWN_KTY.has(k.kty) &&
      algorithmsFor({ kty: k.kty as LoadedKey['kty'], crv: typeof k.crv === 'string' ? k.crv : undefined }).candidates.length > 0;
    if (!usable)
      onSkip?.(
        `skipping JWKS key${typeof k.kid === 'string' ? ` "${k.kid}"` : ''} of kty ${describeValue(k.kty)}${k.crv !== undefined ? ` crv ${describeValue(k.crv)}` : ''}: not a signing key type authctl verifies with`,
      );
    return usable;
  });
  return { keys: kept as unknown as JSONWebKeySet['keys'] };
}

function signatureFinding(error: unknown, token: ParsedToken): Finding {
  const kid = typeof token.header.kid === 'string' ? token.header.kid : undefined;
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { code: 'invalid_signature', severity: 'error', message: 'the signature does not match the key' };
  if (error instanceof errors.JOSEAlgNotAllowed)
    return { code: 'alg_not_allowed', severity: 'error', claim: 'header.alg', message: `alg ${describeValue(token.header.alg)} is not accepted here` };
  if (error instanceof errors.JWKSNoMatchingKey)
    return {
      code: 'invalid_signature',
      severity: 'error',
      claim: 'header.kid',
      message: kid ? `no key in the JWKS has kid "${kid}" and alg ${describeValue(token.header.alg)}` : 'no key in the JWKS matches the token',
    };
  if (error instanceof errors.JOSENotSupported) return { code: 'unsupported_crit', severity: 'error', claim: 'header', message: error.message };
  if (error instanceof errors.JOSEError) return { code: 'invalid_token', severity: 'error', message: error.message };
  throw error;
}

/** What the signature check needs beyond the key and the algorithms. */
export interface SignatureOptions {
  /** `crit` header parameters the caller understands (RFC 7515 §4.1.11), as the claims policy lists them. */
  understoodCrit?: readonly string[];
}

/**
 * A signature checker for many tokens: the key (or the key set's imports) is prepared once. Each
 * call returns a finding when the signature fails, undefined when it holds. `none` never
 * verifies (jose refuses it), and neither does any algorithm outside `algorithms`.
 */
export function signatureChecker(
  verifier: Verifier,
  algorithms: string[],
  options: SignatureOptions = {},
): (token: Extract<ParsedToken, { kind: 'jws' }>) => Promise<Finding | undefined> {
  const verifyOptions = {
    algorithms,
    ...(options.understoodCrit?.length ? { crit: Object.fromEntries(options.understoodCrit.map((name) => [name, true])) } : {}),
  };
  if (verifier.kind === 'jwks') return keySetChecker(verifier.jwks, verifyOptions);
  const key = verifier.key.key as Parameters<typeof compactVerify>[1];
  const hmac = verifier.key.kind === 'secret' ? hmacKeys(verifier.key.key, algorithms) : undefined;
  return async (token) => {
    try {
      await compactVerify(token.compact, (await hmac?.(token.header.alg)) ?? key, verifyOptions);
      return undefined;
    } catch (error) {
      return signatureFinding(error, token);
    }
  };
}

type JwkEntry = JSONWebKeySet['keys'][number] & Record<string, unknown>;

/** A certificate's thumbprint as a JWS header writes it (`x5t` SHA-1, `x5t#S256` SHA-256), from a JWK's x5c. */
function certThumbprint(jwk: JwkEntry, hash: 'sha1' | 'sha256'): string | undefined {
  const own = jwk[hash === 'sha256' ? 'x5t#S256' : 'x5t'];
  if (typeof own === 'string') return own;
  const leaf = Array.isArray(jwk.x5c) && typeof jwk.x5c[0] === 'string' ? jwk.x5c[0] : undefined;
  return leaf === undefined ? undefined : createHash(hash).update(Buffer.from(leaf, 'base64')).digest('base64url');
}

/**
 * The keys of a set that may have signed a token (RFC 7515 §4.1.4, RFC 7517 §4): those that fit
 * its `alg` (type, curve, and the key's own `alg` when it has one) and are not for encryption; the
 * token's `kid` picks among them when it has one; its `x5t#S256` or `x5t` narrows them when some
 * key's certificate matches. Several may remain: each is tried (as jose's remote sets do).
 *
 * @example candidateKeys({ keys: [{ kty: 'oct', k: '…' }] }, { alg: 'HS256' }).length // 1
 */
function candidateKeys(jwks: JSONWebKeySet, header: Record<string, unknown>): JwkEntry[] {
  const alg = header.alg;
  if (typeof alg !== 'string') return [];
  let keys = (jwks.keys as JwkEntry[]).filter(
    (jwk) =>
      jwk.use !== 'enc' &&
      (jwk.alg === undefined || jwk.alg === alg) &&
      algorithmsFor({ kty: jwk.kty as LoadedKey['kty'], crv: typeof jwk.crv === 'string' ? jwk.crv : undefined }).candidates.includes(alg),
  );
  if (typeof header.kid === 'string') keys = keys.filter((jwk) => jwk.kid === header.kid);
  for (const [name, hash] of [
    ['x5t#S256', 'sha256'],
    ['x5t', 'sha1'],
  ] as const) {
    const wanted = header[name];
    if (typeof wanted !== 'string') continue;
    const matching = keys.filter((jwk) => certThumbprint(jwk, hash) === wanted);
    if (matching.length) keys = matching;
  }
  return keys;
}

/** A key set's checker: each fitting key imported once per algorithm, and tried until one verifies. */
function keySetChecker(jwks: JSONWebKeySet, verifyOptions: { algorithms: string[]; crit?: Record<string, boolean> }) {
  const imported = new Map<JwkEntry, Map<string, Promise<Parameters<typeof compactVerify>[1] | undefined>>>();
  const importFor = (jwk: JwkEntry, alg: string) => {
    const perAlg = imported.get(jwk) ?? new Map();
    imported.set(jwk, perAlg);
    if (!perAlg.has(alg))
      perAlg.set(
        alg,
        importJWK(jwk as JWK, alg).catch(() => undefined),
      );
    return perAlg.get(alg)!;
  };
  return async (token: Extract<ParsedToken, { kind: 'jws' }>): Promise<Finding | undefined> => {
    const alg = token.header.alg;
    if (typeof alg !== 'string' || !verifyOptions.algorithms.includes(alg))
      return { code: 'alg_not_allowed', severity: 'error', claim: 'header.alg', message: `alg ${describeValue(alg)} is not accepted here` };
    const keys = candidateKeys(jwks, token.header);
    if (!keys.length) return signatureFinding(new errors.JWKSNoMatchingKey(), token);
    let tried = 0;
    for (const jwk of keys) {
      const key = await importFor(jwk, alg);
      if (!key) continue;
      tried++;
      try {
        await compactVerify(token.compact, key, verifyOptions);
        return undefined;
      } catch (error) {
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) return signatureFinding(error, token);
      }
    }
    if (!tried)
      return { code: 'invalid_signature', severity: 'error', claim: 'header.kid', message: 'no key in the JWKS that fits the token could be imported' };
    return {
      code: 'invalid_signature',
      severity: 'error',
      message: tried === 1 ? 'the signature does not match the key' : `the signature matches none of the ${tried} keys that fit the token`,
    };
  };
}

/** WebCrypto's hash for each HMAC algorithm of JWS. */
const HMAC_HASH: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

/**
 * jose imports the bytes of a secret KeyObject anew for every token it checks (a CryptoKey is
 * bound to one hash); in a batch, each allowed HMAC algorithm gets its CryptoKey once, and jose
 * still checks that it fits the token's alg. A key WebCrypto refuses goes to jose as it was.
 */
function hmacKeys(secret: KeyObject, algorithms: string[]): (alg: unknown) => Promise<webcrypto.CryptoKey | undefined> | undefined {
  const keys = new Map<string, Promise<webcrypto.CryptoKey | undefined>>();
  return (alg) => {
    if (typeof alg !== 'string' || !algorithms.includes(alg) || !Object.hasOwn(HMAC_HASH, alg)) return undefined;
    let key = keys.get(alg);
    if (!key) {
      key = crypto.subtle.importKey('raw', secret.export(), { name: 'HMAC', hash: HMAC_HASH[alg]! }, false, ['verify']).catch(() => undefined);
      keys.set(alg, key);
    }
    return key;
  };
}
