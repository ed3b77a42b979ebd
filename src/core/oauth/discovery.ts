import { NetworkError, UsageError } from '../../errors.js';
import { parseJson, describeValue } from '../json.js';

export interface ServerMetadata {
  issuer: string;
  jwks_uri?: string;
  token_endpoint?: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  authorization_endpoint?: string;
  device_authorization_endpoint?: string;
  /** RFC 9126 §5. */
  pushed_authorization_request_endpoint?: string;
  require_pushed_authorization_requests?: boolean;
  /** RFC 9449 §5.1. */
  dpop_signing_alg_values_supported?: unknown;
  [key: string]: unknown;
}

/** A response as the processors below see it: no sockets, just status, headers and bytes. */
export interface ResponseLike {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  url: string;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * Where an issuer's metadata lives: OpenID Connect Discovery appends to the issuer; RFC 8414
 * inserts the well-known segment between host and path.
 *
 * @example discoveryUrls('https://idp/realms/a') // ['https://idp/realms/a/.well-known/openid-configuration', 'https://idp/.well-known/oauth-authorization-server/realms/a']
 */
export function discoveryUrls(issuer: string): string[] {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UsageError('invalid_argument', `issuer ${JSON.stringify(issuer)} is not a URL`);
  }
  const path = trimSlash(url.pathname);
  return [`${trimSlash(issuer)}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

/** Parses a JSON object body, or throws `invalid_response` naming the URL and what it got. */
export function jsonBody(response: ResponseLike, what: string): Record<string, unknown> {
  const type = String(response.headers['content-type'] ?? '');
  let value: unknown;
  try {
    value = parseJson(Buffer.from(response.body).toString('utf8'));
  } catch {
    const looksHtml = /html/i.test(type) || /^\s*</.test(Buffer.from(response.body.subarray(0, 64)).toString('utf8'));
    throw new NetworkError('invalid_response', `${what} from ${response.url} is not JSON${looksHtml ? ' (an HTML page)' : ''} (HTTP ${response.status})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NetworkError('invalid_response', `${what} from ${response.url} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Checks a metadata response; RFC 8414 §3.3: its `issuer` must be the one asked for. */
export function parseServerMetadata(response: ResponseLike, issuer: string): ServerMetadata {
  if (response.status !== 200)
    throw new NetworkError(
      'http_error',
      `metadata request to ${response.url} answered HTTP ${response.status}`,
      "check the issuer URL where it was given: --issuer, or the profile's issuer",
    );
  const metadata = jsonBody(response, 'server metadata');
  if (typeof metadata.issuer !== 'string' || trimSlash(metadata.issuer) !== trimSlash(issuer)) {
    throw new NetworkError(
      'invalid_response',
      `the metadata at ${response.url} is for issuer ${describeValue(metadata.issuer)}, not ${JSON.stringify(issuer)}`,
      'a mismatch means the document cannot be trusted for this issuer',
    );
  }
  // The endpoints receive the client's secrets: a document fetched over https cannot send them over
  // http, nor to a URL with credentials in it.
  const secure = new URL(issuer).protocol === 'https:';
  for (const name of ENDPOINT_FIELDS) {
    const value = metadata[name];
    if (value === undefined) continue;
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    const why = !url
      ? 'is not a URL'
      : url.protocol !== 'https:' && (secure || url.protocol !== 'http:')
        ? `is not https (${url.protocol.replace(/:$/, '')})`
        : url.username || url.password
          ? 'carries a user name or password'
          : undefined;
    if (why)
      throw new NetworkError(
        'invalid_response',
        `the metadata at ${response.url}: ${name} ${why}`,
        'a document that downgrades its endpoints cannot be trusted',
      );
  }
  return metadata as ServerMetadata;
}

/** Metadata fields that name an endpoint authctl calls. */
const ENDPOINT_FIELDS = [
  'token_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'device_authorization_endpoint',
  'authorization_endpoint',
  'jwks_uri',
  'pushed_authorization_request_endpoint',
] as const;

/** A JWKS response: HTTP 200 and a `keys` array. */
export function parseJwksResponse(response: ResponseLike): { keys: Record<string, unknown>[] } {
  if (response.status !== 200) {
    throw new NetworkError(
      'http_error',
      `JWKS request to ${response.url} answered HTTP ${response.status}`,
      "check the key set's URL where it was given: --jwks, the profile's jwks_uri, or the jwks_uri in the issuer's metadata",
    );
  }
  const body = jsonBody(response, 'the JWKS');
  if (!Array.isArray(body.keys)) throw new NetworkError('invalid_response', `the JWKS from ${response.url} has no "keys" array`);
  return body as { keys: Record<string, unknown>[] };
}

const DEFAULT_CACHE_SECONDS = 300;

/**
 * How long a response may be reused, from Cache-Control: no-store/no-cache mean not at all,
 * max-age (or s-maxage) says how long; without the header, a conservative default.
 *
 * @example cacheSeconds({ 'cache-control': 'public, max-age=3600' }) // 3600
 */
export function cacheSeconds(headers: ResponseLike['headers']): number {
  const value = String(headers['cache-control'] ?? '').toLowerCase();
  if (!value) return DEFAULT_CACHE_SECONDS;
  if (/\b(no-store|no-cache|private)\b/.test(value)) return 0;
  const match = value.match(/\bs-maxage=(\d+)/) ?? value.match(/\bmax-age=(\d+)/);
  return match ? Number(match[1]) : DEFAULT_CACHE_SECONDS;
}
