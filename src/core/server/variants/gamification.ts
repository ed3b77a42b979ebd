import { createSecretKey } from 'node:crypto';
import { BUILTIN_POLICIES } from '../../claims/policy.js';
import { describeKeyObject } from '../../keys/load.js';
import { parseToken } from '../../jwt/parse.js';
import { credentialsOf, type ServerContext, type ServerReply, type ServerRequest } from '../protocol.js';
import { checkJwt } from '../../jwt/judge.js';
import type { TokenStore } from '../token-store.js';

/**
 * The gamification API's `GET /v1/auth/verify` with the token as Bearer: an HS256 token is
 * checked with the shared API secret, any other with this server's keys; then the claims, by
 * the shared module with the document's required claims (the gamification policy's).
 */
export async function gamificationVerify(ctx: ServerContext, store: TokenStore, request: ServerRequest): Promise<ServerReply> {
  const token = credentialsOf(request, 'Bearer');
  const refuse = (error: string, message: string): ServerReply => ({
    status: 401,
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    body: { error, message },
  });
  if (!token) return refuse('invalid_token', 'a Bearer token is required');
  let parsed;
  try {
    parsed = parseToken(token);
  } catch {
    return refuse('invalid_token', 'the token is not a JWT');
  }
  const secret = ctx.settings.hmac_secret;
  const key = parsed.kind === 'jws' && parsed.header.alg === 'HS256' && secret ? createSecretKey(Buffer.from(secret, 'utf8')) : undefined;
  const checked = await checkJwt(
    token,
    key ? { kind: 'key', key: { kind: 'secret', key, ...describeKeyObject(key), source: 'secret' } } : { kind: 'jwks', jwks: store.jwks },
    key ? ['HS256'] : store.algorithms,
    { requiredClaims: BUILTIN_POLICIES.gamification!.requiredClaims },
    ctx.now(),
  );
  if (!('payload' in checked)) return refuse(checked.code, checked.code === 'invalid_signature' ? 'the signature does not verify' : checked.error);
  const { payload } = checked;
  if (store.isRevoked(payload.jti)) return refuse('invalid_token', 'the token was revoked');
  return {
    status: 200,
    headers: {},
    body: { valid: true, sub: payload.sub, tenant: payload.iss, application: payload.aud, ...(payload.scope !== undefined ? { scope: payload.scope } : {}) },
  };
}
