import type { Deps } from '../deps.js';
import { NetworkError } from '../errors.js';
import { isJsonObject, parseJson } from '../core/json.js';
import { nextDelay, type RetryPolicy } from '../core/oauth/retry.js';
import type { HttpClient, HttpRequest, HttpResponse, StreamingResponse } from '../io/http.js';

/** Sends under the bounded retry policy; what each request carries joins the redaction set first. */
export interface Sender {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** The same, for a response whose body is streamed (`authctl api`). */
  open(request: HttpRequest): Promise<StreamingResponse>;
}

/** What a request carries, for the redaction set. */
type SentRequest = { headers?: Record<string, string>; body?: string };

/** Request fields that carry a token or a secret: whatever a server echoes of them is redacted. */
const SECRET_FIELDS = new Set([
  'token',
  'assertion',
  'client_assertion',
  'client_secret',
  'password',
  'refresh_token',
  'subject_token',
  'actor_token',
  'code',
  'code_verifier',
  'device_code',
]);

/**
 * Every token and secret a request carries: the credentials of its Authorization header (a Basic
 * pair, a bearer token) and the secret fields of a form or JSON body (API keys and client secrets
 * join the set when the resolver reads them).
 */
function sentSecrets(request: SentRequest): string[] {
  const out: string[] = [];
  const headers = request.headers ?? {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'authorization') out.push(value.replace(/^\S+\s+/, ''));
  if (!request.body) return out;
  const type = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (type.includes('json')) {
    try {
      const body = parseJson(request.body);
      if (isJsonObject(body)) for (const [key, value] of Object.entries(body)) if (SECRET_FIELDS.has(key) && typeof value === 'string') out.push(value);
    } catch {}
  } else {
    for (const [key, value] of new URLSearchParams(request.body)) if (SECRET_FIELDS.has(key)) out.push(value);
  }
  return out.filter((secret) => secret.length > 0);
}

function retryable(error: unknown): boolean {
  return error instanceof NetworkError && (error.code === 'network_unreachable' || error.code === 'network_error');
}

/**
 * The one retrying sender (token requests and `api` alike): 429/503 with Retry-After and a failed
 * connection are retried within the policy's attempts and total wait; a response given up on is
 * drained before the next attempt.
 */
export function retryingSender(http: HttpClient, policy: RetryPolicy, deps: Deps, verbose: boolean): Sender {
  async function retrying<R extends { status: number; headers: HttpResponse['headers'] }>(
    request: SentRequest,
    once: () => Promise<R>,
    drop?: (response: R) => Promise<unknown>,
  ): Promise<R> {
    for (const secret of sentSecrets(request)) deps.run.secrets.add(secret);
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let response: R | undefined;
      let failure: unknown;
      try {
        response = await once();
      } catch (error) {
        if (!retryable(error)) throw error;
        failure = error;
      }
      const delay = nextDelay(
        { status: response?.status, retryAfter: response?.headers['retry-after'], connectionFailed: failure !== undefined },
        attempt,
        waited,
        policy,
        deps.nowMs(),
      );
      if (delay === undefined) {
        if (failure) throw failure;
        return response!;
      }
      if (response) await drop?.(response);
      if (verbose) deps.io.stderr.write(`  retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${policy.maxAttempts})\n`);
      await deps.sleep(delay);
      waited += delay;
    }
  }
  return {
    send: (request) => retrying(request, () => http.send(request)),
    open: (request) =>
      retrying(
        request,
        () => http.open(request),
        (response) => response.discard(),
      ),
  };
}
