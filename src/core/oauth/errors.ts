import { AuthError, NetworkError, type AuthctlError } from '../../errors.js';
import type { ResponseLike } from './discovery.js';
import { parseJson } from '../json.js';

/** RFC 6749 §5.2 error codes that mean "your credentials or grant were refused". */
const AUTH_ERRORS = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'access_denied', 'invalid_token', 'insufficient_scope']);

/**
 * The typed error for a non-success response of any OAuth endpoint: the server's own
 * `error` code and `error_description` when it sent them (RFC 6749 §5.2), and a clear
 * message when it did not (an empty 400/403, an HTML error page, a 5xx).
 */
export function oauthError(response: ResponseLike, what: string): AuthctlError {
  const text = Buffer.from(response.body).toString('utf8');
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = parseJson(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const status = response.status;
  const code = typeof body?.error === 'string' ? body.error : undefined;
  const description = [body?.error_description, body?.message, body?.detail].find((d): d is string => typeof d === 'string');
  const where = `${what} (${new URL(response.url).pathname}) answered HTTP ${status}`;
  if (status >= 500) {
    return new NetworkError('server_error', `${where}${code ? `: ${code}` : ''}${description ? ` (${description})` : ''}`, 'the server failed; try again later');
  }
  // Rate limiting is the server's state, not a refusal of the client, whatever code the body carries.
  if (status === 429) return new NetworkError('rate_limited', `${where}: rate limited${code ? ` (${code})` : ''}, and the limit was still in force after the allowed wait`, 'raise --max-wait, or try again later');
  if (code) {
    const message = `${where}: ${code}${description ? `: ${description}` : ''}`;
    return AUTH_ERRORS.has(code) || status === 401 || status === 403 ? new AuthError(code, message) : new AuthError(code, message, 'check the profile: grant, client authentication, scope');
  }
  if (status === 401) return new AuthError('unauthorized', `${where}: credentials refused`, 'check the client id and secret (authctl credentials get client_secret)');
  if (status === 403) return new AuthError('forbidden', `${where} with ${text.trim() ? 'a non-OAuth body' : 'an empty body'}: the request was refused`, 'check the credentials and what this client is allowed to do');
  const looksHtml = /^\s*</.test(text);
  return new AuthError('request_refused', `${where} with ${!text.trim() ? 'an empty body' : looksHtml ? 'an HTML page' : 'a non-OAuth body'}`, 'the server gave no OAuth error code; check the endpoint URL and the profile');
}
