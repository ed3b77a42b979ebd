import { BUILTIN_POLICIES } from '../../claims/policy.js';
import { decodeJwtUnverified } from '../../jwt/parse.js';
import { credentialsOf, type ServerContext, type ServerReply, type ServerRequest } from '../protocol.js';
import { checkJwt } from '../../jwt/judge.js';
import { ReplayGuard } from '../replay-guard.js';

/** The JustGold document's error codes, where the shared vocabulary names them otherwise. */
const JUSTGOLD_CODES: Readonly<Record<string, string>> = { token_expired: 'expired_token' };

/**
 * JustGold's `GET /v1/ping`: the partner signs its own RS256/ES256 token; it is checked against
 * the public keys the partner uploaded (a client with `public_keys` whose id is the partner id,
 * the token's `iss`), then by the claims module with the JustGold policy, a replayed `jti`
 * refused (the module's replay check over the jti each partner has used).
 */
export class JustGoldPing {
  private readonly replays = new ReplayGuard();

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
    const checked = await checkJwt(
      token,
      { kind: 'jwks', jwks: keys },
      BUILTIN_POLICIES.justgold!.algorithms!,
      { ...BUILTIN_POLICIES.justgold, issuer: [iss] },
      now,
      this.replays.usedBy(iss, now),
    );
    if (!('payload' in checked)) return refuse(checked.code, checked.error);
    this.replays.accepted(iss, checked.payload);
    return { status: 200, headers: {}, body: { status: 'ok', partner: iss } };
  }
}
