import { UsageError } from '../errors.js';

/**
 * THE origin rule: where a profile's token may be sent. A URL is parsed once, the WHATWG way
 * undici parses it (so `HTTP://evil`, `\\evil/x` and `http://good@evil/` mean what they will
 * mean on the wire), and its origin (scheme, host, port) must be one of the profile's own.
 * `http` never stands in for `https`: they are different origins.
 */

/**
 * An origin as written by a person (`https://api.example.com`, with or without a port or a
 * trailing slash) in its canonical form, or a usage error naming what is wrong with it.
 *
 * @example canonicalOrigin('HTTPS://API.Example.com:443/') // 'https://api.example.com'
 */
export function canonicalOrigin(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('invalid_argument', `${what} "${text}" is not an origin such as https://api.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('invalid_argument', `${what} "${text}" is not an http or https origin`);
  if (url.username || url.password) throw new UsageError('invalid_argument', `${what} "${text}" has a user name or password in it`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw new UsageError('invalid_argument', `${what} "${text}" has a path; an origin is a scheme, a host and a port`, `use ${url.origin}`);
  return url.origin;
}

/**
 * The origins a profile's token may go to: its base_url's, its `api_origins`, and those given
 * for this run (`--allow-origin`).
 *
 * @example allowedOrigins({ base_url: 'https://a.example/v1' }, []) // Set { 'https://a.example' }
 */
export function allowedOrigins(profile: { base_url?: string; api_origins?: readonly string[] }, extra: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (profile.base_url) {
    try {
      out.add(new URL(profile.base_url).origin);
    } catch {
      // a base_url that is not a URL allows nothing
    }
  }
  for (const origin of profile.api_origins ?? []) out.add(canonicalOrigin(origin, 'api_origins entry'));
  for (const origin of extra) out.add(canonicalOrigin(origin, '--allow-origin'));
  out.delete('null');
  return out;
}

/**
 * The URL a request names, from an absolute URL or a path on `base` (a path is taken below the
 * base's own path: `/claims` on `https://a/v1` is `https://a/v1/claims`), parsed once. Whatever
 * it spells, the result is refused unless its origin is allowed (`untrusted_origin`).
 *
 * @example targetUrl('/v1/x', 'https://a.example', new Set(['https://a.example'])).href // 'https://a.example/v1/x'
 */
export function targetUrl(input: string, base: string | undefined, allowed: ReadonlySet<string>): URL {
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(input);
  let url: URL;
  try {
    url = absolute ? new URL(input) : new URL(input.replace(/^\/(?![/\\])/, ''), `${(base ?? '').replace(/\/?$/, '/')}`);
  } catch {
    throw new UsageError(
      'invalid_argument',
      base ? `"${input}" is not a URL or path` : `"${input}" is not an absolute URL, and the profile has no base_url to take a path from`,
    );
  }
  if (url.username || url.password)
    throw new UsageError('untrusted_origin', 'the URL carries a user name or password; the profile’s token is not sent to it', 'write the URL without user@');
  if (!allowed.has(url.origin)) {
    const hint =
      url.protocol === 'http:' && allowed.has(`https://${url.host}`)
        ? 'the profile’s origin is https; authctl never sends its token over http instead'
        : `if ${url.origin} is really this profile's API, allow it with --allow-origin ${url.origin} (or api_origins in the profile)`;
    throw new UsageError(
      'untrusted_origin',
      `${url.origin} is not one of the profile's origins (${allowed.size ? [...allowed].join(', ') : 'none: no base_url or api_origins'}); the token was not sent`,
      hint,
    );
  }
  return url;
}

/** An absolute http(s) URL with a host: what a profile's endpoint, or a request `--htu` names, must be. */
export function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}
