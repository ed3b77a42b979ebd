import { BUILTIN_POLICIES } from '../../claims/policy.js';
import { decodeJwtUnverified } from '../../jwt/parse.js';
import { credentialsOf, type ServerContext, type ServerReply, type ServerRequest } from '../protocol.js';
import { checkJwt } from '../token-store.js';

/** The JustGold document's error codes, where the shared vocabulary names them otherwise. */
const JUSTGOLD_CODES: Readonly<Record<string, string>> = { token_expired: 'expired_token' };

/**
 * JustGold's `GET /v1/ping`: the partner signs its own RS256/ES256 token; it is checked against
 * the public keys the partner uploaded (a client with `public_keys` whose id is the partner id,
 * the token's `iss`), then by the claims module with the JustGold policy, a replayed `jti`
 * refused (the module's replay check over the jti each partner has used).
 */
export class JustGoldPing {
  /** Per partner: jti → the exp of the token that used it. */
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(private readonly ctx: ServerContext) {}

  async handle(request: ServerRequest): Promise<ServerReply> {
    const refuse = (code: string, message: string): ServerReply => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { error: JUSTGOLD_CODES[code] ?? code, message },
    });
    const token = credentialsOf(request, 'Bearer');
    if (!token) return refuse('invalid_token', 'a Bearer token is required');
    const iss = decodeJwtUnverified(token)?.iss;
    const keys = typeof iss === 'string' ? await this.ctx.clientKeys(iss) : undefined;
    if (typeof iss !== 'string' || !keys) return refuse('invalid_issuer', 'the issuer is not a partner with an uploaded public key');
    const now = this.ctx.now();
    const seen = this.seen.get(iss) ?? new Map<string, number>();
    this.seen.set(iss, seen);
    for (const [jti, exp] of seen) if (exp < now - 60) seen.delete(jti);
    const checked = await checkJwt(
      token,
      { kind: 'jwks', jwks: keys },
      BUILTIN_POLICIES.justgold!.algorithms!,
      { ...BUILTIN_POLICIES.justgold, issuer: [iss] },
      now,
      seen,
    );
    if (!('payload' in checked)) return refuse(checked.code, checked.error);
    seen.set(checked.payload.jti as string, Number(checked.payload.exp));
    return { status: 200, headers: {}, body: { status: 'ok', partner: iss } };
  }
}
