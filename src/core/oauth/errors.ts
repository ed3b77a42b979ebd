import { AuthError, ERRORS, isErrorCode, NetworkError, type AuthCode, type AuthctlError } from '../../errors.js';
import type { ClientAuthMethod } from '../config-values.js';
import { SECRET_SOURCES } from '../secret-sources.js';
import { isJsonObject, parseJson } from '../json.js';
import { printable } from '../untrusted-text.js';

/** An error code a server may hand us to pass on as our own: lower-case words and underscores. */
const OAUTH_CODE = /^[a-z][a-z0-9_]{0,63}$/;
import type { ResponseLike } from './discovery.js';

/** What to check when the server refuses the client, by how the client authenticates. */
const CREDENTIAL_HINTS: Record<ClientAuthMethod, string> = {
  client_secret_basic: `check the client id and secret (${SECRET_SOURCES.client_secret.env}, or authctl credentials set client_secret)`,
  client_secret_post: `check the client id and secret (${SECRET_SOURCES.client_secret.env}, or authctl credentials set client_secret)`,
  client_secret_jwt: 'check the client id and the secret the assertion is signed with (authctl credentials set client_secret)',
  private_key_jwt: 'check the client id, the private key, and that the server holds its public key',
  tls_client_auth: 'check the client id and the client certificate the server expects',
  none: 'check the client id (a public client)',
  api_key: `check the API key (${SECRET_SOURCES.api_key.env}, or authctl credentials set api_key)`,
};

/**
 * The typed error for a non-success response of any OAuth endpoint (CLI.md): a refusal of the
 * client or grant (401, 403, or a 400 with an RFC 6749 §5.2 error code) is authentication, exit
 * 4, with a hint that fits the client's authentication method; any other status (404, 405, 5xx,
 * a 400 without an OAuth code) is a server or URL problem, exit 3, with a hint about the URL.
 */
/** What the request was, for an error that fits it. */
export interface RefusalContext {
  /** Where the client secret or API key came from: a refusal names it. */
  secretOrigin?: string;
  /** The grant asked for: an empty 400 to a refresh is the refresh token refused. */
  grant?: string;
}

export function oauthError(
  response: ResponseLike,
  what: string,
  clientAuth: ClientAuthMethod = 'client_secret_basic',
  context: RefusalContext = {},
): AuthctlError {
  const text = Buffer.from(response.body).toString('utf8');
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = parseJson(text);
    body = isJsonObject(parsed) ? parsed : undefined;
  } catch {
    body = undefined;
  }
  const status = response.status;
  // The server's code becomes our code only in the RFC 6749 §5.2 shape; its words are made one
  // printable line (no newlines, no terminal escapes) and capped.
  const sent = typeof body?.error === 'string' ? body.error : undefined;
  const code = sent !== undefined && OAUTH_CODE.test(sent) ? sent : sent !== undefined ? 'oauth_error' : undefined;
  const raw = [body?.error_description, body?.message, body?.detail].find((d): d is string => typeof d === 'string');
  const description = raw === undefined ? (code === 'oauth_error' ? printable(sent!, 80) : undefined) : printable(raw);
  const path = new URL(response.url).pathname;
  const where = `${what} (${path}) answered HTTP ${status}`;
  const said = `${code ? `: ${code}` : ''}${description ? `${code ? ':' : ''} ${description}` : ''}`;
  if (status >= 500) return new NetworkError('server_error', `${where}${code ? `: ${code}` : ''}${description ? ` (${description})` : ''}`);
  // Rate limiting is the server's state, not a refusal of the client, whatever code the body carries.
  if (status === 429)
    return new NetworkError('rate_limited', `${where}: rate limited${code ? ` (${code})` : ''}, and the limit was still in force after the allowed wait`);
  const refusal = status === 401 || status === 403 || (status === 400 && code !== undefined);
  // Some servers answer a dead refresh token with a bare 400: that is the grant refused, not a wrong URL.
  if (status === 400 && !code && context.grant === 'refresh_token')
    return new AuthError('invalid_grant', `${where} with ${text.trim() ? 'a non-OAuth body' : 'an empty body'}: the refresh token was refused`);
  if (!refusal) {
    const shape = !text.trim()
      ? 'an empty body'
      : /^\s*</.test(text)
        ? 'an HTML page'
        : code
          ? `${code}${description ? `: ${description}` : ''}`
          : 'a non-OAuth body';
    const errorCode = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : 'http_error';
    return new NetworkError(
      errorCode,
      `${where} with ${shape}`,
      `check the URL: is ${response.url.replace(/[?#].*$/, '')} really ${what}? (authctl profile show)`,
    );
  }
  const credentialHint = `${CREDENTIAL_HINTS[clientAuth]}${context.secretOrigin ? `; the one sent came from ${context.secretOrigin}` : ''}`;
  if (code) {
    // A standard OAuth code passes on as ours; any other is oauth_error, the server's code in the message.
    const known = isErrorCode(code) && ERRORS[code].exit === 'auth' ? (code as AuthCode) : 'oauth_error';
    const hint = known === 'invalid_client' || known === 'unauthorized_client' ? credentialHint : undefined;
    return new AuthError(known, `${where}${said}`, hint);
  }
  if (status === 401) return new AuthError('unauthorized', `${where}: credentials refused`, credentialHint);
  return new AuthError(
    'forbidden',
    `${where} with ${text.trim() ? 'a non-OAuth body' : 'an empty body'}: the request was refused`,
    'check the credentials and what this client is allowed to do',
  );
}
