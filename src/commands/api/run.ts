import type { Deps, GlobalOptions } from '../../deps.js';
import { AuthError, ExitCode, NetworkError, UsageError } from '../../errors.js';
import { parseJson } from '../../core/json.js';
import { allowedOrigins, targetUrl } from '../../core/origin.js';
import { revealSaid, said } from '../../core/untrusted-text.js';
import { secretRedactor } from '../../core/redact.js';
import { readTextFile } from '../../io/files.js';
import type { StreamingResponse } from '../../io/http.js';
import type { WrittenResult } from '../../io/output.js';
import { readAll } from '../../io/streams.js';
import { profileToken } from '../../services/profile-token.js';
import { type EndpointFlags, type Session, withSession } from '../../services/session.js';
import { forgetToken } from '../../services/tokens.js';

export interface ApiOptions extends EndpointFlags {
  method?: string;
  url?: string;
  header?: string[];
  data?: string;
  include?: boolean;
  /** Origins, besides the profile's own, that may receive its token in this run. */
  allowOrigin?: string[];
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * `[METHOD] URL` as gh api takes them: one operand is the URL; the method defaults by whether
 * there is a body. The URL must be on one of the profile's origins (core/origin.ts).
 */
function target(options: ApiOptions, session: Session): { method: string; url: string } {
  const [method, path] = options.url === undefined ? [undefined, options.method] : [options.method, options.url];
  if (!path) throw new UsageError('missing_argument', 'no URL given', "authctl api [METHOD] URL (a path is taken from the profile's base_url)");
  if (method !== undefined && !/^[A-Za-z]+$/.test(method)) throw new UsageError('invalid_argument', `"${method}" is not an HTTP method`);
  const url = targetUrl(path, session.profile.base_url, allowedOrigins(session.profile, options.allowOrigin ?? []));
  return { method: (method ?? (options.data !== undefined ? 'POST' : 'GET')).toUpperCase(), url: url.href };
}

function headers(options: ApiOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of options.header ?? []) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError('invalid_argument', `-H ${JSON.stringify(line)}: expected "Name: value"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'authorization')
      throw new UsageError(
        'conflicting_options',
        "the Authorization header is the profile's token",
        'drop -H Authorization, or use curl for a request of your own',
      );
    out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

async function body(options: ApiOptions, json: boolean, deps: Deps): Promise<string | undefined> {
  const data = options.data;
  if (data === undefined) return undefined;
  let text = data;
  if (data === '@-') {
    const read = await readAll(deps.io.stdin, MAX_BODY_BYTES);
    if (read === undefined) throw new UsageError('input_too_large', `the body on stdin is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
    text = read;
  } else if (data.startsWith('@')) {
    text = await readTextFile(data.slice(1), 'body file', MAX_BODY_BYTES);
  }
  if (json) {
    try {
      parseJson(text);
    } catch {
      throw new UsageError('invalid_argument', `--json: the body is not JSON${data.startsWith('@') ? ` (${data.slice(1)})` : ''}`);
    }
  }
  return text;
}

async function write(deps: Deps, chunk: string | Buffer): Promise<void> {
  if (!deps.io.stdout.write(chunk)) await new Promise((resolve) => deps.io.stdout.once('drain', () => resolve(undefined)));
}

/**
 * `authctl api`: the request with the profile's token in the Authorization header, the response
 * streamed to stdout. A 401 on a token from the cache evicts it and retries once with a fresh
 * one (the Gooclaim document: never retry 401 in a loop).
 */
export async function runApi(options: ApiOptions, deps: Deps, globals: GlobalOptions): Promise<WrittenResult> {
  return withSession(options, deps, globals, async (session) => {
    const { method, url } = target(options, session);
    const extra = headers(options);
    // The global --json: for api, the body it sends is JSON (its output is the server's body anyway).
    const payload = await body(options, globals.json, deps);
    const send = (token: string) =>
      session.open({
        method,
        url,
        headers: {
          accept: '*/*',
          ...(payload !== undefined ? { 'content-type': globals.json ? 'application/json' : 'application/x-www-form-urlencoded' } : {}),
          ...extra,
          authorization: `Bearer ${token}`,
        },
        body: payload,
      });
    let { token, cached } = await profileToken(session, deps, globals);
    deps.secrets.add(token);
    let response: StreamingResponse = await send(token);
    if (response.status === 401 && cached) {
      await response.discard();
      await forgetToken(session, token, deps, globals);
      if (globals.verbose) deps.io.stderr.write('  401 with the cached token: getting a fresh one and retrying once\n');
      ({ token, cached } = await profileToken(session, deps, globals, { force: true }));
      deps.secrets.add(token);
      response = await send(token);
    }
    if (options.include) {
      // Headers are the server's words on a terminal: sanitized and redacted. The body is the user's data, raw.
      const head = Object.entries(response.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => `${said(k)}: ${said(String(value))}`));
      await write(deps, revealSaid(`HTTP ${response.status}\n${head.join('\n')}\n\n`, secretRedactor(deps.secrets)));
    }
    for await (const chunk of response.chunks()) await write(deps, chunk);
    const status = response.status;
    if (status >= 200 && status < 300) return { written: ExitCode.ok };
    const what = `${method} ${url.replace(/[?#].*$/, '')} answered HTTP ${status}`;
    if (status === 401)
      throw new AuthError('unauthorized', `${what}${cached ? '' : ' with a fresh token'}`, "check the profile's credentials and what this client may call");
    if (status >= 500) throw new NetworkError('server_error', what);
    deps.io.stderr.write(`authctl: ${what}\n`);
    return { written: ExitCode.checkFailed };
  });
}
