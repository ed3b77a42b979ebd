import { randomUUID } from 'node:crypto';
import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError, UsageError, type UsageCode } from '../errors.js';
import { SECRET_SOURCES } from '../core/secret-sources.js';
import { askedNonce, DPOP_ALGORITHMS, htuOf, nonceHeader, signProof } from '../core/oauth/dpop.js';
import { generateKey, type KeygenSpec, publicJwk, thumbprint } from '../core/keys/export.js';
import { assertAlgorithmFits, defaultAlgorithm } from '../core/keys/algorithms.js';
import type { LoadedKey } from '../core/keys/load.js';
import type { HttpRequest, HttpResponse } from '../io/http.js';
import { diagnostic } from '../io/output.js';
import { nonceMemory } from '../io/dpop-nonces.js';
import { findSecret, keepSecret, type StoreAccess } from './secrets.js';

/**
 * The client's DPoP (RFC 9449): the profile's key, a fresh proof for each request, and the
 * nonces servers ask for, remembered per origin (io/dpop-nonces.ts) and carried in later proofs.
 */
export interface DpopClient {
  /** The key's RFC 7638 thumbprint: what a bound token's cnf.jkt names. */
  jkt: string;
  alg: string;
  /** Whether the key is kept (a token bound to a key that is not kept is not cached). */
  kept: boolean;
  /** A proof for one request (`accessToken` for a resource: its ath). */
  proof(method: string, url: string, accessToken?: string): Promise<string>;
  /**
   * Sends a request with a fresh proof; when the server answers that it wants a nonce (a 400
   * use_dpop_nonce, a 401 DPoP challenge), once more with it. Never a loop.
   */
  send<R extends Pick<HttpResponse, 'status' | 'headers'> & { body?: Buffer }>(
    request: HttpRequest,
    sender: (request: HttpRequest) => Promise<R>,
    options?: { accessToken?: string; drop?: (response: R) => Promise<unknown> },
  ): Promise<R>;
}

/** The algorithms a new DPoP key may be made for, in preference order, with the key each needs. */
const KEY_FOR: readonly [alg: string, spec: KeygenSpec][] = [
  ['ES256', { type: 'ec', curve: 'P-256' }],
  ['EdDSA', { type: 'ed25519' }],
  ['Ed25519', { type: 'ed25519' }],
  ['ES384', { type: 'ec', curve: 'P-384' }],
  ['ES512', { type: 'ec', curve: 'P-521' }],
  ['PS256', { type: 'rsa', size: 2048 }],
  ['RS256', { type: 'rsa', size: 2048 }],
];

/** The key to make: for ES256, unless the server lists others only (its first one authctl can make). */
function keySpecFor(serverAlgs: readonly string[] | undefined): KeygenSpec {
  const offered = serverAlgs?.filter((alg) => DPOP_ALGORITHMS.includes(alg));
  const pick = offered?.length ? KEY_FOR.find(([alg]) => offered.includes(alg)) : KEY_FOR[0];
  if (!pick)
    throw new UsageError('unsupported_alg', `the server takes DPoP proofs signed with ${serverAlgs!.join(', ')}, none of which authctl makes keys for`);
  return pick[1];
}

/**
 * The profile's DPoP key: the `dpop_key` credential (AUTHCTL_DPOP_KEY, then the credential store),
 * else a new one, made for the server's algorithms and kept in the store. When no store is
 * reachable the key lives for this run only (and says so with -v).
 */
export async function dpopClient(access: StoreAccess, deps: Deps, globals: GlobalOptions, serverAlgs?: readonly string[]): Promise<DpopClient> {
  let key: LoadedKey;
  let kept = true;
  const stored = await findSecret('dpop_key', {}, deps, access).catch((error: unknown) =>
    error instanceof AuthError && error.code === 'keychain_unavailable' ? undefined : Promise.reject(error),
  );
  if (stored !== undefined) {
    const { loadKey } = await import('../core/keys/load.js');
    try {
      key = loadKey(stored);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(
        error.code as UsageCode,
        `the DPoP key (${SECRET_SOURCES.dpop_key.env}, else the profile's dpop_key credential): ${error.message}`,
        `a private key in PEM or JWK; or unset it, and authctl makes one`,
      );
    }
  } else {
    key = await generateKey(keySpecFor(serverAlgs));
    const pem = key.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    deps.run.secrets.add(pem);
    const failure = await keepSecret('dpop_key', pem, deps, access);
    kept = failure === undefined;
    if (globals.verbose)
      diagnostic(
        deps.io,
        kept ? `  made a DPoP key for profile ${access.profile} (kept as its dpop_key credential)` : `  made a DPoP key for this run only: ${failure!.message}`,
      );
  }
  if (key.kind !== 'private') throw new UsageError('invalid_key', 'the DPoP key must be a private key (an asymmetric one)');
  const fits = (alg: string) => {
    try {
      assertAlgorithmFits(alg, key);
      return DPOP_ALGORITHMS.includes(alg);
    } catch {
      return false;
    }
  };
  const alg = serverAlgs?.length ? serverAlgs.find(fits) : defaultAlgorithm(key);
  if (alg === undefined || !fits(alg))
    throw new UsageError(
      'unsupported_alg',
      `the DPoP key (${key.kty}${key.crv ? ` ${key.crv}` : ''}) makes no proof ${serverAlgs?.length ? `the server takes (${serverAlgs.join(', ')})` : 'authctl can sign'}`,
      `replace it: authctl credentials delete dpop_key --profile ${access.profile}`,
    );
  // The embedded key names the algorithm the proofs are signed with (a JWK whose alg differs is refused, RFC 7517 §4.4).
  const jwk = await publicJwk(key, { alg });
  const jkt = await thumbprint(key);
  const nonces = await nonceMemory(deps.io.env);
  const proof = (method: string, url: string, accessToken?: string) =>
    signProof(key, alg, jwk, { htm: method, htu: url, accessToken, nonce: nonces.get(new URL(url).origin) }, Math.floor(deps.nowMs() / 1000), randomUUID());
  return {
    jkt,
    alg,
    kept,
    proof,
    async send(request, sender, options = {}) {
      const origin = new URL(request.url).origin;
      const once = async () => {
        const response = await sender({ ...request, headers: { ...request.headers, dpop: await proof(request.method, request.url, options.accessToken) } });
        const next = nonceHeader(response);
        if (next !== undefined) await nonces.set(origin, next);
        return response;
      };
      const first = await once();
      if (askedNonce(first) === undefined) return first;
      await options.drop?.(first);
      if (globals.verbose) diagnostic(deps.io, `  ${htuOf(request.url)} asks for a DPoP nonce: sending once more with it`);
      return once();
    },
  };
}
