import { NetworkError, UsageError } from '../../errors.js';
import type { Profile } from '../config.js';
import type { ClientAuthMethod } from '../config-values.js';
import type { ResponseLike } from './discovery.js';
import { oauthError, type RefusalContext } from './errors.js';
import { isJsonObject, parseJson } from '../json.js';

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What authenticates the client, already resolved from its secure sources. */
export interface ClientCredentials {
  clientId?: string;
  /** client_secret_basic / client_secret_post / client_secret_jwt. */
  clientSecret?: string;
  /** A signed client assertion (client_secret_jwt, private_key_jwt), RFC 7523 §2.2. */
  clientAssertion?: string;
  /** The webMethods application API key. */
  apiKey?: string;
  /** Where the client secret or API key came from (`AUTHCTL_CLIENT_SECRET`, the keychain, …), for the hint when it is refused. */
  secretOrigin?: string;
}

/** RFC 8693 token exchange: what is traded, and for what. */
export interface ExchangeParameters {
  subjectToken: string;
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  requestedTokenType?: string;
}

export interface GrantParameters {
  grant: NonNullable<Profile['grant']> | 'token_exchange';
  /** token_exchange: RFC 8693 §2.1. */
  exchange?: ExchangeParameters;
  username?: string;
  password?: string;
  refreshToken?: string;
  /** RFC 7523 §2.1 assertion for the jwt_bearer grant. */
  assertion?: string;
  /** authorization_code grant: the code, the redirect URI it was sent to, the PKCE verifier (RFC 7636 §4.5). */
  code?: string;
  redirectUri?: string;
  codeVerifier?: string;
  /** RFC 8628 §3.4: the device code being polled for. */
  deviceCode?: string;
  scope?: string;
  audience?: string;
  resource?: string[];
}

export interface TokenSet {
  access_token: string;
  token_type?: string;
  /** Seconds, as the server said (may be absent). */
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issued_token_type?: string;
}

/** RFC 9449 §5: `token_type: DPoP` (case-insensitive, RFC 6749 §7.1) says the token is bound to the proof's key. */
export function isDpopBound(token: Pick<TokenSet, 'token_type'>): boolean {
  return token.token_type?.toLowerCase() === 'dpop';
}

const GRANT_TYPES: Record<GrantParameters['grant'], string> = {
  client_credentials: 'client_credentials',
  password: 'password',
  refresh_token: 'refresh_token',
  jwt_bearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  authorization_code: 'authorization_code',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  token_exchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
};
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64, so ':' and '%' survive. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/**
 * Adds client authentication to a request's body fields and headers, per the profile's
 * method: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt,
 * tls_client_auth (RFC 8705), none, or an API-key header (webMethods).
 */
export function applyClientAuth(profile: Profile, credentials: ClientCredentials, fields: Record<string, unknown>, headers: Record<string, string>): void {
  const method = profile.client_auth ?? 'client_secret_basic';
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError('missing_client_setting', `client_auth ${method} needs ${what}`);
    return value;
  };
  switch (method) {
    case 'client_secret_basic':
      headers.authorization = basicAuthorization(
        need(credentials.clientId ?? profile.client_id, 'a client_id'),
        need(credentials.clientSecret, 'a client secret'),
      );
      break;
    case 'client_secret_post':
      fields.client_id = need(credentials.clientId ?? profile.client_id, 'a client_id');
      fields.client_secret = need(credentials.clientSecret, 'a client secret');
      break;
    case 'client_secret_jwt':
    case 'private_key_jwt':
      if (credentials.clientId ?? profile.client_id) fields.client_id = credentials.clientId ?? profile.client_id;
      fields.client_assertion_type = ASSERTION_TYPE;
      fields.client_assertion = need(credentials.clientAssertion, 'a client assertion');
      break;
    case 'none':
    case 'tls_client_auth': // RFC 8705 §2: the client certificate authenticates, the body names the client
      fields.client_id = need(credentials.clientId ?? profile.client_id, 'a client_id');
      break;
    case 'api_key':
      headers[(profile.api_key_header ?? 'x-Gateway-APIKey').toLowerCase()] = need(credentials.apiKey, 'an API key');
      break;
  }
}

/** The body in the profile's format: form-urlencoded (RFC 6749) or JSON (Gooclaim, webMethods). */
export function encodeBody(profile: Profile, fields: Record<string, unknown>, headers: Record<string, string>): string {
  if (profile.body_format === 'json') {
    headers['content-type'] = 'application/json';
    return JSON.stringify(fields);
  }
  headers['content-type'] = 'application/x-www-form-urlencoded';
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, typeof item === 'string' ? item : JSON.stringify(item));
  }
  return form.toString();
}

/**
 * Builds a token request (RFC 6749 §4.3, §4.4, §6; RFC 7523 §2.1) for the profile.
 *
 * @example buildTokenRequest({ token_url: 'https://as/token', client_id: 'c', client_auth: 'client_secret_post' }, { grant: 'client_credentials' }, { clientSecret: 's' })
 */
export function buildTokenRequest(profile: Profile, params: GrantParameters, credentials: ClientCredentials): OutgoingRequest {
  if (!profile.token_url)
    throw new UsageError(
      'missing_endpoint',
      'the profile has no token_url',
      'set it with authctl profile add --force … --token-url URL, or give --issuer for discovery',
    );
  const headers: Record<string, string> = { accept: 'application/json' };
  // webMethods' getJsonWebToken takes only the claimsSet body and the API key: no grant_type.
  const fields: Record<string, unknown> = profile.client_auth === 'api_key' ? {} : { grant_type: GRANT_TYPES[params.grant] };
  if (params.grant === 'password') {
    fields.username = params.username ?? profile.username;
    if (!fields.username) throw new UsageError('missing_client_setting', 'the password grant needs a username', 'set username in the profile');
    fields.password = params.password;
  }
  if (params.grant === 'refresh_token') fields.refresh_token = params.refreshToken;
  if (params.grant === 'jwt_bearer') fields.assertion = params.assertion;
  if (params.grant === 'authorization_code') Object.assign(fields, { code: params.code, redirect_uri: params.redirectUri, code_verifier: params.codeVerifier });
  if (params.grant === 'device_code') fields.device_code = params.deviceCode;
  if (params.grant === 'token_exchange' && params.exchange) {
    const x = params.exchange;
    Object.assign(fields, { subject_token: x.subjectToken, subject_token_type: x.subjectTokenType });
    if (x.actorToken !== undefined) Object.assign(fields, { actor_token: x.actorToken, actor_token_type: x.actorTokenType });
    if (x.requestedTokenType) fields.requested_token_type = x.requestedTokenType;
  }
  // The scope of a person's grant was fixed at sign-in; the code and device code carry it.
  const scope = params.grant === 'authorization_code' || params.grant === 'device_code' ? undefined : (params.scope ?? profile.scope);
  if (scope) fields.scope = scope;
  const audience = params.audience ?? profile.audience;
  if (audience) fields.audience = audience;
  const resource = params.resource?.length ? params.resource : profile.resource ? [profile.resource] : [];
  if (resource.length) fields.resource = resource.length === 1 ? resource[0] : resource;
  Object.assign(fields, profile.extra_body);
  applyClientAuth(profile, credentials, fields, headers);
  return { method: 'POST', url: profile.token_url, headers, body: encodeBody(profile, fields, headers) };
}

/**
 * Processes a token response into a TokenSet, or throws the server's OAuth error as a typed
 * error. Accepts RFC 6749 `access_token`, and the `jwt`/`token` fields or a bare JWT body that
 * gateways such as webMethods return.
 */
export function parseTokenResponse(response: ResponseLike, clientAuth?: ClientAuthMethod, context: RefusalContext = {}): TokenSet {
  if (response.status < 200 || response.status >= 300) throw oauthError(response, 'the token endpoint', clientAuth, context);
  const text = Buffer.from(response.body).toString('utf8').trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) return { access_token: text, token_type: 'Bearer' };
  let body: unknown;
  try {
    body = parseJson(text);
  } catch {
    throw new NetworkError(
      'invalid_response',
      `the token endpoint (${new URL(response.url).pathname}) answered HTTP ${response.status} with ${/^\s*</.test(text) ? 'an HTML page' : 'a body that is not JSON'}`,
    );
  }
  if (!isJsonObject(body)) {
    throw new NetworkError(
      'invalid_response',
      `the token endpoint (${new URL(response.url).pathname}) answered HTTP ${response.status} with JSON that is not an object`,
    );
  }
  const token = [body.access_token, body.jwt, body.token].find((t): t is string => typeof t === 'string' && t !== '');
  if (!token) {
    throw new NetworkError(
      'invalid_response',
      `the token endpoint (${new URL(response.url).pathname}) answered HTTP ${response.status} without an access token`,
    );
  }
  const expires =
    typeof body.expires_in === 'number'
      ? body.expires_in
      : typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in)
        ? Number(body.expires_in)
        : undefined;
  const set: TokenSet = { access_token: token, token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer' };
  if (expires !== undefined) set.expires_in = expires;
  if (typeof body.refresh_token === 'string') set.refresh_token = body.refresh_token;
  if (typeof body.scope === 'string') set.scope = body.scope;
  if (typeof body.id_token === 'string') set.id_token = body.id_token;
  if (typeof body.issued_token_type === 'string') set.issued_token_type = body.issued_token_type;
  return set;
}

/**
 * Until when a token from the cache may be reused: its expiry minus a margin of
 * max(30 s, 10 % of its lifetime), so a token is never handed out just before it dies.
 * A token without `expires_in` is not cached.
 *
 * @example reusableUntil(1000, 300) // 1270
 */
export function reusableUntil(obtainedAt: number, expiresIn: number | undefined): number | undefined {
  if (expiresIn === undefined || expiresIn <= 0) return undefined;
  return obtainedAt + expiresIn - Math.max(30, Math.ceil(expiresIn / 10));
}

/**
 * Claims of an RFC 7523 assertion: iss = client id, sub = client id for client authentication
 * (§2.2) or the user for the JWT bearer grant (§2.1), the audience the profile names, a
 * unique jti, and a short life (60 s by default).
 */
export function clientAssertionClaims(
  clientId: string,
  audience: string,
  now: number,
  jti: string,
  lifetime = 60,
  subject = clientId,
): Record<string, unknown> {
  return { iss: clientId, sub: subject, aud: audience, iat: now, exp: now + lifetime, jti };
}
