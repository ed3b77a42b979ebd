import type { ServerClient } from './settings.js';
import type { ClientAuthenticator } from './client-auth.js';
import { NO_STORE, OAuthFailure, type Params, sameSecret, type ServerContext, type ServerReply, type ServerRequest } from './protocol.js';
import type { SignIn } from './sign-in-pages.js';
import type { DpopGuard } from './dpop.js';
import type { IssuedToken, TokenShape, TokenStore } from './token-store.js';

type Grant = ServerClient['grants'][number];

const GRANT_URNS: Readonly<Record<string, Grant>> = {
  client_credentials: 'client_credentials',
  password: 'password',
  refresh_token: 'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'jwt_bearer',
  authorization_code: 'authorization_code',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'token_exchange',
};

/** RFC 8693 §3: the token types this server takes and issues (its access tokens, as themselves or as JWTs). */
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const TOKEN_TYPES = [ACCESS_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:jwt'];

/** A subject or actor token of an exchange: one this server issued, active, of a type it takes. */
async function exchanged(store: TokenStore, token: string | undefined, type: string | undefined, role: string): Promise<Record<string, unknown>> {
  if (!token) throw new OAuthFailure('invalid_request', `${role}_token is missing`);
  if (!type) throw new OAuthFailure('invalid_request', `${role}_token_type is missing`);
  if (!TOKEN_TYPES.includes(type)) throw new OAuthFailure('invalid_request', `${role}_token_type ${type} is not one this server takes`);
  const said = (await store.introspect(token)).body as Record<string, unknown>;
  if (!said.active || said.token_type === 'refresh_token')
    throw new OAuthFailure('invalid_request', `the ${role}_token is not an active access token of this server`);
  return said;
}

/** Scopes any client may ask for when a person signs in (OpenID Connect, and a refresh token). */
const SIGN_IN_SCOPES = ['openid', 'offline_access'];

interface Grantee {
  client: ServerClient;
  sub: string;
  claims: Record<string, unknown>;
  /** The grant a refresh continues (its scope bounds the new one). */
  previous?: IssuedToken;
  /** When a person signed in: the scope they allowed, and the OpenID Connect nonce. */
  signedIn?: { scope: string; nonce?: string; dpopJkt?: string };
}

interface GrantContext {
  ctx: ServerContext;
  auth: ClientAuthenticator;
  store: TokenStore;
  signIn: SignIn;
  params: Params;
  /** The authenticated client; undefined only for the JWT bearer grant, whose assertion names it. */
  client: ServerClient | undefined;
}

/**
 * One function per grant: each says who the token is for. Where a new grant goes: a function
 * here, its entry in GRANT_URNS and GRANTS, and the grant's name in settings.ts.
 */
const GRANTS: Readonly<Record<Grant, (g: GrantContext) => Promise<Grantee> | Grantee>> = {
  // RFC 6749 §4.4: the client itself.
  client_credentials: ({ client }) => ({ client: client!, sub: client!.client_id, claims: {} }),

  // RFC 6749 §4.3: a development user from the settings.
  password: ({ ctx, params, client }) => {
    if (!params.username || params.password === undefined) throw new OAuthFailure('invalid_request', 'username and password are required');
    const user = ctx.settings.users.find((u) => u.username === params.username);
    if (!user || !sameSecret(params.password, user.password)) throw new OAuthFailure('invalid_grant', 'invalid resource owner credentials');
    return { client: client!, sub: user.username, claims: user.claims };
  },

  // RFC 6749 §6, with rotation: each refresh token works once.
  refresh_token: ({ store, params, client }) => {
    if (!params.refresh_token) throw new OAuthFailure('invalid_request', 'refresh_token is missing');
    const previous = store.redeemRefresh(params.refresh_token, client!.client_id);
    return { client: client!, sub: previous.sub, claims: previous.claims, previous };
  },

  // RFC 6749 §4.1.3 with PKCE (RFC 7636): the code a person's sign-in produced.
  authorization_code: ({ signIn, params, client }) => {
    const done = signIn.redeemCode(params, client!);
    return { client: client!, sub: done.user.username, claims: done.user.claims, signedIn: { scope: done.scope, nonce: done.nonce, dpopJkt: done.dpopJkt } };
  },

  // RFC 8628 §3.4: the device code, once the person approved it on the verification page.
  device_code: ({ signIn, params, client }) => {
    const done = signIn.device.poll(params, client!);
    return { client: client!, sub: done.user.username, claims: done.user.claims, signedIn: { scope: done.scope } };
  },

  // RFC 8693: a token this server issued traded for one for another audience or a narrower scope;
  // with an actor token, delegation: the new token's act names the actor (and, nested, any before it).
  token_exchange: async ({ store, params, client }) => {
    const subject = await exchanged(store, params.subject_token, params.subject_token_type, 'subject');
    const actor = params.actor_token === undefined ? undefined : await exchanged(store, params.actor_token, params.actor_token_type, 'actor');
    if (params.requested_token_type !== undefined && !TOKEN_TYPES.includes(params.requested_token_type))
      throw new OAuthFailure('invalid_request', `requested_token_type ${params.requested_token_type} is not one this server issues`);
    const { active: _a, iss: _i, iat, exp, aud: _d, client_id, scope, sub, jti: _j, token_type: _t, act, ...claims } = subject;
    if (actor) claims.act = { sub: actor.sub, ...(act !== undefined ? { act } : {}) };
    else if (act !== undefined) claims.act = act;
    const previous: IssuedToken = {
      clientId: String(client_id),
      sub: String(sub),
      scope: typeof scope === 'string' ? scope : '',
      aud: '',
      iat: Number(iat),
      exp: Number(exp),
      claims,
    };
    return { client: client!, sub: String(sub), claims, previous };
  },

  // RFC 7523 §2.1: an assertion signed by a client's registered key; client authentication optional (§3.1).
  jwt_bearer: async ({ auth, params, client }) => {
    if (!params.assertion) throw new OAuthFailure('invalid_request', 'assertion is missing');
    const payload = await auth.checkAssertion(params.assertion, (d) => new OAuthFailure('invalid_grant', d));
    if (client && client.client_id !== payload.iss) throw new OAuthFailure('invalid_grant', 'the assertion was issued by another client');
    const issuer = client ?? auth.client(payload.iss as string);
    if (!issuer) throw new OAuthFailure('invalid_grant', 'the assertion issuer is not a registered client');
    return { client: issuer, sub: payload.sub as string, claims: {} };
  },
};

/** The scopes of `requested` a client may not have when a person signs in (the authorization endpoint asks first). */
export function refusedScopes(client: ServerClient, requested: string | undefined): string[] {
  const allowed = [...client.scopes, ...SIGN_IN_SCOPES];
  return (requested ?? '').split(' ').filter((s) => s && !allowed.includes(s));
}

function grantedScope(client: ServerClient, requested: string | undefined, previous: IssuedToken | undefined, signedIn: boolean): string {
  const allowed = previous ? previous.scope.split(' ').filter(Boolean) : signedIn ? [...client.scopes, ...SIGN_IN_SCOPES] : client.scopes;
  if (requested === undefined || requested.trim() === '') return allowed.join(' ');
  const asked = requested.split(' ').filter(Boolean);
  const refused = asked.filter((s) => !allowed.includes(s));
  if (refused.length) throw new OAuthFailure('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
  return asked.join(' ');
}

function audience(ctx: ServerContext, params: Params): string {
  const asked = params.resource ?? params.audience;
  const { audiences } = ctx.settings;
  if (asked === undefined) return audiences[0]!;
  if (!audiences.includes(asked)) throw new OAuthFailure('invalid_target', `unknown audience or resource "${asked}"`);
  return asked;
}

/** The grant types the settings' clients use, as metadata names them. */
export function grantTypesSupported(clients: readonly ServerClient[]): string[] {
  const urn = Object.fromEntries(Object.entries(GRANT_URNS).map(([name, grant]) => [grant, name]));
  return [...new Set(clients.flatMap((c) => c.grants.map((g) => urn[g]!)))];
}

/** The token endpoint (RFC 6749 §3.2): authenticate, run the grant, issue. */
export async function tokenEndpoint(
  ctx: ServerContext,
  auth: ClientAuthenticator,
  store: TokenStore,
  signIn: SignIn,
  dpop: DpopGuard,
  params: Params,
  request: ServerRequest,
  shape: (client: ServerClient) => TokenShape = () => ({}),
): Promise<ServerReply> {
  const grantType = params.grant_type;
  if (!grantType) throw new OAuthFailure('invalid_request', 'grant_type is missing');
  const grant = Object.hasOwn(GRANT_URNS, grantType) ? GRANT_URNS[grantType]! : undefined;
  if (!grant) throw new OAuthFailure('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
  const client = await auth.authenticate(params, request, grant === 'jwt_bearer');
  const grantee = await GRANTS[grant]({ ctx, auth, store, signIn, params, client });
  if (!grantee.client.grants.includes(grant))
    throw new OAuthFailure('unauthorized_client', `client "${grantee.client.client_id}" may not use grant ${grantType}`);

  const jkt = await dpopBinding(dpop, request, grantee);
  const scope = grantedScope(grantee.client, grantee.signedIn?.scope ?? params.scope, grantee.previous, grantee.signedIn !== undefined);
  const issued = await store.issue(
    grantee.client,
    { sub: grantee.sub, scope, aud: audience(ctx, params), claims: grantee.claims, ...(jkt ? { jkt } : {}) },
    shape(grantee.client),
  );
  const body: Record<string, unknown> = {
    access_token: issued.accessToken,
    token_type: jkt ? 'DPoP' : 'Bearer',
    expires_in: ctx.settings.access_token_lifetime,
    ...(scope ? { scope } : {}),
  };
  if (grant === 'token_exchange') body.issued_token_type = ACCESS_TOKEN_TYPE;
  const person = grant === 'password' || grant === 'refresh_token' || grantee.signedIn !== undefined;
  if (person && grantee.client.grants.includes('refresh_token')) body.refresh_token = store.issueRefresh(issued.record);
  // OpenID Connect Core §3.1.3.3: an ID token when a person signed in with the openid scope.
  if (grantee.signedIn && scope.split(' ').includes('openid')) body.id_token = await store.idToken(issued.record, grantee.signedIn.nonce);
  return { status: 200, headers: { ...NO_STORE, ...(jkt ? dpop.headers() : {}) }, body };
}

/**
 * RFC 9449 §5: the key a token request proves it holds (its DPoP header), which the new tokens
 * are bound to. A client registered for DPoP must send one. A public client's refresh token, and a
 * code bound with dpop_jkt (§10), are redeemed only with a proof by their key; a confidential
 * client's refresh token is already sender-constrained by its authentication, so it may bring a
 * new key (§5).
 */
async function dpopBinding(dpop: DpopGuard, request: ServerRequest, grantee: Grantee): Promise<string | undefined> {
  const publicClient = grantee.client.auth.every((method) => method === 'none');
  const required = (publicClient ? grantee.previous?.jkt : undefined) ?? grantee.signedIn?.dpopJkt;
  if (request.headers.dpop === undefined && required === undefined && !grantee.client.dpop_bound_access_tokens) return undefined;
  const jkt = await dpop.check(request, 'token');
  if (required !== undefined && jkt !== required)
    throw new OAuthFailure('invalid_dpop_proof', 'the grant is bound to another DPoP key than the proof was signed with', 400, dpop.headers());
  return jkt;
}
