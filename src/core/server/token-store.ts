import type { JSONWebKeySet } from 'jose';
import { signJwt } from '../jwt/mint.js';
import { checkJwt } from '../jwt/judge.js';
import type { Verifier } from '../jwt/verify.js';
import { isJsonObject } from '../json.js';
import type { ServerClient } from './settings.js';
import { NO_STORE, OAuthFailure, type ServerContext, type ServerReply } from './protocol.js';

/** How a provider variant shapes the access tokens of its endpoint (Gooclaim: RS256, aud gooclaim-api, tenant_id). */
export interface TokenShape {
  aud?: string | string[];
  alg?: string;
  claims?: Record<string, unknown>;
}

export interface IssuedToken {
  clientId: string;
  sub: string;
  scope: string;
  aud: string;
  exp: number;
  iat: number;
  claims: Record<string, unknown>;
  /** RFC 9449: the thumbprint of the DPoP key the token is bound to (cnf.jkt). */
  jkt?: string;
}

/**
 * One expiry rule for every token the server issued, opaque or JWT: a token is expired from
 * its `exp` second on (what the claims module says of a JWT with no leeway).
 */
export function expired(exp: number, now: number): boolean {
  return exp <= now;
}

/** The server's tokens: opaque access tokens and refresh tokens in memory, JWTs signed with its keys, revocations. */
export class TokenStore {
  readonly jwks: JSONWebKeySet;
  private readonly own: Verifier;
  private readonly opaque = new Map<string, IssuedToken>();
  private readonly refresh = new Map<string, IssuedToken>();
  private readonly revokedJti = new Map<string, number>();

  constructor(private readonly ctx: ServerContext) {
    this.jwks = { keys: ctx.signingKeys.map((k) => k.publicJwk) };
    this.own = { kind: 'jwks', jwks: this.jwks };
  }

  /** The algorithms of the server's own keys. */
  get algorithms(): string[] {
    return this.ctx.signingKeys.map((k) => k.alg);
  }

  /** A new access token for a grant: opaque or an RFC 9068 JWT, as the client is registered. */
  async issue(
    client: ServerClient,
    grant: { sub: string; scope: string; aud: string; claims: Record<string, unknown>; jkt?: string },
    shape: TokenShape = {},
  ): Promise<{ accessToken: string; record: IssuedToken }> {
    const iat = this.ctx.now();
    const record: IssuedToken = {
      clientId: client.client_id,
      sub: grant.sub,
      scope: grant.scope,
      aud: grant.aud,
      iat,
      exp: iat + this.ctx.settings.access_token_lifetime,
      claims: { ...client.claims, ...grant.claims },
      ...(grant.jkt ? { jkt: grant.jkt } : {}),
    };
    if (client.token_format === 'opaque') {
      const accessToken = this.ctx.newId();
      this.opaque.set(accessToken, record);
      return { accessToken, record };
    }
    return { accessToken: await this.sign(record, shape.claims, shape), record };
  }

  /** A refresh token for what was just issued (rotated: each one works once). */
  issueRefresh(record: IssuedToken): string {
    const token = this.ctx.newId();
    this.refresh.set(token, { ...record, exp: this.ctx.now() + this.ctx.settings.refresh_token_lifetime });
    return token;
  }

  /** Takes a refresh token out (it is used up), or fails as RFC 6749 §5.2 says. */
  redeemRefresh(token: string, clientId: string): IssuedToken {
    const record = this.refresh.get(token);
    if (!record || expired(record.exp, this.ctx.now())) throw new OAuthFailure('invalid_grant', 'the refresh token is invalid, expired or revoked');
    if (record.clientId !== clientId) throw new OAuthFailure('invalid_grant', 'the refresh token was issued to another client');
    this.refresh.delete(token);
    return record;
  }

  /** An RFC 9068 JWT access token. */
  sign(record: IssuedToken, extra: Record<string, unknown> = {}, shape: TokenShape = {}): Promise<string> {
    const signer = this.ctx.signingKeys.find((k) => k.alg === shape.alg) ?? this.ctx.signingKeys[0]!;
    const claims = {
      ...record.claims,
      ...extra,
      client_id: record.clientId,
      ...(record.scope ? { scope: record.scope } : {}),
      iss: this.ctx.issuer,
      sub: record.sub,
      aud: shape.aud ?? record.aud,
      iat: record.iat,
      exp: record.exp,
      jti: this.ctx.newId(),
      ...(record.jkt ? { cnf: { jkt: record.jkt } } : {}),
    };
    return signJwt(claims, { kid: signer.kid, typ: 'at+jwt' }, { key: signer.key }, signer.alg);
  }

  /** An OpenID Connect ID token for the person an access token was issued to (aud = the client). */
  idToken(record: IssuedToken, nonce: string | undefined): Promise<string> {
    const signer = this.ctx.signingKeys[0]!;
    const claims = {
      ...record.claims,
      iss: this.ctx.issuer,
      sub: record.sub,
      aud: record.clientId,
      iat: record.iat,
      exp: record.exp,
      auth_time: record.iat,
      ...(nonce ? { nonce } : {}),
    };
    return signJwt(claims, { kid: signer.kid, typ: 'JWT' }, { key: signer.key }, signer.alg);
  }

  /** One of our own JWTs, checked (signature, issuer, expiry with no leeway) and not revoked. */
  async ownJwt(token: string): Promise<Record<string, unknown> | undefined> {
    const checked = await checkJwt(token, this.own, this.algorithms, { issuer: [this.ctx.issuer], clockTolerance: 0 }, this.ctx.now());
    if (!('payload' in checked)) return undefined;
    return typeof checked.payload.jti === 'string' && this.revokedJti.has(checked.payload.jti) ? undefined : checked.payload;
  }

  /** Whether a JWT's jti was revoked here. */
  isRevoked(jti: unknown): boolean {
    return typeof jti === 'string' && this.revokedJti.has(jti);
  }

  /** RFC 7662 §2.2: what an introspection says of a token. */
  async introspect(token: string | undefined): Promise<ServerReply> {
    if (!token) throw new OAuthFailure('invalid_request', 'token is missing');
    const reply = (body: Record<string, unknown>): ServerReply => ({ status: 200, headers: NO_STORE, body });
    const stored = this.opaque.get(token) ?? this.refresh.get(token);
    if (stored) {
      if (expired(stored.exp, this.ctx.now())) return reply({ active: false });
      return reply({
        active: true,
        ...stored.claims,
        client_id: stored.clientId,
        sub: stored.sub,
        scope: stored.scope,
        aud: stored.aud,
        iss: this.ctx.issuer,
        iat: stored.iat,
        exp: stored.exp,
        ...(stored.jkt ? { cnf: { jkt: stored.jkt } } : {}),
        token_type: this.refresh.has(token) ? 'refresh_token' : stored.jkt ? 'DPoP' : 'Bearer',
      });
    }
    const payload = await this.ownJwt(token);
    return reply(payload ? { active: true, ...payload, token_type: isJsonObject(payload.cnf) ? 'DPoP' : 'Bearer' } : { active: false });
  }

  /** RFC 7009: forgets a token of this client; an unknown or invalid token is not an error (§2.2). */
  async revoke(token: string, clientId: string): Promise<void> {
    for (const store of [this.opaque, this.refresh]) {
      const record = store.get(token);
      if (!record) continue;
      if (record.clientId !== clientId) throw new OAuthFailure('unauthorized_client', 'the token was issued to another client');
      store.delete(token);
      return;
    }
    const payload = await this.ownJwt(token);
    if (payload && typeof payload.jti === 'string') {
      if (payload.client_id !== clientId) throw new OAuthFailure('unauthorized_client', 'the token was issued to another client');
      this.revokedJti.set(payload.jti, Number(payload.exp));
    }
  }
}
