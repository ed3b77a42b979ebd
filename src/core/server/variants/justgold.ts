import type { JSONWebKeySet, JWK } from 'jose';
import { BUILTIN_POLICIES } from '../../claims/policy.js';
import { loadKey } from '../../keys/load.js';
import { publicJwk } from '../../keys/export.js';
import { decodeJwtUnverified } from '../../jwt/parse.js';
import { credentialsOf, type ServerContext, type ServerReply, type ServerRequest } from '../protocol.js';
import { checkJwt } from '../../jwt/judge.js';
import { ReplayGuard } from '../replay-guard.js';

/** Keys kept per partner by the portal's stand-in. */
const MAX_UPLOADED_KEYS = 5;

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
  /** Keys uploaded through the portal's stand-in while the server runs, per partner. */
  private readonly uploaded = new Map<string, JWK[]>();

  constructor(private readonly ctx: ServerContext) {}

  /** A partner's keys: from the settings (public_keys files) and those uploaded since start. */
  async keysOf(partner: string): Promise<JSONWebKeySet | undefined> {
    const keys = [...((await this.ctx.clientKeys(partner))?.keys ?? []), ...(this.uploaded.get(partner) ?? [])];
    return keys.length ? { keys } : undefined;
  }

  /**
   * The partner portal's "API Settings → Security → JWT Keys" for development: `POST
   * /portal/jwt-keys?partner_id=ID` with a public key in PEM (`Content-Type:
   * application/x-pem-file`, which a web page cannot send across origins without asking first),
   * for a partner the server knows (a client that authenticates with its keys). RSA of 2048 bits
   * or more, or EC P-256, as the document asks. `GET` lists the partner's keys.
   */
  async portal(request: ServerRequest): Promise<ServerReply> {
    const fail = (status: number, message: string): ServerReply => ({ status, headers: {}, body: { error: 'invalid_request', message } });
    const partner = new URLSearchParams(request.query ?? '').get('partner_id') ?? '';
    const client = this.ctx.settings.clients.find((c) => c.client_id === partner && c.auth.includes('private_key_jwt'));
    if (!client) return fail(404, 'partner_id names no partner of this server');
    if (request.method === 'GET') return { status: 200, headers: {}, body: (await this.keysOf(partner)) ?? { keys: [] } };
    if (request.method !== 'POST') return { ...fail(405, '/portal/jwt-keys takes GET or POST'), headers: { allow: 'GET, POST' } };
    if (request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/x-pem-file')
      return fail(415, 'send the public key as Content-Type: application/x-pem-file');
    let jwk: JWK;
    try {
      const key = loadKey(request.body);
      if (key.kind === 'private') return fail(400, 'that is a private key: upload its public half (keygen writes it as NAME.pub.pem)');
      if (key.kind === 'secret') throw new Error('not a public key');
      const strong = (key.kty === 'RSA' && (key.bits ?? 0) >= 2048) || (key.kty === 'EC' && key.crv === 'P-256');
      if (!strong) return fail(400, 'the key must be RSA of 2048 bits or more, or EC P-256');
      jwk = await publicJwk({ ...key, kid: undefined });
    } catch {
      return fail(400, 'the body is not a PEM public key');
    }
    const keys = this.uploaded.get(partner) ?? [];
    if (!keys.some((k) => k.kid === jwk.kid)) keys.push(jwk);
    // A few at a time (rotation keeps the old one a while), never a growing list.
    this.uploaded.set(partner, keys.slice(-MAX_UPLOADED_KEYS));
    return { status: 201, headers: {}, body: { partner_id: partner, kid: jwk.kid, kty: jwk.kty } };
  }

  async handle(request: ServerRequest): Promise<ServerReply> {
    const refuse = (code: string, message: string): ServerReply => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { error: JUSTGOLD_CODES[code] ?? code, message },
    });
    const token = credentialsOf(request, 'Bearer');
    if (!token) return refuse('invalid_token', 'a Bearer token is required');
    const iss = decodeJwtUnverified(token)?.iss;
    const keys = typeof iss === 'string' ? await this.keysOf(iss) : undefined;
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
