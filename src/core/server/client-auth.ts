import { ReplayGuard } from './replay-guard.js';
import { decodeJwtUnverified } from '../jwt/parse.js';
import type { ServerClient, ServerClientAuth } from './settings.js';
import { credentialsOf, OAuthFailure, type Params, type Routes, sameSecret, type ServerContext, type ServerRequest } from './protocol.js';
import { checkJwt } from '../jwt/judge.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Client authentication (RFC 6749 §2.3, RFC 7523 §2.2) and RFC 7523 assertions, with the
 * replay memory they need: a jti is refused while the assertion that carried it could still be
 * accepted (the claims module's replay check over the jti seen per client).
 */
/** How far ahead a client assertion's `exp` may be (RFC 7523 §3 leaves it to the server; 10 minutes is generous). */
const MAX_ASSERTION_LIFETIME = 600;

export class ClientAuthenticator {
  private readonly replays = new ReplayGuard();

  constructor(
    private readonly ctx: ServerContext,
    private readonly routes: Routes,
  ) {}

  client(id: string | undefined): ServerClient | undefined {
    return this.ctx.settings.clients.find((c) => c.client_id === id);
  }

  /** Exactly one authentication method per request; `optional` for RFC 7523 §3.1 grants. */
  async authenticate(params: Params, request: ServerRequest, optional = false): Promise<ServerClient | undefined> {
    const basic = credentialsOf(request, 'Basic');
    const unauthorized = (description: string) =>
      new OAuthFailure('invalid_client', description, 401, basic ? { 'www-authenticate': 'Basic realm="authctl"' } : {});
    const used: [ServerClientAuth, string | undefined][] = [];
    let basicId: string | undefined;
    let basicSecret: string | undefined;
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw unauthorized('malformed Basic credentials');
      try {
        basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        basicSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        throw unauthorized('malformed Basic credentials');
      }
      used.push(['client_secret_basic', basicId]);
    }
    if (params.client_secret !== undefined) used.push(['client_secret_post', params.client_id]);
    if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) used.push(['private_key_jwt', undefined]);
    if (used.length > 1) throw new OAuthFailure('invalid_request', 'more than one client authentication method was used');
    if (!used.length && params.client_id === undefined) {
      if (optional) return undefined;
      throw unauthorized('client authentication is required');
    }
    const [method] = used[0] ?? ['none'];

    if (method === 'private_key_jwt') return this.authenticateAssertion(params);
    const client = this.client(basicId ?? params.client_id);
    if (!client) throw unauthorized('unknown client');
    if (!client.auth.includes(method)) throw unauthorized(`client "${client.client_id}" does not authenticate with ${method}`);
    if (params.client_id !== undefined && params.client_id !== client.client_id)
      throw new OAuthFailure('invalid_request', 'client_id does not match the authenticated client');
    if (method === 'none') return client;
    const secret = method === 'client_secret_basic' ? basicSecret : params.client_secret;
    if (!client.client_secret || secret === undefined || !sameSecret(secret, client.client_secret)) throw unauthorized('client authentication failed');
    return client;
  }

  private async authenticateAssertion(params: Params): Promise<ServerClient> {
    const fail = (description: string) => new OAuthFailure('invalid_client', description, 401);
    if (params.client_assertion_type !== ASSERTION_TYPE) throw new OAuthFailure('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    if (!params.client_assertion) throw new OAuthFailure('invalid_request', 'client_assertion is missing');
    const payload = await this.checkAssertion(params.client_assertion, fail);
    if (payload.iss !== payload.sub) throw fail('a client assertion must have iss = sub = client_id');
    const client = this.client(payload.iss as string);
    if (params.client_id !== undefined && params.client_id !== client?.client_id)
      throw new OAuthFailure('invalid_request', 'client_id does not match the client assertion');
    if (!client?.auth.includes('private_key_jwt')) throw fail(`client "${payload.iss as string}" does not authenticate with private_key_jwt`);
    return client;
  }

  /**
   * An RFC 7523 JWT (client assertion or authorization grant): signed by the registered keys
   * of the client named in `iss`, for this server (`aud` = issuer or token endpoint), with
   * `exp`, `sub` and a `jti` not seen before from that client.
   */
  async checkAssertion(assertion: string, fail: (description: string) => OAuthFailure): Promise<Record<string, unknown>> {
    const iss = decodeJwtUnverified(assertion)?.iss;
    const keys = typeof iss === 'string' ? await this.ctx.clientKeys(iss) : undefined;
    if (typeof iss !== 'string' || !keys)
      throw fail(iss === undefined ? 'the assertion is not a JWT with an issuer' : 'the assertion issuer is not a client with registered keys');
    const now = this.ctx.now();
    const checked = await checkJwt(
      assertion,
      { kind: 'jwks', jwks: keys },
      ASSERTION_ALGORITHMS,
      { audience: [this.ctx.issuer, `${this.ctx.issuer}${this.routes.token}`], requiredClaims: ['exp', 'jti', 'sub'], requireJti: true },
      now,
      this.replays.usedBy(iss, now),
    );
    if (!('payload' in checked))
      throw fail(checked.code === 'replayed_token' ? 'the assertion was already used (replayed jti)' : `the assertion does not verify: ${checked.error}`);
    // A long-lived assertion is a stolen one's best friend, and its jti would have to be kept as long.
    if (Number(checked.payload.exp) - now > MAX_ASSERTION_LIFETIME)
      throw fail(`the assertion expires more than ${MAX_ASSERTION_LIFETIME / 60} minutes from now; a client assertion is for one request`);
    this.replays.accepted(iss, checked.payload);
    return checked.payload;
  }
}
