import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError } from '../errors.js';
import { buildTokenRequest, isDpopBound, parseTokenResponse, reusableUntil, type GrantParameters, type TokenSet } from '../core/oauth/token.js';
import { accountName, decodeCredential } from '../core/credentials.js';
import { accountProfile, cacheAccount, cacheEndpoint, type CachedToken, type TokenCache } from '../io/token-cache.js';
import { withLock } from '../io/lock.js';
import { said } from '../core/untrusted-text.js';
import { cacheDir } from '../io/paths.js';
import { ownCacheDir } from '../io/own-files.js';
import { diagnostic } from '../io/output.js';
import type { EndpointFlags, Session } from './session.js';
import type { Profile } from '../core/config.js';
import { selectProfile } from '../io/config-store.js';
import { findSecret, keepSecret } from './secrets.js';
import { join } from 'node:path';

export interface AcquireOptions {
  grant?: GrantParameters['grant'];
  scope?: string;
  audience?: string;
  resource?: string[];
  /** Skip the cache entirely. */
  noCache?: boolean;
  /** Ignore a cached token (but store the new one). */
  force?: boolean;
  /** Use the refresh token now, even if the cached access token is still good; a refusal is final. */
  refresh?: boolean;
  /** For the jwt_bearer grant: an assertion from elsewhere (an IdP); else one is signed with the profile's key. */
  assertion?: string;
  /** authorization_code: print the sign-in URL instead of opening a browser. */
  noBrowser?: boolean;
  /** authorization_code: push the authorization request first (RFC 9126). */
  par?: boolean;
  /** How long a sign-in may take, in seconds (default 5 minutes). */
  signInWait?: number;
}

export interface Acquired {
  /** The access token set; `refresh_token` only when it came back from the server just now. */
  token: TokenSet;
  obtainedAt: number;
  expiresAt?: number;
  source: 'cache' | 'refresh' | 'network';
  /** Whether a refresh token is kept for the profile in the credential store. */
  refreshTokenStored: boolean;
}

/** How long a person may take to sign in, unless --sign-in-timeout says otherwise. */
const DEFAULT_SIGN_IN_SECONDS = 300;

function isKeychainUnavailable(error: unknown): error is AuthError {
  return error instanceof AuthError && error.code === 'keychain_unavailable';
}

/** The token cache for the session, or undefined when it is off or cannot be reached (never fatal). */
async function openCache(session: Session, options: AcquireOptions, deps: Deps, globals: GlobalOptions): Promise<TokenCache | undefined> {
  if (options.noCache) return undefined;
  try {
    const cache = await deps.tokenCache(globals, session.storeChoice);
    if (!cache && globals.verbose) deps.io.stderr.write('  token cache off (token_cache = "off")\n');
    return cache;
  } catch (error) {
    if (!isKeychainUnavailable(error)) throw error;
    if (globals.verbose) diagnostic(deps.io, `  token cache off: ${error.message}`);
    return undefined;
  }
}

/** What keys a profile's cached token (`endpoint` from cacheEndpoint). */
function tokenCacheKey(name: string, profile: Profile, endpoint: string | undefined, options: AcquireOptions) {
  const grant = options.grant ?? profile.grant ?? 'client_credentials';
  const keyParts = {
    token_url: endpoint,
    client_id: profile.client_id,
    grant,
    scope: options.scope ?? profile.scope,
    audience: options.audience ?? profile.audience,
    resource: options.resource ?? profile.resource,
    username: grant === 'password' ? profile.username : undefined,
    // A DPoP profile's tokens and a Bearer one's are different tokens.
    dpop: profile.dpop ? true : undefined,
  };
  return { grant, keyParts, account: cacheAccount(name, keyParts) };
}

/**
 * A cached token still good to hand out (and not refused by --force or token refresh). A
 * DPoP-bound one only to a run that holds its key (`jkt`, the key's thumbprint).
 */
function reusable(cached: CachedToken | undefined, options: AcquireOptions, now: number, jkt?: string): Acquired | undefined {
  if (!cached || options.force || options.refresh || cached.reuseUntil === undefined || cached.reuseUntil <= now) return undefined;
  if (cached.dpopJkt !== undefined && cached.dpopJkt !== jkt) return undefined;
  return {
    token: cached.token,
    obtainedAt: cached.obtainedAt,
    expiresAt: cached.expiresAt,
    source: 'cache',
    refreshTokenStored: Boolean(cached.hasRefreshToken),
  };
}

/**
 * The fast path of `token get`: a good cached token for the selected profile, found from the
 * config alone (no session: no HTTP client, no discovery, no credential lookup). Undefined when
 * there is none; the caller then opens a session and goes through acquireToken.
 */
export async function cachedToken(
  flags: EndpointFlags,
  options: AcquireOptions,
  deps: Deps,
  globals: GlobalOptions,
): Promise<{ name: string; profile: Profile; acquired: Acquired } | undefined> {
  if (options.noCache || options.force || options.refresh) return undefined;
  const selected = selectProfile(await deps.config(globals), globals.profile, true);
  if (!selected) return undefined;
  const issuer = flags.issuer ?? selected.profile.issuer;
  const profile = { ...selected.profile, ...(flags.dpop ? { dpop: true } : {}) };
  const { account } = tokenCacheKey(selected.name, profile, cacheEndpoint(selected.profile, issuer), options);
  const cache = await deps.tokenCache(globals, flags.store).catch(() => undefined);
  // A DPoP-bound token is handed out only with its key, which this path does not load.
  const acquired = reusable(await cache?.read(account).catch(() => undefined), options, deps.now());
  return acquired && { name: selected.name, profile: { ...profile, ...(issuer ? { issuer } : {}) }, acquired };
}

/**
 * Gets an access token for the session's profile: from the cache while it is good, else with
 * the profile's refresh token, else by authenticating. Access tokens are cached (files by
 * default, so CI runners and containers cache too); refresh tokens are long-lived secrets and
 * live in the credential store (`<profile>/refresh_token`), never in the cache. Concurrent
 * processes for one cache key take a lock, so they make one request between them.
 */
/** The grants whose answers may carry a refresh token. */
const PERSON_GRANTS: ReadonlySet<string> = new Set(['password', 'authorization_code', 'device_code', 'refresh_token']);

export async function acquireToken(session: Session, options: AcquireOptions, deps: Deps, globals: GlobalOptions): Promise<Acquired> {
  const profile = session.profile;
  const { grant, keyParts, account } = tokenCacheKey(session.name, profile, session.cacheEndpoint, options);
  const refreshAccount = accountName(session.name, 'refresh_token');
  const cache = await openCache(session, options, deps, globals);
  // `token refresh`, or a profile whose grant is the stored refresh token: a refusal is final.
  const refreshOnly = options.refresh || grant === 'refresh_token';

  async function request(params: GrantParameters): Promise<TokenSet> {
    const credentials = await session.clientCredentials();
    return parseTokenResponse(await session.sendWithProof(buildTokenRequest(profile, params, credentials)), profile.client_auth, {
      secretOrigin: credentials.secretOrigin,
      grant: params.grant,
    });
  }

  /** The profile's refresh token through the one resolver (AUTHCTL_REFRESH_TOKEN, then the store); an unreachable store is none. */
  async function storedRefreshToken(): Promise<string | undefined> {
    return findSecret('refresh_token', {}, deps, session.access).catch((error: unknown) => (isKeychainUnavailable(error) ? undefined : Promise.reject(error)));
  }

  /** Keeps a new refresh token where the credential rules put secrets; returns whether it landed. */
  async function keepRefreshToken(value: string): Promise<boolean> {
    const failure = await keepSecret('refresh_token', value, deps, session.access);
    if (failure && globals.verbose) diagnostic(deps.io, `  the refresh token is not kept: ${failure.message}`);
    return failure === undefined;
  }

  /** A person signs in: in a browser (authorization code + PKCE) or on another device (RFC 8628). */
  async function signIn(): Promise<TokenSet> {
    const { browserSignIn, checkIdToken, deviceSignIn } = await import('./signin.js');
    const waitSeconds = options.signInWait ?? DEFAULT_SIGN_IN_SECONDS;
    // Both flows believe an ID token only once its signature and claims are checked.
    if (grant === 'device_code') {
      const token = await deviceSignIn(session, deps, options.scope, waitSeconds);
      if (token.id_token) await checkIdToken(session, deps, globals, token.id_token, undefined);
      return token;
    }
    const { params, nonce } = await browserSignIn(session, deps, { scope: options.scope, noBrowser: options.noBrowser, par: options.par, waitSeconds });
    const token = await request({ ...params, resource: options.resource });
    if (token.id_token) await checkIdToken(session, deps, globals, token.id_token, nonce);
    return token;
  }

  async function obtain(cached: CachedToken | undefined): Promise<Acquired> {
    const dpop = await session.dpop();
    const hit = reusable(cached, options, deps.now(), dpop?.jkt);
    if (hit) return hit;
    let token: TokenSet | undefined;
    let source: Acquired['source'] = 'network';
    let usedRefreshToken: string | undefined;
    // A person's grant tries the stored refresh token before asking the person again.
    const personGrant = grant === 'authorization_code' || grant === 'device_code';
    if (refreshOnly || (!options.force && (cached?.hasRefreshToken || personGrant))) {
      usedRefreshToken = await storedRefreshToken();
      if (usedRefreshToken === undefined && refreshOnly) {
        // RFC 6749 §4.4.3: a client_credentials answer has no refresh token; nor has an API key's.
        if (!PERSON_GRANTS.has(grant))
          throw new AuthError(
            'credential_missing',
            `profile "${session.name}" uses the ${grant} grant, which gives no refresh tokens`,
            `a new token is one call away: authctl token get --profile ${session.name}`,
          );
        throw new AuthError(
          'credential_missing',
          `no refresh token for profile "${session.name}"`,
          `get one with: authctl token get --profile ${session.name}, or store one: authctl credentials set refresh_token --profile ${session.name}`,
        );
      }
      if (usedRefreshToken !== undefined) {
        try {
          token = await request({ grant: 'refresh_token', refreshToken: usedRefreshToken, scope: keyParts.scope });
          source = 'refresh';
        } catch (error) {
          if (!(error instanceof AuthError && error.code === 'invalid_grant')) throw error;
          // A refused refresh token is dead: forget it either way.
          await (await session.store())?.delete(refreshAccount).catch(() => false);
          if (refreshOnly)
            throw new AuthError(
              'invalid_grant',
              error.message,
              `the refresh token was refused; sign in again with: authctl token get --profile ${session.name} --force`,
            );
          // Only `token get` may sign in again, and it says so.
          deps.io.stderr.write(`authctl: the stored refresh token was refused (invalid_grant); signing in again with the ${grant} grant\n`);
          usedRefreshToken = undefined;
        }
      }
    }
    token ??= personGrant
      ? await signIn()
      : await request({
          grant,
          scope: options.scope,
          audience: options.audience,
          resource: options.resource,
          ...(grant === 'password' ? { password: await session.password() } : {}),
          ...(grant === 'jwt_bearer' ? { assertion: options.assertion ?? (await session.grantAssertion()) } : {}),
        });
    const refreshTokenStored =
      token.refresh_token === undefined
        ? usedRefreshToken !== undefined
        : token.refresh_token === usedRefreshToken || (await keepRefreshToken(token.refresh_token));
    const obtainedAt = deps.now();
    const expiresAt = token.expires_in !== undefined ? obtainedAt + token.expires_in : undefined;
    const { refresh_token: _secret, ...accessOnly } = token;
    // RFC 9449 §5: token_type DPoP says the server bound the token to the key that signed the proof.
    const bound = dpop && isDpopBound(token) ? dpop : undefined;
    // §7.1: a server that does not do DPoP ignores the proof and issues a Bearer token; say so once.
    if (dpop && !bound)
      diagnostic(
        deps.io,
        `authctl: warning: profile ${session.name} uses DPoP, but the server issued a ${said(token.token_type ?? 'Bearer')} token: it is not bound to the key`,
      );
    const entry: CachedToken = {
      token: accessOnly,
      obtainedAt,
      expiresAt,
      reuseUntil: reusableUntil(obtainedAt, token.expires_in),
      hasRefreshToken: refreshTokenStored,
      key: keyParts,
      ...(bound ? { dpopJkt: bound.jkt } : {}),
    };
    // A token bound to a key that is not kept would be of no use to the next run.
    if (cache && (entry.reuseUntil !== undefined || refreshTokenStored) && (!bound || bound.kept)) {
      await cache.write(account, entry).catch((error: unknown) => {
        if (!isKeychainUnavailable(error)) throw error;
        if (globals.verbose) diagnostic(deps.io, `  token cache off: ${error.message}`);
      });
    }
    return { token, obtainedAt, expiresAt, source, refreshTokenStored };
  }

  if (!cache) return obtain(undefined);
  const top = cacheDir(deps.io.env);
  const locks = join(top, 'locks');
  const distrusted = ownCacheDir(top, locks);
  if (distrusted && globals.verbose) diagnostic(deps.io, `  no cross-process lock: ${distrusted}`);
  const locked = distrusted ? <T>(run: () => Promise<T>) => run() : <T>(run: () => Promise<T>) => withLock(locks, account, run);
  return locked(async () => {
    const cached = await cache.read(account).catch((error: unknown) => (isKeychainUnavailable(error) ? undefined : Promise.reject(error)));
    return obtain(cached);
  });
}

/**
 * After a revocation: the revoked token leaves the cache (so the next `token get` does not
 * hand it back), and a revoked refresh token leaves the credential store. Returns how many
 * places forgot it.
 */
export async function forgetToken(session: Session, token: string, deps: Deps, globals: GlobalOptions): Promise<number> {
  let forgotten = 0;
  const cache = await openCache(session, {}, deps, globals);
  for (const { account, entry } of cache ? await cache.list().catch(() => []) : []) {
    if (accountProfile(account) === session.name && entry.token.access_token === token && (await cache!.delete(account))) forgotten++;
  }
  const store = await session.store();
  const account = accountName(session.name, 'refresh_token');
  const raw = store ? await store.get(account).catch(() => undefined) : undefined;
  if (raw !== undefined && decodeCredential(raw, 'refresh_token').secret === token && (await store!.delete(account))) forgotten++;
  return forgotten;
}
