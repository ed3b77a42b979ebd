import type { Deps, GlobalOptions } from '../deps.js';
import { isDpopBound } from '../core/oauth/token.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { FindingCode } from '../core/claims/types.js';
import { mintToken } from './mint.js';
import type { Session } from './session.js';
import type { HttpRequest, HttpResponse } from '../io/http.js';
import { acquireToken } from './tokens.js';

/**
 * A token that speaks for the profile: from its token endpoint (through the cache), or, for
 * profiles whose tokens the client signs itself (JustGold, gamification), freshly minted
 * from the profile's claims template and key.
 */
export async function profileToken(
  session: Session,
  deps: Deps,
  globals: GlobalOptions,
  options: { force?: boolean } = {},
): Promise<{ token: string; cached: boolean; dpop?: boolean }> {
  if (session.profile.token_url) {
    const acquired = await acquireToken(session, { force: options.force }, deps, globals);
    // RFC 9449: a DPoP-bound token goes out as `Authorization: DPoP`, each time with a fresh proof.
    const dpop = isDpopBound(acquired.token);
    return { token: acquired.token.access_token, cached: acquired.source === 'cache', ...(dpop ? { dpop } : {}) };
  }
  if (!session.profile.mint && !session.profile.private_key) {
    throw new UsageError(
      'missing_endpoint',
      `profile "${session.name}" has neither a token endpoint nor a claims template to mint from`,
      'pass a token, or give the profile a token_url or a [mint] template',
    );
  }
  try {
    return { token: (await mintToken({}, deps, { ...globals, profile: session.name })).token, cached: false };
  } catch (error) {
    if (error instanceof CheckFailedError) {
      throw new CheckFailedError(
        error.code as FindingCode,
        error.message,
        `put the missing claims in [profiles.${session.name}.mint] (for JustGold: iss = partner id, sub), or pass a token: authctl ping "$(authctl token mint --profile ${session.name} --iss … --sub …)"`,
      );
    }
    throw error;
  }
}

/** A token as the profile holds it: DPoP-bound or not. */
export interface HeldToken {
  token: string;
  dpop?: boolean;
}

/**
 * Sends a request that presents the profile's token (a resource, a health endpoint): as Bearer, or,
 * when the token is DPoP-bound, as `Authorization: DPoP` with a fresh proof for this request
 * (RFC 9449 §7), once more with the nonce when the resource asks for one.
 */
export async function presenting<R extends Pick<HttpResponse, 'status' | 'headers'>>(
  session: Session,
  request: HttpRequest,
  held: HeldToken,
  send: (request: HttpRequest) => Promise<R>,
  drop?: (response: R) => Promise<unknown>,
): Promise<R> {
  const headers = { ...request.headers, authorization: `${held.dpop ? 'DPoP' : 'Bearer'} ${held.token}` };
  const client = held.dpop ? await session.dpop() : undefined;
  if (!client) return send({ ...request, headers });
  return client.send({ ...request, headers }, send, { accessToken: held.token, drop });
}
