import { createHash } from 'node:crypto';
import { AuthError, NetworkError, UsageError } from '../../errors.js';
import type { Profile } from '../config.js';
import { isJsonObject } from '../json.js';
import { printable } from '../untrusted-text.js';
import { jsonBody, type ResponseLike } from './discovery.js';
import { oauthError } from './errors.js';
import { applyClientAuth, encodeBody, type ClientCredentials, type OutgoingRequest } from './token.js';

/**
 * The requests and answers of a person's sign-in, as pure builders and processors: the
 * authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252 for native apps) and the
 * device authorization grant (RFC 8628). The browser, the loopback listener and the polling
 * clock are the service's (services/signin.ts).
 */

/** RFC 7636 §4.1–4.2: a verifier of 43 base64url characters (32 random bytes) and its S256 challenge. */
export function pkcePair(random: Uint8Array): { verifier: string; challenge: string } {
  const verifier = Buffer.from(random).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope?: string;
  state: string;
  challenge: string;
  nonce?: string;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is to be bound to. */
  dpopJkt?: string;
}

/**
 * The URL the browser opens (RFC 6749 §4.1.1 with the PKCE parameters).
 *
 * @example buildAuthorizationUrl({ authorization_url: 'https://as/authorize' }, { clientId: 'c', redirectUri: 'http://127.0.0.1:1/cb', state: 's', challenge: 'x' })
 */
/** The authorization request's parameters (RFC 6749 §4.1.1 with PKCE and the OIDC nonce). */
function authorizationParameters(request: AuthorizationRequest): Record<string, string> {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    nonce: request.nonce,
    dpop_jkt: request.dpopJkt,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** RFC 9126 §2.1: the authorization request, pushed with the client's authentication. */
export function buildPushedAuthorizationRequest(profile: Profile, request: AuthorizationRequest, credentials: ClientCredentials): OutgoingRequest {
  const headers: Record<string, string> = { accept: 'application/json' };
  const fields: Record<string, unknown> = authorizationParameters(request);
  applyClientAuth(profile, credentials, fields, headers);
  // RFC 9126 §2.1: form-encoded, whatever the profile's token body format.
  return { method: 'POST', url: profile.par_url!, headers, body: encodeBody({ ...profile, body_format: 'form' }, fields, headers) };
}

/** RFC 9126 §2.2: 201 with a request_uri (and its lifetime); anything else is the server's refusal. */
export function parsePushedAuthorizationResponse(response: ResponseLike, clientAuth: Profile['client_auth']): string {
  if (response.status !== 201 && response.status !== 200) throw oauthError(response, 'the pushed authorization request endpoint', clientAuth);
  const body = jsonBody(response, 'the pushed authorization response');
  if (typeof body.request_uri !== 'string' || !body.request_uri)
    throw new NetworkError('invalid_response', `the pushed authorization response from ${response.url} has no request_uri`);
  return body.request_uri;
}

export function buildAuthorizationUrl(profile: Profile, request: AuthorizationRequest, requestUri?: string): string {
  if (!profile.authorization_url) {
    throw new UsageError(
      'missing_endpoint',
      'the profile has no authorization endpoint',
      'set issuer (discovery fills it) or authorization_url in the profile',
    );
  }
  const url = new URL(profile.authorization_url);
  // After a push (RFC 9126 §4), the browser carries only client_id and the request_uri.
  const params = requestUri ? { client_id: request.clientId, request_uri: requestUri } : authorizationParameters(request);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * The redirect back (RFC 6749 §4.1.2): the code when `state` matches; the server's error
 * (access_denied, …) as an authentication error; a foreign state as a refusal, since the
 * redirect may not answer our request at all.
 */
export function parseCallback(query: URLSearchParams, expectedState: string): string {
  if (query.get('state') !== expectedState)
    throw new AuthError('access_denied', 'the sign-in came back with another state than it was sent with', 'start the sign-in again');
  const error = query.get('error');
  if (error) {
    const description = query.get('error_description');
    throw new AuthError(
      error === 'access_denied' ? 'access_denied' : 'oauth_error',
      `the sign-in ended with ${printable(error, 64)}${description ? `: ${printable(description, 200)}` : ''}`,
    );
  }
  const code = query.get('code');
  if (!code) throw new AuthError('oauth_error', 'the sign-in came back without a code');
  return code;
}

/** RFC 8628 §3.1: the device authorization request, authenticated as the profile's client. */
export function buildDeviceAuthorizationRequest(profile: Profile, credentials: ClientCredentials, scope: string | undefined): OutgoingRequest {
  if (!profile.device_authorization_url) {
    throw new UsageError(
      'missing_endpoint',
      'the profile has no device authorization endpoint',
      'set issuer (discovery fills it) or device_authorization_url in the profile',
    );
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const fields: Record<string, unknown> = { ...(scope ? { scope } : {}) };
  applyClientAuth(profile, credentials, fields, headers);
  if (fields.client_id === undefined && profile.client_id) fields.client_id = profile.client_id;
  return { method: 'POST', url: profile.device_authorization_url, headers, body: encodeBody({ ...profile, body_format: 'form' }, fields, headers) };
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  /** Seconds between polls (RFC 8628 §3.2: 5 when the server says nothing), within POLL_INTERVAL. */
  interval: number;
}

/**
 * The bounds on the server's polling interval: a hostile or broken server can neither make
 * authctl hammer it (an interval of 0.001) nor stall it (1e7 overflows a timer).
 */
export const POLL_INTERVAL = { min: 1, max: 60, default: 5, slowDown: 5 } as const;

/**
 * The next polling interval (RFC 8628 §3.5: slow_down adds 5 seconds), within POLL_INTERVAL.
 *
 * @example pollInterval(0.001) // 1
 */
export function pollInterval(seconds: number, slowDown = false): number {
  const next = slowDown ? seconds + POLL_INTERVAL.slowDown : seconds;
  return Math.min(POLL_INTERVAL.max, Math.max(POLL_INTERVAL.min, next));
}

/** RFC 8628 §3.2: the device code answer; anything without its required fields is refused. */
export function parseDeviceAuthorization(response: ResponseLike): DeviceAuthorization {
  if (response.status !== 200) throw oauthError(response, 'the device authorization endpoint');
  const body = jsonBody(response, 'the device authorization response');
  const { device_code, user_code, verification_uri, verification_uri_complete, expires_in, interval } = body;
  if (typeof device_code !== 'string' || typeof user_code !== 'string' || typeof verification_uri !== 'string' || typeof expires_in !== 'number') {
    throw new NetworkError(
      'invalid_response',
      `the device authorization response from ${response.url} lacks device_code, user_code, verification_uri or expires_in`,
    );
  }
  return {
    deviceCode: device_code,
    userCode: user_code,
    verificationUri: verification_uri,
    ...(typeof verification_uri_complete === 'string' ? { verificationUriComplete: verification_uri_complete } : {}),
    expiresIn: expires_in,
    interval: pollInterval(typeof interval === 'number' && Number.isFinite(interval) && interval > 0 ? interval : POLL_INTERVAL.default),
  };
}

/** RFC 8628 §3.5: what a polling answer means. */
export type PollVerdict = { kind: 'pending' } | { kind: 'slow_down' };

/** The error code of a refused poll, when it is one of §3.5's "keep polling" answers. */
export function pollVerdict(response: ResponseLike): PollVerdict | undefined {
  if (response.status !== 400) return undefined;
  let body: unknown;
  try {
    body = jsonBody(response, 'the token response');
  } catch {
    return undefined;
  }
  const code = isJsonObject(body) ? body.error : undefined;
  return code === 'authorization_pending' ? { kind: 'pending' } : code === 'slow_down' ? { kind: 'slow_down' } : undefined;
}
