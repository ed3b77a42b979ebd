import { contentType, credentialsOf, jsonParams, OAuthFailure, type ServerReply, type ServerRequest } from '../protocol.js';
import type { ServerClient } from '../settings.js';
import type { TokenShape, TokenStore } from '../token-store.js';

/** Gooclaim's tokens as its document describes them: RS256, `aud` always gooclaim-api, the caller's `tenant_id`. */
export function gooclaimShape(client: ServerClient): TokenShape {
  return { alg: 'RS256', aud: 'gooclaim-api', claims: { tenant_id: typeof client.claims.tenant_id === 'string' ? client.claims.tenant_id : 'dev-tenant' } };
}

/** Gooclaim's `POST /v1/auth/token` takes the RFC 6749 parameters as a JSON body. */
export function gooclaimTokenParams(request: ServerRequest) {
  if (contentType(request) !== 'application/json')
    throw new OAuthFailure('invalid_request', 'this endpoint takes a JSON body (Content-Type: application/json)');
  return jsonParams(request.body);
}

/** Gooclaim's `POST /v1/auth/introspect`: the caller authenticates with its own access token; the token to check is in JSON. */
export async function gooclaimIntrospect(store: TokenStore, request: ServerRequest): Promise<ServerReply> {
  const caller = await store.introspect(credentialsOf(request, 'Bearer'));
  if (!(caller.body as { active: boolean }).active) {
    throw new OAuthFailure('invalid_token', 'a valid Bearer access token is required', 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  return store.introspect(jsonParams(request.body).token);
}
