import { NetworkError, UsageError } from '../../errors.js';
import type { Profile } from '../config.js';
import type { ClientAuthMethod } from '../config-values.js';
import type { Finding, FindingCode } from '../claims/types.js';
import { FINDING_CODES } from '../claims/types.js';
import { jsonBody, type ResponseLike } from './discovery.js';
import { capped, printable } from '../untrusted-text.js';
import { oauthError } from './errors.js';
import { applyClientAuth, encodeBody, type ClientCredentials, type OutgoingRequest } from './token.js';
import { lookup } from '../json.js';

function endpoint(url: string | undefined, name: string, key: string): string {
  if (!url)
    throw new UsageError(
      'missing_endpoint',
      `the profile has no ${name} endpoint`,
      `set ${key} in the profile (authctl profile add --force … --${key.replace(/_/g, '-')} URL), or use --issuer for discovery`,
    );
  return url;
}

/**
 * RFC 7662 introspection, or the Gooclaim variant: `Authorization: Bearer <caller's token>`
 * and a JSON body `{"token": …}`.
 */
export function buildIntrospectionRequest(
  profile: Profile,
  token: string,
  options: { hint?: string; credentials: ClientCredentials; bearer?: string },
): OutgoingRequest {
  const url = endpoint(profile.introspection_url, 'introspection', 'introspection_url');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (profile.introspection_style === 'bearer-json') {
    if (!options.bearer) throw new UsageError('missing_client_setting', 'bearer-json introspection needs an access token of the caller');
    headers.authorization = `Bearer ${options.bearer}`;
    headers['content-type'] = 'application/json';
    return { method: 'POST', url, headers, body: JSON.stringify({ token, ...(options.hint ? { token_type_hint: options.hint } : {}) }) };
  }
  const fields: Record<string, unknown> = { token, ...(options.hint ? { token_type_hint: options.hint } : {}) };
  applyClientAuth(profile, options.credentials, fields, headers);
  return { method: 'POST', url, headers, body: encodeBody({ ...profile, body_format: 'form' }, fields, headers) };
}

export interface IntrospectionResult {
  active: boolean;
  [claim: string]: unknown;
}

/** RFC 7662 §2.2: a JSON object with a boolean `active`; anything else is refused. */
export function parseIntrospectionResponse(response: ResponseLike, clientAuth?: ClientAuthMethod): IntrospectionResult {
  if (response.status !== 200) throw oauthError(response, 'the introspection endpoint', clientAuth);
  const body = jsonBody(response, 'the introspection response');
  if (typeof body.active !== 'boolean') throw new NetworkError('invalid_response', `the introspection response from ${response.url} has no boolean "active"`);
  return body as IntrospectionResult;
}

/** RFC 7009 revocation, authenticated as the profile's client. */
export function buildRevocationRequest(profile: Profile, token: string, options: { hint?: string; credentials: ClientCredentials }): OutgoingRequest {
  const url = endpoint(profile.revocation_url, 'revocation', 'revocation_url');
  const headers: Record<string, string> = { accept: 'application/json' };
  const fields: Record<string, unknown> = { token, ...(options.hint ? { token_type_hint: options.hint } : {}) };
  applyClientAuth(profile, options.credentials, fields, headers);
  return { method: 'POST', url, headers, body: encodeBody({ ...profile, body_format: 'form' }, fields, headers) };
}

/** RFC 7009 §2.2: 200 means revoked (or already invalid); errors are OAuth errors. */
export function parseRevocationResponse(response: ResponseLike, clientAuth?: ClientAuthMethod): void {
  if (response.status !== 200) throw oauthError(response, 'the revocation endpoint', clientAuth);
}

/** A vendor verify endpoint (the gamification API's `GET /v1/auth/verify`) called with the token. */
export function buildRemoteVerifyRequest(profile: Profile, token: string): OutgoingRequest {
  return bearerGet(endpoint(profile.verify_url, 'verify', 'verify_url'), token);
}

/** A health endpoint (the JustGold document's `GET /v1/ping`) called with the token. */
export function buildHealthRequest(profile: Profile, token: string): OutgoingRequest {
  return bearerGet(endpoint(profile.health_url, 'health check', 'health_url'), token);
}

function bearerGet(url: string, token: string): OutgoingRequest {
  return { method: 'GET', url, headers: { accept: 'application/json', authorization: `Bearer ${token}` } };
}

/** Provider codes that say the same as a shared finding code under another name. */
const CODE_ALIASES: Record<string, FindingCode> = {
  expired_token: 'token_expired',
  invalid_jwt: 'invalid_token',
  signature_invalid: 'invalid_signature',
  insufficient_scope: 'insufficient_permissions',
  forbidden: 'insufficient_permissions',
};

/** A provider's error code on the shared vocabulary (JustGold's `expired_token` is `token_expired`). */
export function toFindingCode(code: string | undefined, status: number): FindingCode {
  if (code && (FINDING_CODES as readonly string[]).includes(code)) return code as FindingCode;
  const alias = code ? lookup(CODE_ALIASES, code) : undefined;
  if (alias) return alias;
  return status === 403 ? 'insufficient_permissions' : 'invalid_token';
}

export interface RemoteVerdict {
  valid: boolean;
  findings: Finding[];
  /** What the endpoint said about the authenticated entity, when valid. */
  info?: Record<string, unknown>;
}

/**
 * The answer of an endpoint called with a bearer token (a verify or health endpoint): 2xx is
 * valid; 400/401/403 carry the provider's error code, mapped onto the shared codes.
 */
export function parseBearerResponse(response: ResponseLike, what = 'the verify endpoint'): RemoteVerdict {
  if (response.status >= 200 && response.status < 300) {
    let info: Record<string, unknown> | undefined;
    try {
      info = jsonBody(response, what);
    } catch {
      info = undefined;
    }
    return { valid: true, findings: [], ...(info ? { info } : {}) };
  }
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    let body: Record<string, unknown> = {};
    try {
      body = jsonBody(response, what);
    } catch {
      body = {};
    }
    const sentCode = typeof body.error === 'string' ? body.error : typeof body.code === 'string' ? body.code : undefined;
    const providerCode = sentCode === undefined ? undefined : capped(sentCode, 64);
    const words = [body.message, body.error_description, body.detail].find((m): m is string => typeof m === 'string');
    const shownCode = providerCode === undefined ? undefined : printable(providerCode);
    const message =
      words !== undefined
        ? `${shownCode && !words.includes(providerCode!) ? `${shownCode}: ` : ''}${printable(words)}`
        : `${what} answered HTTP ${response.status}${shownCode ? ` (${shownCode})` : ''}`;
    return { valid: false, findings: [{ code: toFindingCode(providerCode, response.status), severity: 'error', message }] };
  }
  throw oauthError(response, what);
}
