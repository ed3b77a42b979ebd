import type { Deps, GlobalOptions } from '../../deps.js';
import { isDpopBound } from '../../core/oauth/token.js';
import { isHttpUrl } from '../../core/origin.js';
import { UsageError } from '../../errors.js';
import { formatRelative } from '../../core/duration.js';
import { maskToken } from '../../core/redact.js';
import { normalizeTokenInput } from '../../core/jwt/parse.js';
import { judgeToken, parseForJudging } from '../../core/jwt/judge.js';
import { profilePolicy } from '../../core/claims/policy.js';
import { buildRevocationRequest, parseRevocationResponse } from '../../core/oauth/endpoints.js';
import { readOneToken } from '../../io/token-input.js';
import { readTextFile } from '../../io/files.js';
import { accountProfile } from '../../io/token-cache.js';
import { diagnostic, PLAIN, renderFindings, renderTable, type CommandResult } from '../../io/output.js';
import { type Acquired, acquireToken, cachedToken, forgetToken, type AcquireOptions } from '../../services/tokens.js';
import type { Profile } from '../../core/config.js';
import { type EndpointFlags, type Session, withSession } from '../../services/session.js';
import { findSecret } from '../../services/secrets.js';

export type OutputMode = 'token' | 'json' | 'header' | 'env' | 'exec-credential';

/** `token get` (and `token refresh`): the bare token by default, so $(authctl token get) works. */
export async function runTokenGet(
  options: EndpointFlags & AcquireOptions & { output: OutputMode; assertionFile?: string; showRefreshToken?: boolean; htu?: string; htm?: string },
  deps: Deps,
  globals: GlobalOptions,
): Promise<CommandResult> {
  // Two ways of printing asked for at once is refused, as everywhere (scan --json --format sarif).
  if (globals.json && options.output !== 'token' && options.output !== 'json')
    throw new UsageError('conflicting_options', `--json and --output ${options.output} ask for two different outputs`, 'drop one of them');
  const file = options.assertionFile;
  const assertion =
    file === undefined ? undefined : normalizeTokenInput(file === '-' ? await readOneToken('-', deps.io) : await readTextFile(file, 'assertion file'));
  // A good cached token needs neither a session (HTTP client, discovery) nor a credential.
  const cached = options.showRefreshToken ? undefined : await cachedToken(options, options, deps, globals);
  if (cached) return present(cached.name, cached.profile, cached.acquired);
  return withSession(options, deps, globals, async (session) =>
    present(session.name, session.profile, await acquireToken(session, { ...options, ...(assertion ? { assertion } : {}) }, deps, globals), session),
  );

  async function present(name: string, profile: Profile, acquired: Acquired, session?: Session): Promise<CommandResult> {
    const { token } = acquired;
    // The judge looks at the claims of what came back when it is a JWT (a client has no keys for an
    // access token, so no signature); an opaque token is fine. Findings go to stderr only.
    const parsed = parseForJudging(token.access_token);
    const findings = 'token' in parsed ? (await judgeToken(parsed.token, undefined, profilePolicy(name, profile), { now: deps.now() })).findings : [];
    if (findings.length && !globals.json)
      diagnostic(deps.io, `authctl: the token from ${name} does not pass its profile policy:\n${renderFindings(findings, PLAIN)}`);
    // A refresh token is a long-lived secret: printed only when asked for (it is kept in the store).
    const { refresh_token: refreshToken, ...access } = token;
    const shown =
      options.showRefreshToken && session ? (refreshToken ?? (acquired.refreshTokenStored ? await storedRefreshToken(session, deps) : undefined)) : undefined;
    const json = {
      ...access,
      ...(shown !== undefined ? { refresh_token: shown } : {}),
      refresh_token_stored: acquired.refreshTokenStored,
      token_type: token.token_type ?? 'Bearer',
      obtained_at: acquired.obtainedAt,
      ...(acquired.expiresAt !== undefined ? { expires_at: acquired.expiresAt } : {}),
      source: acquired.source,
      findings,
    };
    // Printing the token is this command's job: its output is not redacted.
    if (globals.json || options.output === 'json') return { json, revealsSecret: true, text: () => JSON.stringify(json, null, 2) };
    const value = token.access_token;
    if (options.output === 'exec-credential') {
      const credential = execCredential(value, acquired.expiresAt);
      return { json: credential, revealsSecret: true, text: () => JSON.stringify(credential, null, 2) };
    }
    const text =
      options.output === 'header'
        ? await headerLines(value, isDpopBound(token) ? session : undefined)
        : options.output === 'env'
          ? // single-quoted for `eval "$(authctl token get --output env)"`: the server chose the token's characters
            `export AUTHCTL_ACCESS_TOKEN='${value.replace(/'/g, `'\\''`)}'${acquired.expiresAt !== undefined ? `\nexport AUTHCTL_ACCESS_TOKEN_EXPIRES_AT=${acquired.expiresAt}` : ''}`
          : value;
    return { json, revealsSecret: true, text: () => text };
  }

  /** `--output header`: the Authorization header; for a DPoP-bound token, with the proof for the one request --htu names. */
  async function headerLines(value: string, dpopSession: Session | undefined): Promise<string> {
    if (!dpopSession) return `Authorization: Bearer ${value}`;
    const client = await dpopSession.dpop();
    if (!client) return `Authorization: DPoP ${value}`;
    if (options.htu === undefined)
      throw new UsageError(
        'missing_argument',
        'a DPoP-bound token goes with a proof made for one request',
        'give --htu URL (and --htm METHOD) to print both headers, or use authctl api',
      );
    if (!isHttpUrl(options.htu)) throw new UsageError('invalid_argument', `--htu ${options.htu}: an http(s) URL`);
    return `Authorization: DPoP ${value}\nDPoP: ${await client.proof(options.htm ?? 'GET', options.htu, value)}`;
  }
}

/**
 * kubectl's exec credential plugin answer (client.authentication.k8s.io/v1 ExecCredential): the
 * token, and when it expires (RFC 3339, whole seconds) so kubectl asks again in time.
 */
function execCredential(token: string, expiresAt: number | undefined) {
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: { interactive: false },
    status: {
      token,
      ...(expiresAt !== undefined ? { expirationTimestamp: new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    },
  };
}

export async function runTokenRevoke(options: EndpointFlags & { token?: string; hint?: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const token = normalizeTokenInput(await readOneToken(options.token, deps.io));
  if (!token) throw new UsageError('missing_token', 'no token to revoke');
  return withSession(options, deps, globals, async (session) => {
    const request = buildRevocationRequest(session.profile, token, { hint: options.hint, credentials: await session.clientCredentials() });
    parseRevocationResponse(await session.send(request), session.profile.client_auth);
    const forgotten = await forgetToken(session, token, deps, globals);
    return {
      json: { revoked: true, token: maskToken(token), forgotten },
      text: (style) =>
        `${style.green('✔')} revoked ${maskToken(token)}${forgotten ? style.dim(` (and removed from the token cache and credential store)`) : ''}`,
    };
  });
}

function storedRefreshToken(session: Session, deps: Deps): Promise<string | undefined> {
  return findSecret('refresh_token', {}, deps, session.access);
}

export async function runCacheList(options: { store?: 'keychain' | 'file' }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const cache = await deps.tokenCache(globals, options.store);
  const now = deps.now();
  const entries = (cache ? await cache.list() : [])
    .map(({ account, entry }) => ({
      profile: accountProfile(account),
      token: maskToken(entry.token.access_token),
      grant: entry.key.grant,
      scope: entry.key.scope ?? null,
      obtained_at: entry.obtainedAt,
      expires_at: entry.expiresAt ?? null,
      has_refresh_token: Boolean(entry.hasRefreshToken),
      fresh: (entry.reuseUntil ?? 0) > now,
    }))
    .filter((e) => !globals.profile || e.profile === globals.profile)
    .sort((a, b) => a.profile.localeCompare(b.profile) || a.obtained_at - b.obtained_at);
  return {
    json: { cache: cache?.description ?? 'off', entries },
    text: (style) =>
      !cache
        ? style.dim('the token cache is off (token_cache = "off" in the config)')
        : entries.length
          ? renderTable(
              entries.map(
                (e) =>
                  [
                    e.profile,
                    `${e.token}  ${String(e.grant)}  ${e.expires_at ? `expires ${formatRelative(e.expires_at, now)}` : 'no expiry'}${e.has_refresh_token ? '  +refresh' : ''}${e.fresh ? '' : style.yellow('  stale')}`,
                  ] as const,
              ),
              style,
              '',
            )
          : style.dim(`no cached tokens in ${cache.description}`),
  };
}

export async function runCacheClear(options: { store?: 'keychain' | 'file' }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const cache = await deps.tokenCache(globals, options.store);
  let cleared = 0;
  for (const { account } of cache ? await cache.list() : []) {
    if (globals.profile && accountProfile(account) !== globals.profile) continue;
    if (await cache!.delete(account)) cleared++;
  }
  return { json: { cleared }, text: (style) => `${style.green('✔')} cleared ${cleared} cached token${cleared === 1 ? '' : 's'}` };
}
