import type { Deps } from '../deps.js';
import type { ClaimsPolicy } from '../core/claims/types.js';
import type { SignatureCheck } from '../core/jwt/judge.js';
import { allowedAlgorithms, signatureChecker, toJwks } from '../core/jwt/verify.js';
import type { HttpClient } from '../io/http.js';
import { cacheDir } from '../io/paths.js';

/**
 * The signature check against a remote key set, with the one key-set policy: the set comes from
 * the disk cache while its Cache-Control allows, and a token whose `kid` it lacks (a key the
 * provider rotated in since) makes it fetch the set once more, once per check.
 */
export async function remoteKeySetCheck(
  url: string,
  http: HttpClient,
  deps: Deps,
  policy: Pick<ClaimsPolicy, 'algorithms' | 'understoodCrit'>,
  onSkip?: (why: string) => void,
): Promise<SignatureCheck> {
  const { loadRemoteJwks } = await import('../io/jwks.js');
  const settings = { dir: cacheDir(deps.io.env), now: deps.now(), useCache: true };
  const checkerFor = (jwks: unknown) => {
    const verifier = { kind: 'jwks' as const, jwks: toJwks(jwks, onSkip) };
    return signatureChecker(verifier, allowedAlgorithms(verifier, policy.algorithms), policy);
  };
  const first = await loadRemoteJwks(url, http, settings);
  let check = checkerFor(first.jwks);
  let refreshed: Promise<SignatureCheck> | undefined;
  return async (token) => {
    const finding = await check(token);
    if (finding?.claim !== 'header.kid' || !first.fromCache) return finding;
    refreshed ??= loadRemoteJwks(url, http, { ...settings, fresh: true }).then(({ jwks }) => (check = checkerFor(jwks)));
    return (await refreshed)(token);
  };
}
