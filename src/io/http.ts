import { EnvHttpProxyAgent, request } from 'undici';
import { NetworkError } from '../errors.js';
import { VERSION } from '../version.js';
import { printable, said } from '../core/untrusted-text.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  url: string;
  /** From sending the request to the last byte of the response. */
  elapsedMs: number;
}

/** A response whose body is read as it arrives (`authctl api` streams it to stdout). */
export interface StreamingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  url: string;
  chunks(): AsyncIterable<Buffer>;
  /** Reads and drops the rest of the body (before a retry). */
  discard(): Promise<unknown>;
  startedAt: number;
}

export interface HttpClient {
  /** The whole response, at most `maxBytes` (1 MiB): for token, metadata and other small answers. */
  send(request: HttpRequest): Promise<HttpResponse>;
  /** The response head, its body to be streamed. */
  open(request: HttpRequest): Promise<StreamingResponse>;
  close(): Promise<void>;
}

export interface HttpOptions {
  /** Whole-request budget, connect to last byte. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for --cacert. */
  ca?: string;
  /** Client certificate chain and private key (PEM) for mutual TLS. */
  clientCert?: { cert: string; key: string };
  /** Response bodies larger than this are refused. */
  maxBytes?: number;
  /** Proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), from the injected environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Receives one redacted line per request and response for --verbose. */
  trace?: (line: string) => void;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/;

function describeFailure(error: unknown, url: URL, timeoutMs: number): NetworkError {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
  const where = `${url.protocol}//${url.host}`;
  if (
    error instanceof Error &&
    (error.name === 'TimeoutError' || error.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
  ) {
    return new NetworkError('network_timeout', `no complete response from ${where} within ${timeoutMs / 1000} s`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new NetworkError('network_timeout', `connecting to ${where} timed out`);
  if (code === 'ECONNREFUSED')
    return new NetworkError('network_unreachable', `cannot connect to ${where}: connection refused`, 'is the server running on that port?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new NetworkError(
      'network_unreachable',
      `cannot resolve ${url.hostname}`,
      code === 'EAI_AGAIN' ? 'no answer from DNS: check the network (or HTTPS_PROXY)' : 'no such host: check the host name in the URL',
    );
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return new NetworkError('network_unreachable', `${where} closed the connection`);
  if (TLS_CODES.test(code)) return new NetworkError('tls_error', `TLS with ${where} failed: ${code}`);
  return new NetworkError('network_error', `request to ${where} failed${code ? `: ${code}` : ''}`);
}

/**
 * One HTTP client over undici for every endpoint call: proxies from the environment, a
 * connect and a total timeout, a response size cap, no redirects (a redirect is an error
 * naming its target, so credentials never travel to a second host), and a User-Agent.
 */
export function createHttpClient(options: HttpOptions): HttpClient {
  const tls = options.ca || options.clientCert ? { ...(options.ca ? { ca: options.ca } : {}), ...options.clientCert } : undefined;
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: options.env.HTTP_PROXY ?? options.env.http_proxy,
    httpsProxy: options.env.HTTPS_PROXY ?? options.env.https_proxy,
    noProxy: options.env.NO_PROXY ?? options.env.no_proxy,
    connectTimeout: options.connectTimeoutMs ?? Math.min(options.timeoutMs, 10_000),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    ...(tls ? { connect: tls, requestTls: tls } : {}),
  });
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;

  /** Sends a request and hands back the response head with its body still to be read. */
  async function open(req: HttpRequest): Promise<StreamingResponse> {
    const url = new URL(req.url);
    const started = Date.now();
    options.trace?.(`> ${req.method} ${said(`${url.origin}${url.pathname}`)}`);
    let response;
    try {
      response = await request(url, {
        method: req.method,
        headers: { 'user-agent': `authctl/${VERSION}`, accept: 'application/json', ...req.headers },
        body: req.body,
        dispatcher,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw describeFailure(error, url, options.timeoutMs);
    }
    if (response.statusCode >= 300 && response.statusCode < 400) {
      await response.body.dump().catch(() => undefined);
      const location = response.headers.location;
      throw new NetworkError(
        'redirect_refused',
        `${url.origin}${url.pathname} answered ${response.statusCode} redirecting to ${location === undefined ? '(no location)' : printable(String(location), 200)}; authctl does not follow redirects`,
      );
    }
    const body = response.body;
    return {
      status: response.statusCode,
      headers: response.headers,
      url: url.toString(),
      async *chunks() {
        let size = 0;
        try {
          for await (const chunk of body) {
            size += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
        } catch (error) {
          throw describeFailure(error, url, options.timeoutMs);
        }
        options.trace?.(`< ${response.statusCode} ${said(`${url.origin}${url.pathname}`)} (${size} bytes, ${Date.now() - started} ms)`);
      },
      discard: () => body.dump().catch(() => undefined),
      startedAt: started,
    };
  }

  return {
    open,
    async send(req) {
      const response = await open(req);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.chunks()) {
        size += chunk.length;
        if (size > maxBytes) {
          await response.discard();
          throw new NetworkError(
            'response_too_large',
            `${req.url.replace(/[?#].*$/, '')} sent more than ${Math.round(maxBytes / 1024)} KiB; refusing the response`,
          );
        }
        chunks.push(chunk);
      }
      return { status: response.status, headers: response.headers, body: Buffer.concat(chunks), url: response.url, elapsedMs: Date.now() - response.startedAt };
    },
    close: () => dispatcher.close(),
  };
}
