import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { isJsonObject, parseJson } from '../json.js';
import type { ServerSettings } from './settings.js';

/** A request as the HTTP edge hands it over: lower-case header names, the raw body. */
export interface ServerRequest {
  method: string;
  path: string;
  /** The query string, without the `?` (the authorization endpoint reads its parameters there). */
  query?: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
  /** The caller's address (sign-in attempts are throttled per address). */
  client?: string;
}

export interface ServerReply {
  status: number;
  headers: Record<string, string>;
  /** JSON body; absent for an empty body. */
  body?: unknown;
  /** An HTML page instead (the sign-in and device pages a person sees). */
  html?: string;
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
  /**
   * The public keys of a client (private_key_jwt, RFC 7523 assertions, a JustGold partner's
   * tokens), read when needed: a key uploaded while the server runs counts at once.
   */
  clientKeys(clientId: string): Promise<JSONWebKeySet | undefined>;
  /** Seconds since the epoch. */
  now(): number;
  /** An unguessable identifier (opaque tokens, refresh tokens, jti). */
  newId(): string;
}

/** The server's paths; the provider variants sit where their documents put them. */
export type Routes = Record<RouteName, string>;
export type RouteName = keyof typeof ROUTES;

export const ROUTES = {
  openidConfiguration: '/.well-known/openid-configuration',
  authorizationServer: '/.well-known/oauth-authorization-server',
  jwks: '/jwks',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  authorization: '/authorize',
  pushedAuthorizationRequest: '/par',
  deviceAuthorization: '/device_authorization',
  device: '/device',
  gooclaimToken: '/v1/auth/token',
  gooclaimIntrospection: '/v1/auth/introspect',
  gamificationVerify: '/v1/auth/verify',
  webmethodsToken: '/gateway/security/getJsonWebToken',
  justgoldPing: '/v1/ping',
  justgoldPortalKeys: '/portal/jwt-keys',
} as const;

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** An RFC 6749 §5.2 error, thrown inside handlers and turned into a reply by the router. */
export class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export type Params = Record<string, string | undefined>;

/** Compares secrets in constant time: hashed first, so lengths match and timing says nothing about either. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

export function formParams(body: string): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(params, key)) throw new OAuthFailure('invalid_request', `parameter "${key}" is repeated`);
    params[key] = value;
  }
  return params;
}

export function jsonParams(body: string): Params {
  let parsed: unknown;
  try {
    parsed = parseJson(body || '{}');
  } catch {
    throw new OAuthFailure('invalid_request', 'the body is not valid JSON');
  }
  if (!isJsonObject(parsed)) throw new OAuthFailure('invalid_request', 'the body must be a JSON object');
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v)]));
}

export function contentType(request: ServerRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** RFC 6749 §4 bodies are form-encoded. */
export function formBody(request: ServerRequest): Params {
  if (contentType(request) !== 'application/x-www-form-urlencoded')
    throw new OAuthFailure('invalid_request', 'the body must be application/x-www-form-urlencoded (RFC 6749 §4)');
  return formParams(request.body);
}

/** The credentials of an `Authorization: <scheme> …` header. */
export function credentialsOf(request: ServerRequest, scheme: 'Basic' | 'Bearer' | 'DPoP'): string | undefined {
  return new RegExp(`^${scheme} (.+)$`, 'i').exec(request.headers.authorization ?? '')?.[1]?.trim();
}
