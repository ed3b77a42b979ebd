import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, UsageError } from '../errors.js';

const DONE_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>authctl</title></head><body><h1>Signed in</h1><p>You can close this tab and go back to the terminal.</p></body></html>';
const FAILED_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>authctl</title></head><body><h1>Sign-in did not finish</h1><p>Go back to the terminal for what happened.</p></body></html>';

export interface Callback {
  /** Where the authorization server sends the browser back. */
  redirectUri: string;
  /** The query of the first request to the callback path, or a timeout error. */
  wait(timeoutMs: number): Promise<URLSearchParams>;
  close(): Promise<void>;
}

/**
 * A one-request HTTP listener on the loopback interface for the redirect back from the
 * browser (RFC 8252 §7.3: 127.0.0.1 and a port the system picks), or on the host and port of a
 * fixed `redirect_uri` the server requires. It answers with a plain "you can close this tab".
 */
export async function listenForCallback(fixed: string | undefined): Promise<Callback> {
  const target = fixed ? new URL(fixed) : new URL('http://127.0.0.1/callback');
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new UsageError(
      'invalid_argument',
      `redirect_uri ${fixed} is not a loopback http:// address authctl can listen on`,
      'use http://127.0.0.1:PORT/callback (RFC 8252 §7.3)',
    );
  }
  let deliver: (query: URLSearchParams) => void = () => {};
  const arrived = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== target.pathname) return void res.writeHead(404).end();
    const ok = url.searchParams.has('code');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(ok ? DONE_PAGE : FAILED_PAGE);
    deliver(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UsageError('listen_failed', `cannot listen for the sign-in redirect on ${target.host}: ${error.code ?? error.message}`)),
    );
    server.listen(target.port ? Number(target.port) : 0, target.hostname.replace(/^\[|\]$/g, ''), resolve);
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = fixed ?? `http://127.0.0.1:${port}${target.pathname}`;
  return {
    redirectUri,
    wait: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new AuthError(
                'access_denied',
                `no sign-in within ${Math.round(timeoutMs / 1000)} s`,
                'run it again (and finish the sign-in in the browser), or raise --timeout',
              ),
            ),
          timeoutMs,
        );
      });
      return Promise.race([arrived, timeout]).finally(() => clearTimeout(timer));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
