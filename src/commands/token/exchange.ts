import type { Deps, GlobalOptions } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { normalizeTokenInput } from '../../core/jwt/parse.js';
import { buildTokenRequest, parseTokenResponse } from '../../core/oauth/token.js';
import { readOneToken } from '../../io/token-input.js';
import type { CommandResult } from '../../io/output.js';
import { type EndpointFlags, withSession } from '../../services/session.js';

export interface ExchangeOptions extends EndpointFlags {
  subjectToken?: string;
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  requestedTokenType?: string;
  audience?: string;
  resource?: string[];
  scope?: string;
  output: 'token' | 'json';
}

/** RFC 8693 §3's token types by their short names (access_token → urn:ietf:params:oauth:token-type:access_token); a URI as it is. */
function tokenTypeUri(name: string): string {
  return /^[a-z0-9_]+$/.test(name) ? `urn:ietf:params:oauth:token-type:${name}` : name;
}

/**
 * `token exchange` (RFC 8693): the subject token (and an actor's, for delegation) traded at the
 * profile's token endpoint with its client authentication, for a token for another audience,
 * resource or scope. Printed like `token get`; never cached.
 */
export async function runTokenExchange(options: ExchangeOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  if (options.subjectToken === '-' && options.actorToken === '-') throw new UsageError('conflicting_options', 'only one of the tokens can come from stdin');
  if (options.actorToken !== undefined && !options.actorTokenType)
    throw new UsageError('missing_argument', '--actor-token needs --actor-token-type (RFC 8693 §2.1)');
  const subjectToken = normalizeTokenInput(await readOneToken(options.subjectToken, deps.io));
  if (!subjectToken) throw new UsageError('missing_token', 'no subject token');
  const actorToken = options.actorToken === undefined ? undefined : normalizeTokenInput(await readOneToken(options.actorToken, deps.io));
  if (globals.json && options.output !== 'json' && options.output !== 'token')
    throw new UsageError('conflicting_options', `--json and --output ${options.output} ask for two different outputs`);
  return withSession(options, deps, globals, async (session) => {
    const credentials = await session.clientCredentials();
    const request = buildTokenRequest(
      session.profile,
      {
        grant: 'token_exchange',
        exchange: {
          subjectToken,
          subjectTokenType: tokenTypeUri(options.subjectTokenType),
          ...(actorToken !== undefined ? { actorToken, actorTokenType: tokenTypeUri(options.actorTokenType!) } : {}),
          ...(options.requestedTokenType ? { requestedTokenType: tokenTypeUri(options.requestedTokenType) } : {}),
        },
        audience: options.audience,
        resource: options.resource,
        scope: options.scope,
      },
      credentials,
    );
    const token = parseTokenResponse(await session.sendWithProof(request), session.profile.client_auth, {
      secretOrigin: credentials.secretOrigin,
      grant: 'token_exchange',
    });
    // A refresh token (RFC 8693 §2.2.1 allows one) is a long-lived secret: not printed.
    const { refresh_token: _kept, ...issued } = token;
    const json = { ...issued, token_type: token.token_type ?? 'N_A' };
    return { json, revealsSecret: true, text: () => (options.output === 'json' ? JSON.stringify(json, null, 2) : token.access_token) };
  });
}
