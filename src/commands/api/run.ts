import type { Deps, GlobalOptions } from '../../deps.js';
import { AuthError, ExitCode, NetworkError, UsageError } from '../../errors.js';
import { parseJson } from '../../core/json.js';
import { bodyContentType, type Field, fieldsObject, fieldsQuery, nextPage, parseField } from '../../core/api-request.js';
import { allowedOrigins, targetUrl } from '../../core/origin.js';
import { revealSaid, said, terminalSafe } from '../../core/untrusted-text.js';
import { secretRedactor } from '../../core/redact.js';
import { readTextFile } from '../../io/files.js';
import type { StreamingResponse } from '../../io/http.js';
import type { WrittenResult } from '../../io/output.js';
import { readAll } from '../../io/streams.js';
import { presenting, profileToken } from '../../services/profile-token.js';
import { type EndpointFlags, type Session, withSession } from '../../services/session.js';
import { forgetToken } from '../../services/tokens.js';

export interface ApiOptions extends EndpointFlags {
  method?: string;
  url?: string;
  /** -X: the method (the positional one is the same). */
  forceMethod?: string;
  header?: string[];
  data?: string;
  /** --input FILE|-: the body, raw. */
  input?: string;
  /** -f key=value (strings) and -F key=value (typed), as gh api. */
  rawField?: string[];
  field?: string[];
  include?: boolean;
  paginate?: boolean;
  slurp?: boolean;
  /** Origins, besides the profile's own, that may receive its token in this run. */
  allowOrigin?: string[];
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request to make: the method, the URL on one of the profile's origins, the body and its type. */
interface Planned {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
}

/**
 * `[METHOD] URL` as gh api takes them (or -X): one operand is the URL; the method is POST when
 * there is a body or fields, else GET. Fields make a JSON body, or the query string of a GET. The
 * URL must be on one of the profile's origins (core/origin.ts).
 */
async function plan(options: ApiOptions, session: Session, deps: Deps): Promise<Planned> {
  const [positional, path] = options.url === undefined ? [undefined, options.method] : [options.method, options.url];
  if (!path) throw new UsageError('missing_argument', 'no URL given', "authctl api [METHOD] URL (a path is taken from the profile's base_url)");
  if (positional !== undefined && options.forceMethod !== undefined)
    throw new UsageError('conflicting_options', 'the method is given twice (an operand and -X)', 'drop one of them');
  const given = options.forceMethod ?? positional;
  if (given !== undefined && !/^[A-Za-z]+$/.test(given)) throw new UsageError('invalid_argument', `"${given}" is not an HTTP method`);
  const fields = [
    ...(options.rawField ?? []).map((f) => parseField(f, false)),
    ...(await Promise.all((options.field ?? []).map(async (f) => readFieldFile(parseField(f, true), deps)))),
  ];
  const sources = [options.data !== undefined && '-d', options.input !== undefined && '--input', fields.length > 0 && '-f/-F'].filter(Boolean);
  if (sources.length > 1) throw new UsageError('conflicting_options', `the body is given twice (${sources.join(' and ')})`, 'give it one way');
  const method = (given ?? (sources.length ? 'POST' : 'GET')).toUpperCase();
  const target = targetUrl(path, session.profile.base_url, allowedOrigins(session.profile, options.allowOrigin ?? []));
  if (fields.length && method === 'GET') {
    const query = fieldsQuery(fields);
    target.search = target.search ? `${target.search.slice(1)}&${query}` : query;
    return { method, url: target.href };
  }
  if (fields.length) return { method, url: target.href, body: JSON.stringify(fieldsObject(fields)), contentType: 'application/json' };
  // --input names a file (or -), as gh api; -d takes text, @file or @-, as curl.
  const text = await rawBody(options.input === undefined ? options.data : options.input === '-' ? '@-' : `@${options.input}`, deps);
  return { method, url: target.href, ...(text !== undefined ? { body: text, contentType: bodyContentType(text) } : {}) };
}

/** -F key=@file (or @- for stdin): the file's contents, as a string. */
async function readFieldFile(field: Field, deps: Deps): Promise<Field> {
  if (!field.value.startsWith('@')) return field;
  const value = field.value === '@-' ? await stdinText(deps) : await readTextFile(field.value.slice(1), 'field file', MAX_BODY_BYTES);
  return { ...field, value, typed: false };
}

async function stdinText(deps: Deps): Promise<string> {
  const read = await readAll(deps.io.stdin, MAX_BODY_BYTES);
  if (read === undefined) throw new UsageError('input_too_large', `the body on stdin is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
  return read;
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

/** The body as -d takes it: text, @file, or @- for stdin. */
async function rawBody(given: string | undefined, deps: Deps): Promise<string | undefined> {
  if (given === undefined) return undefined;
  if (given === '@-') return stdinText(deps);
  if (given.startsWith('@')) return readTextFile(given.slice(1), 'body file', MAX_BODY_BYTES);
  return given;
}

async function write(deps: Deps, chunk: string | Buffer): Promise<void> {
  if (!deps.io.stdout.write(chunk)) await new Promise((resolve) => deps.io.stdout.once('drain', () => resolve(undefined)));
}

/**
 * `authctl api`: the request with the profile's token in the Authorization header, the response
 * on stdout: raw bytes in a pipe, JSON pretty-printed (and everything through the sanitizer) on a
 * terminal, through --jq when asked. A 401 on a token from the cache evicts it and retries once with
 * a fresh one (the Gooclaim document: never retry 401 in a loop). --paginate follows `Link:
 * rel="next"` on the profile's own origins only; --slurp gathers the pages into one JSON array.
 */
export async function runApi(options: ApiOptions, deps: Deps, globals: GlobalOptions): Promise<WrittenResult> {
  if (options.slurp && !options.paginate) throw new UsageError('invalid_argument', '--slurp gathers the pages of --paginate', 'add --paginate');
  const jq = globals.jq === undefined ? undefined : await (await import('../../io/jq.js')).loadJqFilter(globals.jq);
  return withSession(options, deps, globals, async (session) => {
    const extra = headers(options);
    const origins = allowedOrigins(session.profile, options.allowOrigin ?? []);
    // The URL and the body are settled (and the origin rule applied) before any token is fetched.
    let request: Planned | undefined = await plan(options, session, deps);
    let { token, cached, dpop } = await profileToken(session, deps, globals);
    deps.run.secrets.add(token);
    // A fresh proof for each request when the token is DPoP-bound (services/profile-token.ts presenting).
    const open = (request: Planned, credential: string, bound: boolean | undefined) =>
      presenting(
        session,
        {
          method: request.method,
          url: request.url,
          headers: { accept: '*/*', ...(request.contentType ? { 'content-type': request.contentType } : {}), ...extra },
          body: request.body,
        },
        { token: credential, dpop: bound },
        session.open,
        (response) => response.discard(),
      );
    const send = async (request: Planned): Promise<StreamingResponse> => {
      const response = await open(request, token, dpop);
      if (response.status !== 401 || !cached) return response;
      await response.discard();
      await forgetToken(session, token, deps, globals);
      if (globals.verbose) deps.io.stderr.write('  401 with the cached token: getting a fresh one and retrying once\n');
      ({ token, cached, dpop } = await profileToken(session, deps, globals, { force: true }));
      deps.run.secrets.add(token);
      return open(request, token, dpop);
    };
    // The body is read whole only to shape it (a terminal, --jq, --slurp); in a pipe it streams.
    const shape = jq !== undefined || options.slurp === true || deps.io.stdout.isTTY === true;
    const pages: unknown[] = [];
    let response: StreamingResponse;
    let method: string;
    do {
      method = request.method;
      response = await send(request);
      if (options.include) {
        // Headers are the server's words: sanitized and redacted.
        const head = Object.entries(response.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => `${said(k)}: ${said(String(value))}`));
        await write(deps, terminalSafe(revealSaid(`HTTP ${response.status}\n${head.join('\n')}\n\n`, secretRedactor(deps.run.secrets)), false));
      }
      const ok = response.status >= 200 && response.status < 300;
      if (!shape) for await (const chunk of response.chunks()) await write(deps, chunk);
      else {
        const text = await wholeBody(response);
        if (options.slurp && ok) pages.push(jsonOf(text, '--slurp'));
        else await write(deps, present(text, jq, deps));
      }
      const next: string | undefined = ok && options.paginate ? nextPage(response.headers.link, request.url) : undefined;
      // The next page is a URL the server chose: the origin rule decides whether the token goes there.
      request = next === undefined ? undefined : { method: 'GET', url: targetUrl(next, session.profile.base_url, origins).href };
    } while (request);
    if (options.slurp && pages.length) await write(deps, present(JSON.stringify(pages), jq, deps));
    const status = response.status;
    if (status >= 200 && status < 300) return { written: ExitCode.ok };
    const what = `${method} ${response.url.replace(/[?#].*$/, '')} answered HTTP ${status}`;
    if (status === 401)
      throw new AuthError('unauthorized', `${what}${cached ? '' : ' with a fresh token'}`, "check the profile's credentials and what this client may call");
    if (status >= 500) throw new NetworkError('server_error', what);
    deps.io.stderr.write(`authctl: ${what}\n`);
    return { written: ExitCode.checkFailed };
  });
}

/** Responses read whole (to shape them) are bounded: a larger one is an error, not memory. */
const MAX_SHAPED_BYTES = 64 * 1024 * 1024;

async function wholeBody(response: StreamingResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.chunks()) {
    size += chunk.length;
    if (size > MAX_SHAPED_BYTES)
      throw new NetworkError('invalid_response', `the response is over ${MAX_SHAPED_BYTES / 1024 / 1024} MiB`, 'pipe it instead: in a pipe the body streams');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function jsonOf(text: string, why: string): unknown {
  try {
    return parseJson(text);
  } catch {
    throw new NetworkError('invalid_response', `${why} needs JSON, and the response is not JSON`);
  }
}

/** A body to show: through --jq; on a terminal JSON pretty-printed, any text sanitized, with a final newline. */
function present(text: string, jq: ((value: unknown) => string) | undefined, deps: Deps): string {
  if (jq) return terminalSafe(jq(jsonOf(text, '--jq')), false);
  if (!deps.io.stdout.isTTY) return text;
  let shown = text;
  try {
    shown = JSON.stringify(parseJson(text), null, 2);
  } catch {
    // not JSON: shown as it is, sanitized
  }
  shown = terminalSafe(shown, false);
  return shown === '' || shown.endsWith('\n') ? shown : `${shown}\n`;
}
