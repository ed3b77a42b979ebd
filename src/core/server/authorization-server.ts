import { ClientAuthenticator } from './client-auth.js';
import { isJsonObject } from '../json.js';
import { SignIn } from './sign-in-pages.js';
import { PAGE_HEADERS } from './page-guard.js';
import { grantTypesSupported, tokenEndpoint } from './grants.js';
import {
  credentialsOf,
  formBody,
  NO_STORE,
  OAuthFailure,
  ROUTES,
  type RouteName,
  type Routes,
  type ServerContext,
  type ServerReply,
  type ServerRequest,
} from './protocol.js';
import { KEYCLOAK_ACCESS_TOKEN_LIFETIME, KEYCLOAK_ROUTES, realmPath } from './variants/keycloak.js';
import { TokenStore } from './token-store.js';
import { DpopGuard } from './dpop.js';
import { DPOP_ALGORITHMS } from '../oauth/dpop.js';
import { gamificationVerify } from './variants/gamification.js';
import { gooclaimIntrospect, gooclaimShape, gooclaimTokenParams } from './variants/gooclaim.js';
import { JustGoldPing } from './variants/justgold.js';
import { webmethodsToken } from './variants/webmethods.js';

export { ROUTES, type ServerContext, type ServerReply, type ServerRequest, type SigningKey } from './protocol.js';

/**
 * A development OAuth 2.0 authorization server as a request -> reply function: the router.
 * RFC 6749 token endpoint (grants.ts: client_credentials, password, refresh_token, RFC 7523 JWT
 * bearer), client authentication (client-auth.ts), RFC 7662 introspection and RFC 7009
 * revocation (token-store.ts), RFC 8414 metadata and JWKS, and one module per seed provider's
 * variant (variants/). State lives in memory; time and ids are injected.
 *
 * @example const reply = await server.handle({ method: 'GET', path: '/jwks', headers: {}, body: '' });
 */
export class AuthorizationServer {
  readonly store: TokenStore;
  private readonly auth: ClientAuthenticator;
  private readonly signIn: SignIn;
  private readonly justgold: JustGoldPing;
  private readonly dpop: DpopGuard;
  /** Keycloak-style realms, each an issuer of its own under `/realms/NAME` (created on first use). */
  private readonly realms = new Map<string, AuthorizationServer>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly routes: Routes = ROUTES,
  ) {
    this.store = new TokenStore(ctx);
    this.auth = new ClientAuthenticator(ctx, routes);
    this.signIn = new SignIn(ctx, (id) => this.auth.client(id), routes);
    this.justgold = new JustGoldPing(ctx);
    this.dpop = new DpopGuard(ctx);
  }

  metadata(): Record<string, unknown> {
    const { issuer, settings } = this.ctx;
    const authMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
    return {
      issuer,
      authorization_endpoint: `${issuer}${this.routes.authorization}`,
      pushed_authorization_request_endpoint: `${issuer}${this.routes.pushedAuthorizationRequest}`,
      require_pushed_authorization_requests: settings.require_pushed_authorization_requests,
      device_authorization_endpoint: `${issuer}${this.routes.deviceAuthorization}`,
      token_endpoint: `${issuer}${this.routes.token}`,
      jwks_uri: `${issuer}${this.routes.jwks}`,
      introspection_endpoint: `${issuer}${this.routes.introspection}`,
      revocation_endpoint: `${issuer}${this.routes.revocation}`,
      grant_types_supported: grantTypesSupported(settings.clients),
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: [...new Set(settings.clients.flatMap((c) => c.scopes))],
      token_endpoint_auth_methods_supported: authMethods,
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      introspection_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_methods_supported: authMethods,
      id_token_signing_alg_values_supported: [...new Set(this.store.algorithms)],
      subject_types_supported: ['public'],
      dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
    };
  }

  async handle(request: ServerRequest): Promise<ServerReply> {
    const inRealm = this.routes === ROUTES ? realmPath(request.path) : undefined;
    if (inRealm && this.ctx.settings.realms.includes(inRealm.realm)) return this.realm(inRealm.realm).handle({ ...request, path: inRealm.path });
    try {
      const reply = await this.route(request);
      return reply.html === undefined ? reply : { ...reply, headers: { ...reply.headers, ...PAGE_HEADERS } };
    } catch (error) {
      if (error instanceof OAuthFailure)
        return { status: error.status, headers: { ...NO_STORE, ...error.headers }, body: { error: error.error, error_description: error.description } };
      throw error;
    }
  }

  /**
   * Any other path is a development API (RFC 6750, RFC 9449 §7): with a token this server issued
   * and has not revoked, 200 and who the token speaks for; with another token, 401; without one,
   * 404. A DPoP-bound token goes only with `Authorization: DPoP` and a proof of its key for this
   * request; sent as Bearer it is refused (a stolen token is no use without the key).
   */
  private async resource(request: ServerRequest): Promise<ServerReply> {
    const dpopToken = credentialsOf(request, 'DPoP');
    const token = dpopToken ?? credentialsOf(request, 'Bearer');
    if (!token) return { status: 404, headers: {}, body: { error: 'not_found', error_description: `no endpoint at ${request.path}` } };
    const refuse = (description: string, headers: Record<string, string>): ServerReply => ({
      status: 401,
      headers,
      body: { error: 'invalid_token', error_description: description },
    });
    // The root server's API also takes the tokens of its realms (a Keycloak-backed service).
    let introspected = (await this.store.introspect(token)).body as Record<string, unknown>;
    for (const realm of this.realms.values()) if (!introspected.active) introspected = (await realm.store.introspect(token)).body as Record<string, unknown>;
    if (!introspected.active)
      return refuse('the token is not active', dpopToken ? this.dpop.challenge('invalid_token') : { 'www-authenticate': 'Bearer error="invalid_token"' });
    const jkt = isJsonObject(introspected.cnf) && typeof introspected.cnf.jkt === 'string' ? introspected.cnf.jkt : undefined;
    if (jkt && !dpopToken) return refuse('the token is DPoP-bound: send it as Authorization: DPoP, with a proof', this.dpop.challenge('invalid_token'));
    if (dpopToken && !jkt) return refuse('the token is not DPoP-bound: send it as Bearer', this.dpop.challenge('invalid_token'));
    if (jkt) await this.dpop.check(request, 'resource', { accessToken: token, jkt });
    const { sub, client_id, scope, aud } = introspected;
    return { status: 200, headers: jkt ? this.dpop.headers() : {}, body: { path: request.path, method: request.method, sub, client_id, scope, aud } };
  }

  private realm(name: string): AuthorizationServer {
    let realm = this.realms.get(name);
    if (!realm) {
      // A realm's tokens live as long as Keycloak's do by default (shorter, if the settings say so).
      const settings = { ...this.ctx.settings, access_token_lifetime: Math.min(this.ctx.settings.access_token_lifetime, KEYCLOAK_ACCESS_TOKEN_LIFETIME) };
      realm = new AuthorizationServer({ ...this.ctx, settings, issuer: `${this.ctx.issuer}/realms/${name}` }, KEYCLOAK_ROUTES);
      this.realms.set(name, realm);
    }
    return realm;
  }

  private async route(request: ServerRequest): Promise<ServerReply> {
    const on = (method: string, handler: () => Promise<ServerReply> | ServerReply): Promise<ServerReply> | ServerReply => {
      if (request.method !== method) throw new OAuthFailure('invalid_request', `${request.path} takes ${method}`, 405, { allow: method });
      return handler();
    };
    const { ctx, store, auth, signIn } = this;
    const name = (Object.keys(this.routes) as RouteName[]).find((key) => this.routes[key] === request.path);
    switch (name) {
      case 'openidConfiguration':
      case 'authorizationServer':
        return on('GET', () => ({ status: 200, headers: {}, body: this.metadata() }));
      case 'jwks':
        return on('GET', () => ({ status: 200, headers: { 'cache-control': 'max-age=300' }, body: store.jwks }));
      case 'token':
        return on('POST', () => tokenEndpoint(ctx, auth, store, signIn, this.dpop, formBody(request), request));
      case 'introspection':
        return on('POST', async () => {
          const params = formBody(request);
          await auth.authenticate(params, request);
          return store.introspect(params.token);
        });
      case 'revocation':
        return on('POST', async () => {
          const params = formBody(request);
          const client = (await auth.authenticate(params, request))!;
          if (!params.token) throw new OAuthFailure('invalid_request', 'token is missing');
          await store.revoke(params.token, client.client_id);
          return { status: 200, headers: NO_STORE };
        });
      case 'authorization':
        return request.method === 'POST' ? signIn.authorize(request) : on('GET', () => signIn.authorize(request));
      case 'pushedAuthorizationRequest':
        return on('POST', async () => {
          const params = formBody(request);
          const client = (await auth.authenticate(params, request))!;
          // RFC 9449 §10.1: a proof with the pushed request binds the code to its key, as dpop_jkt does.
          if (request.headers.dpop !== undefined) {
            const jkt = await this.dpop.check(request, 'token');
            if (params.dpop_jkt !== undefined && params.dpop_jkt !== jkt)
              throw new OAuthFailure('invalid_dpop_proof', 'dpop_jkt names another key than the DPoP proof was signed with', 400, this.dpop.headers());
            params.dpop_jkt = jkt;
          }
          return signIn.push(params, client);
        });
      case 'deviceAuthorization':
        return on('POST', async () => {
          const params = formBody(request);
          return signIn.device.start((await auth.authenticate(params, request))!, params.scope);
        });
      case 'device':
        return request.method === 'POST' ? signIn.device.page(request) : on('GET', () => signIn.device.page(request));
      case 'gooclaimToken':
        return on('POST', () => tokenEndpoint(ctx, auth, store, signIn, this.dpop, gooclaimTokenParams(request), request, gooclaimShape));
      case 'gooclaimIntrospection':
        return on('POST', () => gooclaimIntrospect(store, request));
      case 'gamificationVerify':
        return on('GET', () => gamificationVerify(ctx, store, request));
      case 'justgoldPing':
        return on('GET', () => this.justgold.handle(request));
      case 'justgoldPortalKeys':
        return this.justgold.portal(request);
      case 'webmethodsToken':
        return on('POST', () => webmethodsToken(ctx, store, request));
      default:
        return this.resource(request);
    }
  }
}
