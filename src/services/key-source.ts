import { DEFAULT_TIMEOUT_SECONDS } from '../core/config-values.js';
import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError, NetworkError, UsageError, type UsageCode } from '../errors.js';
import type { ClaimsPolicy } from '../core/claims/types.js';
import type { SignatureCheck } from '../core/jwt/judge.js';
import { allowedAlgorithms, signatureChecker, toJwks, type Verifier } from '../core/jwt/verify.js';
import { SECRET_SOURCES } from '../core/secret-sources.js';
import { lookup, parseJson } from '../core/json.js';
import { PROVIDERS } from '../core/providers.js';
import type { Profile } from '../core/config.js';
import type { HttpClient } from '../io/http.js';
import { cacheDir } from '../io/paths.js';
import { readTextFile } from '../io/files.js';
import { diagnostic } from '../io/output.js';
import { resolveKey, type KeyFlags } from './signing-key.js';
import { readCertificates } from '../io/certificates.js';
import { SIGNING_ALGORITHMS } from '../core/keys/algorithms.js';
import { storeAccess } from './secrets.js';

/**
 * THE key source: where the keys that check a token's signature come from, for verify, check and
 * both sign-ins. A key file, a JWK or key set file, an HMAC secret, a key set URL or an issuer's
 * discovery, chosen by the resolver's precedence (a flag beats the environment beats the profile),
 * with one key-set cache policy for every caller.
 */
export interface KeySource {
  /** The signature check the judge (core/jwt/judge.ts) is given. */
  check: SignatureCheck;
  /** The algorithms allowed: the policy's list, or what the key pins (never the token's word). */
  readonly algorithms: string[];
  /** The issuer that discovery vouched for, to be checked as `iss`. */
  issuer?: string;
}

type CheckPolicy = Pick<ClaimsPolicy, 'algorithms' | 'understoodCrit'>;

function fromVerifier(verifier: Verifier, policy: CheckPolicy): { check: SignatureCheck; algorithms: string[] } {
  const algorithms = allowedAlgorithms(verifier, policy.algorithms);
  return { check: signatureChecker(verifier, algorithms, policy), algorithms };
}

/**
 * A remote key set with the one policy: from the disk cache while its Cache-Control allows
 * (unless `useCache` is false), and a token whose `kid` the cached set lacks (a key the provider
 * rotated in since) makes it fetch the set once more, once per source.
 */
export async function remoteKeySet(
  url: string,
  http: HttpClient,
  deps: Deps,
  policy: CheckPolicy,
  options: { useCache?: boolean; onSkip?: (why: string) => void } = {},
): Promise<KeySource> {
  const { loadRemoteJwks } = await import('../io/jwks.js');
  const settings = { dir: cacheDir(deps.io.env), now: deps.now(), useCache: options.useCache !== false };
  const first = await loadRemoteJwks(url, http, settings);
  let current = fromVerifier({ kind: 'jwks', jwks: toJwks(first.jwks, options.onSkip) }, policy);
  let refreshed: Promise<unknown> | undefined;
  return {
    get algorithms() {
      return current.algorithms;
    },
    async check(token) {
      const finding = await current.check(token);
      if (finding?.claim !== 'header.kid' || !first.fromCache) return finding;
      refreshed ??= loadRemoteJwks(url, http, { ...settings, fresh: true }).then(({ jwks }) => {
        current = fromVerifier({ kind: 'jwks', jwks: toJwks(jwks, options.onSkip) }, policy);
      });
      await refreshed;
      return current.check(token);
    },
  };
}

/** The flags that name a verification key (verify's; check and sign-in use the profile's). */
export interface VerifyKeyFlags extends KeyFlags {
  /** Root certificates (PEM): the token's x5c chain must lead to one, and its leaf signs. */
  roots?: string;
  jwks?: string;
  issuer?: string;
  jwksCache?: boolean;
  timeout?: number;
  cacert?: string;
}

/** With -v, says which key-set keys were left out (a key type authctl does not verify with). */
export function skipNote(deps: Deps, globals: GlobalOptions): ((why: string) => void) | undefined {
  return globals.verbose ? (why) => diagnostic(deps.io, `  ${why}`) : undefined;
}

/**
 * The keys for `verify`: a flag naming a key (--key, --secret-file, --secret-stdin) beats
 * --jwks/--issuer, which beat the secret in the environment, which beats the profile's jwks_uri or
 * issuer, then its key file or stored secret.
 */
export async function verificationKeys(
  flags: VerifyKeyFlags,
  deps: Deps,
  globals: GlobalOptions,
  profile: { name: string; profile: Profile } | undefined,
  policy: CheckPolicy,
): Promise<KeySource> {
  if (flags.roots !== undefined) {
    const others = [
      flags.key !== undefined && '--key',
      flags.jwks !== undefined && '--jwks',
      flags.issuer !== undefined && '--issuer',
      (flags.secretFile !== undefined || flags.secretStdin) && 'an HMAC secret',
    ].filter(Boolean);
    if (others.length)
      throw new UsageError('conflicting_options', `--roots trusts the token's own x5c chain; ${others.join(' and ')} names another key`, 'give one of them');
    return chainKeys(flags.roots, deps, policy);
  }
  const localFirst =
    flags.key !== undefined ||
    flags.secretFile !== undefined ||
    Boolean(flags.secretStdin) ||
    (flags.jwks === undefined && flags.issuer === undefined && Boolean(deps.io.env[SECRET_SOURCES.hmac_secret.env]));
  if (!localFirst) {
    const remote = await remoteKeys(flags, deps, globals, profile?.profile, policy);
    if (remote) return remote;
  }
  return fromVerifier(await localVerifier(flags, deps, globals, profile), policy);
}

/** --jwks URL, --issuer URL (discovery), or the profile's jwks_uri / issuer; undefined when none is named. */
async function remoteKeys(
  flags: VerifyKeyFlags,
  deps: Deps,
  globals: GlobalOptions,
  profile: Profile | undefined,
  policy: CheckPolicy,
): Promise<KeySource | undefined> {
  const issuer = flags.issuer ?? (flags.jwks ? undefined : profile?.issuer);
  const jwksUri = flags.jwks ?? (flags.issuer ? undefined : profile?.jwks_uri);
  if (!issuer && !jwksUri) return undefined;
  const ca = flags.cacert ? await readTextFile(flags.cacert, 'CA file') : undefined;
  const http = await deps.http({ timeoutMs: (flags.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000, ca, verbose: globals.verbose });
  const url = jwksUri ?? (await (await import('../io/jwks.js')).discover(issuer!, http)).jwks_uri;
  if (!url) throw new NetworkError('discovery_failed', `the metadata of ${issuer} has no jwks_uri`);
  const source = await remoteKeySet(url, http, deps, policy, { useCache: flags.jwksCache !== false, onSkip: skipNote(deps, globals) });
  if (issuer) source.issuer = issuer;
  return source;
}

/** A key set file is a set to select from by kid; any other key file is one key. */
async function localVerifier(
  flags: VerifyKeyFlags,
  deps: Deps,
  globals: GlobalOptions,
  profile: { name: string; profile: Profile } | undefined,
): Promise<Verifier> {
  if (flags.key !== undefined && flags.key !== '-' && flags.kid === undefined) {
    const text = await readTextFile(flags.key, 'key file');
    if (/^\s*\{[\s\S]*"keys"\s*:/.test(text)) {
      try {
        return { kind: 'jwks', jwks: toJwks(parseJson(text), skipNote(deps, globals)) };
      } catch (error) {
        if (error instanceof UsageError) throw new UsageError(error.code as UsageCode, `${flags.key}: ${error.message}`, error.hint);
        throw new UsageError('invalid_key', `${flags.key}: not valid JSON`);
      }
    }
  }
  const named = flags.key !== undefined || flags.secretFile !== undefined || Boolean(flags.secretStdin);
  const noKeys = profile?.profile.provider ? lookup(PROVIDERS, profile.profile.provider)?.noPublishedKeys : undefined;
  if (noKeys && !named && !deps.io.env[SECRET_SOURCES.hmac_secret.env])
    throw new AuthError('credential_missing', `profile "${profile!.name}" has no key to verify its tokens with`, noKeys.replace('NAME', profile!.name));
  const key = await resolveKey(flags, deps, { access: profile ? storeAccess(profile.name, deps, globals) : undefined });
  if (key.kind === 'private') {
    // Verification needs only the public half; never use a private key where a public one does.
    const { publicKeyOf } = await import('../core/keys/export.js');
    return { kind: 'key', key: { ...key, kind: 'public', key: publicKeyOf(key) } };
  }
  return { kind: 'key', key };
}

/**
 * --roots: each token's `x5c` chain checked up to the roots given (core/keys/x5c.ts), then its
 * signature with the chain's leaf key. A token without x5c, or whose chain does not hold, fails
 * with the reason; nothing is fetched (x5u, jku).
 */
async function chainKeys(rootsFile: string, deps: Deps, policy: CheckPolicy): Promise<KeySource> {
  const roots = await readCertificates(rootsFile, 'roots file');
  const { checkChain } = await import('../core/keys/x5c.js');
  const { describeKeyObject } = await import('../core/keys/load.js');
  const asymmetric = SIGNING_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));
  return {
    algorithms: policy.algorithms ?? [...asymmetric],
    async check(token) {
      const verdict = checkChain(token.header, roots, deps.now());
      if ('finding' in verdict) return verdict.finding;
      const verifier: Verifier = { kind: 'key', key: { kind: 'public', key: verdict.leaf, ...describeKeyObject(verdict.leaf), source: 'x509' } };
      return signatureChecker(verifier, allowedAlgorithms(verifier, policy.algorithms), policy)(token);
    },
  };
}
