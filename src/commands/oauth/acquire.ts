import type { Deps, GlobalOptions } from '../../deps.js';
import { AuthError } from '../../errors.js';
import { buildTokenRequest, parseTokenResponse, reusableUntil, type GrantParameters, type TokenSet } from '../../core/oauth/token.js';
import { cacheAccount, readCache, withLock, writeCache, type CachedToken } from '../../io/token-cache.js';
import { cacheDir } from '../../io/jwks.js';
import type { KeyStore } from '../../io/keychain.js';
import { accountName, decodeCredential } from '../../core/credentials.js';
import type { Session } from './session.js';
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
  /** Use the refresh token now, even if the cached access token is still good. */
  refresh?: boolean;
  /** For the jwt_bearer grant: an assertion from elsewhere (an IdP); else one is signed with the profile's key. */
  assertion?: string;
}

export interface Acquired {
  token: TokenSet;
  obtainedAt: number;
  expiresAt?: number;
  source: 'cache' | 'refresh' | 'network';
}

/**
 * Gets an access token for the session's profile: from the cache while it is good, else
 * with the cached refresh token, else by authenticating. Concurrent processes for the same
 * cache key take a lock, so they make one request between them.
 */
export async function acquireToken(session: Session, options: AcquireOptions, deps: Deps, globals: GlobalOptions): Promise<Acquired> {
  const profile = session.profile;
  const grant = options.grant ?? profile.grant ?? 'client_credentials';
  const keyParts = {
    token_url: profile.token_url,
    client_id: profile.client_id,
    grant,
    scope: options.scope ?? profile.scope,
    audience: options.audience ?? profile.audience,
    resource: options.resource ?? profile.resource,
    username: grant === 'password' ? profile.username : undefined,
  };
  const account = cacheAccount(session.name, keyParts);
  const store = options.noCache ? undefined : await session.store();
  if (!options.noCache && !store && globals.verbose) deps.io.stderr.write('  token cache off: no credential store is reachable\n');

  const fetch = async (cache: KeyStore | undefined, cached: CachedToken | undefined): Promise<Acquired> => {
    const now = deps.now();
    if (cached && !options.force && !options.refresh && cached.reuseUntil !== undefined && cached.reuseUntil > now) {
      return { token: cached.token, obtainedAt: cached.obtainedAt, expiresAt: cached.expiresAt, source: 'cache' };
    }
    let token: TokenSet | undefined;
    let source: Acquired['source'] = 'network';
    if (cached?.token.refresh_token && !options.force) {
      try {
        token = await request({ grant: 'refresh_token', refreshToken: cached.token.refresh_token, scope: keyParts.scope });
        token.refresh_token ??= cached.token.refresh_token;
        source = 'refresh';
      } catch (error) {
        // An expired or revoked refresh token: authenticate again from scratch.
        if (!(error instanceof AuthError && error.code === 'invalid_grant')) throw error;
      }
    }
    // `token refresh` with nothing cached: use a refresh token stored as a credential.
    const effectiveGrant = options.refresh && !cached?.token.refresh_token ? 'refresh_token' : grant;
    token ??= await request({
      grant: effectiveGrant,
      scope: options.scope,
      audience: options.audience,
      resource: options.resource,
      ...(effectiveGrant === 'password' ? { password: await session.password() } : {}),
      ...(effectiveGrant === 'refresh_token' ? { refreshToken: await refreshTokenFromStore() } : {}),
      ...(effectiveGrant === 'jwt_bearer' ? { assertion: options.assertion ?? (await session.grantAssertion()) } : {}),
    });
    const obtainedAt = deps.now();
    const expiresAt = token.expires_in !== undefined ? obtainedAt + token.expires_in : undefined;
    const entry: CachedToken = { token, obtainedAt, expiresAt, reuseUntil: reusableUntil(obtainedAt, token.expires_in), key: keyParts };
    if (cache && (entry.reuseUntil !== undefined || token.refresh_token)) {
      try {
        await writeCache(cache, account, entry);
      } catch (error) {
        if (!cacheUnavailable(error)) throw error;
      }
    }
    return { token, obtainedAt, expiresAt, source };
  };

  async function request(params: GrantParameters): Promise<TokenSet> {
    const credentials = await session.clientCredentials();
    const response = await session.send(buildTokenRequest(profile, params, credentials));
    return parseTokenResponse(response);
  }

  async function refreshTokenFromStore(): Promise<string> {
    const raw = store ? await store.get(accountName(session.name, 'refresh_token')) : undefined;
    if (raw === undefined) throw new AuthError('credential_missing', `no refresh token for profile "${session.name}"`, `store one: authctl credentials set refresh_token --profile ${session.name}`);
    return decodeCredential(raw, 'refresh_token').secret;
  }

  if (!store) return fetch(undefined, undefined);
  return withLock(join(cacheDir(deps.io.env), 'locks'), account, async () => {
    let cached: CachedToken | undefined;
    try {
      cached = await readCache(store, account);
    } catch (error) {
      if (!cacheUnavailable(error)) throw error;
      return fetch(undefined, undefined);
    }
    return fetch(store, cached);
  });

  /** The cache is an optimisation: a keychain that cannot be reached only turns it off. */
  function cacheUnavailable(error: unknown): boolean {
    if (!(error instanceof AuthError && error.code === 'keychain_unavailable')) return false;
    if (globals.verbose) deps.io.stderr.write(`  token cache off: ${error.message}\n`);
    return true;
  }
}
