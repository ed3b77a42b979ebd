import { timingSafeEqual, createHash } from 'node:crypto';
import { SignJWT, compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWK, type KeyObject } from 'jose';
import { validateClaims } from '../claims/validate.js';
import type { ClaimsPolicy } from '../claims/types.js';
import type { ServerClient, ServerClientAuth, ServerSettings } from './settings.js';
import { parseJson } from '../json.js';

/** A request as the HTTP edge hands it over: lower-case header names, the raw body. */
export interface ServerRequest {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface ServerReply {
  status: number;
  headers: Record<string, string>;
  /** JSON body; absent for an empty body. */
  body?: unknown;
}

export interface SigningKey {
  key: KeyObject;
  kid: string;
  alg: string;
  publicJwk: JWK;
}

export interface ServerContext {
  issuer: string;
  settings: ServerSettings;
  signingKeys: readonly SigningKey[];
  /** Public keys per client id, for private_key_jwt and RFC 7523 assertions. */
  clientKeys: ReadonlyMap<string, JSONWebKeySet>;
  /** Seconds since the epoch. */
  now(): number;
  /** An unguessable identifier (opaque tokens, refresh tokens, jti). */
  newId(): string;
}

/** The server's paths; the provider variants sit where their documents put them. */
export const ROUTES = {
  openidConfiguration: '/.well-known/openid-configuration',
  authorizationServer: '/.well-known/oauth-authorization-server',
  jwks: '/jwks',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  gooclaimToken: '/v1/auth/token',
  gooclaimIntrospection: '/v1/auth/introspect',
  gamificationVerify: '/v1/auth/verify',
  webmethodsToken: '/gateway/security/getJsonWebToken',
} as const;

const GRANT_URNS: Record<string, ServerClient['grants'][number]> = {
  client_credentials: 'client_credentials',
  password: 'password',
  refresh_token: 'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'jwt_bearer',
};
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** An RFC 6749 §5.2 error, thrown inside handlers and turned into a reply at the top. */
class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

interface IssuedToken {
  clientId: string;
  sub: string;
  scope: string;
  aud: string;
  exp: number;
  iat: number;
  claims: Record<string, unknown>;
}

type Params = Record<string, string | undefined>;

function sameSecret(given: string, expected: string): boolean {
  // Hash first so lengths match and the comparison time says nothing about either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function formParams(body: string): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key in params) throw new OAuthFailure('invalid_request', `parameter "${key}" is repeated`);
    params[key] = value;
  }
  return params;
}

function jsonParams(body: string): Params {
  let parsed: unknown;
  try {
    parsed = parseJson(body || '{}');
  } catch {
    throw new OAuthFailure('invalid_request', 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OAuthFailure('invalid_request', 'the body must be a JSON object');
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v)]));
}

function contentType(request: ServerRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * A development OAuth 2.0 authorization server as a request -> reply function: RFC 6749 token
 * endpoint (client_credentials, password, refresh_token, RFC 7523 JWT bearer), RFC 7662
 * introspection, RFC 7009 revocation, RFC 8414 metadata and JWKS, plus the seed providers'
 * variants (Gooclaim JSON token and Bearer + JSON introspection, webMethods getJsonWebToken,
 * the gamification verify endpoint). State lives in memory; time and ids are injected.
 *
 * @example const reply = await server.handle({ method: 'GET', path: '/jwks', headers: {}, body: '' });
 */
export class AuthorizationServer {
  private readonly opaque = new Map<string, IssuedToken>();
  private readonly refresh = new Map<string, IssuedToken>();
  private readonly revokedJti = new Map<string, number>();
  private readonly seenAssertions = new Map<string, number>();
  private readonly jwks: JSONWebKeySet;
  private readonly ownKeys: ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly ctx: ServerContext) {
    this.jwks = { keys: ctx.signingKeys.map((k) => k.publicJwk) };
    this.ownKeys = createLocalJWKSet(this.jwks);
  }

  metadata(): Record<string, unknown> {
    const { issuer, settings } = this.ctx;
    const grants = new Set(settings.clients.flatMap((c) => c.grants.map((g) => (g === 'jwt_bearer' ? 'urn:ietf:params:oauth:grant-type:jwt-bearer' : g))));
    const authMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
    return {
      issuer,
      token_endpoint: `${issuer}${ROUTES.token}`,
      jwks_uri: `${issuer}${ROUTES.jwks}`,
      introspection_endpoint: `${issuer}${ROUTES.introspection}`,
      revocation_endpoint: `${issuer}${ROUTES.revocation}`,
      grant_types_supported: [...grants],
      response_types_supported: ['token'],
      scopes_supported: [...new Set(settings.clients.flatMap((c) => c.scopes))],
      token_endpoint_auth_methods_supported: authMethods,
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      introspection_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_methods_supported: authMethods,
      id_token_signing_alg_values_supported: [...new Set(this.ctx.signingKeys.map((k) => k.alg))],
      subject_types_supported: ['public'],
    };
  }

  async handle(request: ServerRequest): Promise<ServerReply> {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof OAuthFailure)
        return { status: error.status, headers: { ...NO_STORE, ...error.headers }, body: { error: error.error, error_description: error.description } };
      throw error;
    }
  }

  private async route(request: ServerRequest): Promise<ServerReply> {
    const route = (method: string, handler: () => Promise<ServerReply> | ServerReply): Promise<ServerReply> | ServerReply => {
      if (request.method !== method) throw new OAuthFailure('invalid_request', `${request.path} takes ${method}`, 405, { allow: method });
      return handler();
    };
    switch (request.path) {
      case ROUTES.openidConfiguration:
      case ROUTES.authorizationServer:
        return route('GET', () => ({ status: 200, headers: {}, body: this.metadata() }));
      case ROUTES.jwks:
        return route('GET', () => ({ status: 200, headers: { 'cache-control': 'max-age=300' }, body: this.jwks }));
      case ROUTES.token:
        return route('POST', () => this.token(this.formBody(request), request));
      case ROUTES.introspection:
        return route('POST', async () => {
          const params = this.formBody(request);
          await this.authenticateClient(params, request);
          return this.introspect(params.token);
        });
      case ROUTES.revocation:
        return route('POST', () => this.revoke(this.formBody(request), request));
      case ROUTES.gooclaimToken:
        return route('POST', () => {
          if (contentType(request) !== 'application/json')
            throw new OAuthFailure('invalid_request', 'this endpoint takes a JSON body (Content-Type: application/json)');
          return this.token(jsonParams(request.body), request);
        });
      case ROUTES.gooclaimIntrospection:
        return route('POST', async () => {
          // Gooclaim: the caller authenticates with its own access token, the token to check is in JSON.
          const caller = await this.introspect(/^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]);
          if (!(caller.body as { active: boolean }).active)
            throw new OAuthFailure('invalid_token', 'a valid Bearer access token is required', 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
          return this.introspect(jsonParams(request.body).token);
        });
      case ROUTES.gamificationVerify:
        return route('GET', () => this.verifyBearer(request));
      case ROUTES.webmethodsToken:
        return route('POST', () => this.webmethodsToken(request));
      default:
        return { status: 404, headers: {}, body: { error: 'not_found', error_description: `no endpoint at ${request.path}` } };
    }
  }

  private formBody(request: ServerRequest): Params {
    if (contentType(request) !== 'application/x-www-form-urlencoded')
      throw new OAuthFailure('invalid_request', 'the body must be application/x-www-form-urlencoded (RFC 6749 §4)');
    return formParams(request.body);
  }

  private client(id: string | undefined): ServerClient | undefined {
    return this.ctx.settings.clients.find((c) => c.client_id === id);
  }

  /** RFC 6749 §2.3 and RFC 7523 §2.2: exactly one authentication method per request. */
  private async authenticateClient(params: Params, request: ServerRequest, optional = false): Promise<ServerClient | undefined> {
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
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
    const client = this.client(String(payload.iss));
    if (params.client_id !== undefined && params.client_id !== client?.client_id)
      throw new OAuthFailure('invalid_request', 'client_id does not match the client assertion');
    if (!client?.auth.includes('private_key_jwt')) throw fail(`client "${String(payload.iss)}" does not authenticate with private_key_jwt`);
    return client;
  }

  /**
   * An RFC 7523 JWT (client assertion or authorization grant): signed by the registered keys
   * of the client named in `iss`, for this server (`aud` = issuer or token endpoint), with
   * `exp` and a `jti` never seen before.
   */
  private async checkAssertion(assertion: string, fail: (description: string) => OAuthFailure): Promise<Record<string, unknown>> {
    let iss: unknown;
    try {
      iss = decodeJwt(assertion).iss;
    } catch {
      throw fail('the assertion is not a JWT');
    }
    const keys = typeof iss === 'string' ? this.ctx.clientKeys.get(iss) : undefined;
    if (!keys) throw fail('the assertion issuer is not a client with registered keys');
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifiedJwt(assertion, createLocalJWKSet(keys), ASSERTION_ALGORITHMS, {
        audience: [this.ctx.issuer, `${this.ctx.issuer}${ROUTES.token}`],
        requiredClaims: ['exp', 'jti', 'sub'],
        clockTolerance: 60,
      });
    } catch (error) {
      throw fail(`the assertion does not verify: ${(error as Error).message}`);
    }
    const now = this.ctx.now();
    for (const [jti, until] of this.seenAssertions) if (until < now - 60) this.seenAssertions.delete(jti);
    const key = `${String(iss)}:${String(payload.jti)}`;
    if (this.seenAssertions.has(key)) throw fail('the assertion was already used (replayed jti)');
    this.seenAssertions.set(key, Number(payload.exp));
    return payload;
  }

  private async token(params: Params, request: ServerRequest): Promise<ServerReply> {
    const grantType = params.grant_type;
    if (!grantType) throw new OAuthFailure('invalid_request', 'grant_type is missing');
    const grant = GRANT_URNS[grantType];
    if (!grant) throw new OAuthFailure('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
    // RFC 7523 §3.1: client authentication is optional with a JWT authorization grant.
    let client = await this.authenticateClient(params, request, grant === 'jwt_bearer');
    let sub: string;
    let userClaims: Record<string, unknown> = {};
    let previous: IssuedToken | undefined;
    if (grant === 'jwt_bearer') {
      if (!params.assertion) throw new OAuthFailure('invalid_request', 'assertion is missing');
      const payload = await this.checkAssertion(params.assertion, (d) => new OAuthFailure('invalid_grant', d));
      if (client && client.client_id !== payload.iss) throw new OAuthFailure('invalid_grant', 'the assertion was issued by another client');
      client ??= this.client(String(payload.iss));
      sub = String(payload.sub);
    } else if (grant === 'password') {
      const user = this.ctx.settings.users.find((u) => u.username === params.username);
      if (!params.username || params.password === undefined) throw new OAuthFailure('invalid_request', 'username and password are required');
      if (!user || !sameSecret(params.password, user.password)) throw new OAuthFailure('invalid_grant', 'invalid resource owner credentials');
      sub = user.username;
      userClaims = user.claims;
    } else if (grant === 'refresh_token') {
      if (!params.refresh_token) throw new OAuthFailure('invalid_request', 'refresh_token is missing');
      previous = this.refresh.get(params.refresh_token);
      if (!previous || previous.exp < this.ctx.now()) throw new OAuthFailure('invalid_grant', 'the refresh token is invalid, expired or revoked');
      if (previous.clientId !== client!.client_id) throw new OAuthFailure('invalid_grant', 'the refresh token was issued to another client');
      this.refresh.delete(params.refresh_token); // rotation: each refresh token works once
      sub = previous.sub;
      userClaims = previous.claims;
    } else {
      sub = client!.client_id;
    }
    if (!client!.grants.includes(grant)) throw new OAuthFailure('unauthorized_client', `client "${client!.client_id}" may not use grant ${grantType}`);

    const scope = this.grantedScope(client!, params.scope, previous);
    const aud = this.audience(params);
    const issued = await this.issue(client!, { sub, scope, aud, claims: userClaims });
    const body: Record<string, unknown> = {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: this.ctx.settings.access_token_lifetime,
      ...(scope ? { scope } : {}),
    };
    if ((grant === 'password' || grant === 'refresh_token') && client!.grants.includes('refresh_token')) {
      const refreshToken = this.ctx.newId();
      this.refresh.set(refreshToken, { ...issued.record, exp: this.ctx.now() + this.ctx.settings.refresh_token_lifetime });
      body.refresh_token = refreshToken;
    }
    return { status: 200, headers: NO_STORE, body };
  }

  private grantedScope(client: ServerClient, requested: string | undefined, previous: IssuedToken | undefined): string {
    const allowed = previous ? previous.scope.split(' ').filter(Boolean) : client.scopes;
    if (requested === undefined || requested.trim() === '') return allowed.join(' ');
    const asked = requested.split(' ').filter(Boolean);
    const refused = asked.filter((s) => !allowed.includes(s));
    if (refused.length) throw new OAuthFailure('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
    return asked.join(' ');
  }

  private audience(params: Params): string {
    const asked = params.resource ?? params.audience;
    const { audiences } = this.ctx.settings;
    if (asked === undefined) return audiences[0]!;
    if (!audiences.includes(asked)) throw new OAuthFailure('invalid_target', `unknown audience or resource "${asked}"`);
    return asked;
  }

  private async issue(
    client: ServerClient,
    grant: { sub: string; scope: string; aud: string; claims: Record<string, unknown> },
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
    };
    if (client.token_format === 'opaque') {
      const accessToken = this.ctx.newId();
      this.opaque.set(accessToken, record);
      return { accessToken, record };
    }
    return { accessToken: await this.signAccessToken(record), record };
  }

  /** RFC 9068 JWT access token. */
  private signAccessToken(record: IssuedToken, extra: Record<string, unknown> = {}): Promise<string> {
    const signer = this.ctx.signingKeys[0]!;
    return new SignJWT({ ...record.claims, ...extra, client_id: record.clientId, ...(record.scope ? { scope: record.scope } : {}) })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(this.ctx.issuer)
      .setSubject(record.sub)
      .setAudience(record.aud)
      .setIssuedAt(record.iat)
      .setExpirationTime(record.exp)
      .setJti(this.ctx.newId())
      .sign(signer.key);
  }

  /**
   * A JWT checked as everywhere else in authctl: the signature by jose, the claims by the
   * shared claims module. Throws with the first error's message.
   */
  private async verifiedJwt(
    token: string,
    keys: ReturnType<typeof createLocalJWKSet>,
    algorithms: string[] | undefined,
    policy: ClaimsPolicy,
  ): Promise<Record<string, unknown>> {
    await compactVerify(token, keys, algorithms ? { algorithms } : {});
    const payload = decodeJwt(token) as Record<string, unknown>;
    const error = validateClaims(decodeProtectedHeader(token), payload, policy, { now: this.ctx.now() }).find((f) => f.severity === 'error');
    if (error) throw new Error(error.message);
    return payload;
  }

  /** Our own JWT, checked: signature, expiry and not revoked. */
  private async ownJwt(token: string): Promise<Record<string, unknown> | undefined> {
    try {
      const payload = await this.verifiedJwt(token, this.ownKeys, undefined, { issuer: [this.ctx.issuer], clockTolerance: 0 });
      if (typeof payload.jti === 'string' && this.revokedJti.has(payload.jti)) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  private async introspect(token: string | undefined): Promise<ServerReply> {
    if (!token) throw new OAuthFailure('invalid_request', 'token is missing');
    const now = this.ctx.now();
    const reply = (body: Record<string, unknown>): ServerReply => ({ status: 200, headers: NO_STORE, body });
    const stored = this.opaque.get(token) ?? this.refresh.get(token);
    if (stored) {
      if (stored.exp < now) return reply({ active: false });
      const tokenType = this.refresh.has(token) ? 'refresh_token' : 'Bearer';
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
        token_type: tokenType,
      });
    }
    const payload = await this.ownJwt(token);
    if (!payload) return reply({ active: false });
    return reply({ active: true, ...payload, token_type: 'Bearer' });
  }

  private async revoke(params: Params, request: ServerRequest): Promise<ServerReply> {
    const client = (await this.authenticateClient(params, request))!;
    if (!params.token) throw new OAuthFailure('invalid_request', 'token is missing');
    const ok: ServerReply = { status: 200, headers: NO_STORE };
    const token = params.token;
    for (const store of [this.opaque, this.refresh]) {
      const record = store.get(token);
      if (!record) continue;
      if (record.clientId !== client.client_id) throw new OAuthFailure('unauthorized_client', 'the token was issued to another client');
      store.delete(token);
      return ok;
    }
    const payload = await this.ownJwt(token);
    if (payload && typeof payload.jti === 'string') {
      if (payload.client_id !== client.client_id) throw new OAuthFailure('unauthorized_client', 'the token was issued to another client');
      this.revokedJti.set(payload.jti, Number(payload.exp));
    }
    return ok; // RFC 7009 §2.2: an unknown or invalid token is not an error
  }

  /**
   * The gamification variant: `GET /v1/auth/verify` with the token as Bearer. HS256 tokens
   * are checked with the shared secret, others with this server's keys; then the shared
   * claims module with the document's required claims.
   */
  private async verifyBearer(request: ServerRequest): Promise<ServerReply> {
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    const refuse = (error: string, message: string): ServerReply => ({
      status: 401,
      headers: { 'www-authenticate': `Bearer error="invalid_token"` },
      body: { error, message },
    });
    if (!token) return refuse('invalid_token', 'a Bearer token is required');
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
      payload = decodeJwt(token) as Record<string, unknown>;
    } catch {
      return refuse('invalid_token', 'the token is not a JWT');
    }
    const secret = this.ctx.settings.hmac_secret;
    try {
      if (header.alg === 'HS256' && secret) await compactVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
      else await compactVerify(token, this.ownKeys, { algorithms: this.ctx.signingKeys.map((k) => k.alg) });
    } catch {
      return refuse('invalid_signature', 'the signature does not verify');
    }
    if (typeof payload.jti === 'string' && this.revokedJti.has(payload.jti)) return refuse('invalid_token', 'the token was revoked');
    const findings = validateClaims(header, payload, { requiredClaims: ['sub', 'iss', 'aud', 'iat', 'exp'] }, { now: this.ctx.now() }).filter(
      (f) => f.severity === 'error',
    );
    if (findings.length) return refuse(findings[0]!.code, findings[0]!.message);
    return {
      status: 200,
      headers: {},
      body: { valid: true, sub: payload.sub, tenant: payload.iss, application: payload.aud, ...(payload.scope !== undefined ? { scope: payload.scope } : {}) },
    };
  }

  /** The webMethods variant: the application's API key in a header, optional claims in `claimsSet`. */
  private async webmethodsToken(request: ServerRequest): Promise<ServerReply> {
    const apiKey = request.headers['x-gateway-apikey'];
    const client = apiKey ? this.ctx.settings.clients.find((c) => c.api_key !== undefined && sameSecret(apiKey, c.api_key)) : undefined;
    if (!client) return { status: 401, headers: {} }; // the gateway answers a bad key with an empty 401
    const params = request.body ? jsonParams(request.body) : {};
    let claimsSet: Record<string, unknown> = {};
    if (params.claimsSet !== undefined) {
      try {
        claimsSet = parseJson(params.claimsSet) as Record<string, unknown>;
      } catch {
        claimsSet = {};
      }
      if (typeof claimsSet !== 'object' || claimsSet === null || Array.isArray(claimsSet))
        throw new OAuthFailure('invalid_request', 'claimsSet must be a JSON object');
    }
    const iat = this.ctx.now();
    const record: IssuedToken = {
      clientId: client.client_id,
      sub: client.client_id,
      scope: client.scopes.join(' '),
      aud: this.ctx.settings.audiences[0]!,
      iat,
      exp: iat + this.ctx.settings.access_token_lifetime,
      claims: client.claims,
    };
    // Registered claims stay the gateway's; the caller's claimsSet adds to them.
    const registered = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope']);
    const extra = Object.fromEntries(Object.entries(claimsSet).filter(([k]) => !registered.has(k)));
    return { status: 200, headers: NO_STORE, body: { jwt: await this.signAccessToken(record, extra) } };
  }
}
