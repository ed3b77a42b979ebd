import { isJsonObject, parseJson } from '../../json.js';
import { jsonParams, NO_STORE, OAuthFailure, sameSecret, type ServerContext, type ServerReply, type ServerRequest } from '../protocol.js';
import type { IssuedToken, TokenStore } from '../token-store.js';

/** Registered claims stay the gateway's; the caller's claimsSet only adds to them. */
const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope']);

/** webMethods' `POST /gateway/security/getJsonWebToken`: the application's API key in a header, optional claims in `claimsSet`. */
export async function webmethodsToken(ctx: ServerContext, store: TokenStore, request: ServerRequest): Promise<ServerReply> {
  const apiKey = request.headers['x-gateway-apikey'];
  const client = apiKey ? ctx.settings.clients.find((c) => c.api_key !== undefined && sameSecret(apiKey, c.api_key)) : undefined;
  if (!client) return { status: 401, headers: {} }; // the gateway answers a bad key with an empty 401
  const params = request.body ? jsonParams(request.body) : {};
  let claimsSet: unknown = {};
  if (params.claimsSet !== undefined) {
    try {
      claimsSet = parseJson(params.claimsSet);
    } catch {
      claimsSet = {};
    }
    if (!isJsonObject(claimsSet)) throw new OAuthFailure('invalid_request', 'claimsSet must be a JSON object');
  }
  const iat = ctx.now();
  const record: IssuedToken = {
    clientId: client.client_id,
    sub: client.client_id,
    scope: client.scopes.join(' '),
    aud: ctx.settings.audiences[0]!,
    iat,
    exp: iat + ctx.settings.access_token_lifetime,
    claims: client.claims,
  };
  const extra = Object.fromEntries(Object.entries(claimsSet as Record<string, unknown>).filter(([k]) => !REGISTERED.has(k)));
  return { status: 200, headers: NO_STORE, body: { jwt: await store.sign(record, extra, { aud: [client.client_id, record.aud] }) } };
}
