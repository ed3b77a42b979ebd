import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A token endpoint that misbehaves in every way the issue lists. Each fault gives one line with
 * a stable code and the exit code from CLI.md, in bounded time, and never echoes the secret.
 */
let dir: string;
let env: Record<string, string>;
let server: FixtureServer;
const SECRET = 'fault-test-client-secret';

beforeAll(async () => {
  dir = tmpHome();
  env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data'), AUTHCTL_CLIENT_SECRET: SECRET };
  server = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/500/token') return json(res, { error: 'server_error', error_description: 'database down' }, {}, 500);
    if (path === '/malformed/token') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token": "abc", ');
    if (path === '/no-token/token') return json(res, { token_type: 'Bearer', expires_in: 60 });
    if (path === '/big/token') return void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"access_token":"${'a'.repeat(2 * 1024 * 1024)}"}`);
    if (path === '/redirect/token') return void res.writeHead(307, { location: 'http://127.0.0.1:9/token' }).end();
    if (path === '/slow/token') return void setTimeout(() => json(res, { access_token: 'late', token_type: 'Bearer' }), 5000);
    if (path === '/limited/token') return json(res, { error: 'slow_down' }, { 'retry-after': '120' }, 429);
    if (path === '/null/token') return void res.writeHead(200, { 'content-type': 'application/json' }).end('null');
    if (path === '/array/token') return json(res, ['access_token']);
    if (path === '/wrong-method/token') return json(res, { error: 'method_not_allowed' }, {}, 405);
    if (path === '/api-key/token') return void res.writeHead(401).end();
    if (path === '/ok/token') return json(res, { access_token: `direct-${String(req.headers['user-agent'])}`, token_type: 'Bearer' });
    json(res, { error: 'not_found' }, {}, 404);
  });
  for (const name of ['500', 'malformed', 'no-token', 'big', 'redirect', 'slow', 'limited', 'ok', 'null', 'array', 'missing', 'wrong-method']) {
    expect((await runCli(['profile', 'add', name, '--token-url', `${server.url}/${name}/token`, '--client-id', 'c'], { cwd: dir, env })).code).toBe(0);
  }
  expect((await runCli(['profile', 'add', 'api-key', '--token-url', `${server.url}/api-key/token`, '--client-auth', 'api_key'], { cwd: dir, env })).code).toBe(
    0,
  );
});
afterAll(async () => {
  await server.close();
  cleanupHomes();
});

describe('token endpoint faults', () => {
  it.each([
    ['500', 3, /^authctl: error\[server_error\]: the token endpoint \(\/500\/token\) answered HTTP 500: server_error \(database down\)$/m],
    ['malformed', 3, /^authctl: error\[invalid_response\]: /m],
    ['no-token', 3, /^authctl: error\[invalid_response\]: the token endpoint \(\/no-token\/token\) answered HTTP 200 without an access token$/m],
    ['big', 3, /^authctl: error\[response_too_large\]: /m],
    ['redirect', 3, /^authctl: error\[redirect_refused\]: .* answered 307 redirecting to http:\/\/127\.0\.0\.1:9\/token; authctl does not follow redirects$/m],
    ['slow', 3, /^authctl: error\[network_timeout\]: no complete response from http:\/\/127\.0\.0\.1:\d+ within 1 s$/m],
    ['null', 3, /^authctl: error\[invalid_response\]: the token endpoint \(\/null\/token\) answered HTTP 200 with JSON that is not an object$/m],
    ['array', 3, /^authctl: error\[invalid_response\]: the token endpoint \(\/array\/token\) answered HTTP 200 with JSON that is not an object$/m],
    // Not an authentication refusal: a server or URL problem (exit 3), with a hint about the URL.
    [
      'missing',
      3,
      /^authctl: error\[not_found\]: the token endpoint \(\/missing\/token\) answered HTTP 404 with not_found\nhint: check the URL: is http:\/\/127\.0\.0\.1:\d+\/missing\/token really the token endpoint\?/m,
    ],
    ['wrong-method', 3, /^authctl: error\[method_not_allowed\]: the token endpoint \(\/wrong-method\/token\) answered HTTP 405/m],
    // The hint fits how the client authenticates: an API-key client is told about its API key.
    [
      'api-key',
      4,
      /^authctl: error\[unauthorized\]: the token endpoint \(\/api-key\/token\) answered HTTP 401: credentials refused\nhint: check the API key \(AUTHCTL_API_KEY/m,
    ],
    [
      'limited',
      3,
      /^authctl: error\[rate_limited\]: the token endpoint \(\/limited\/token\) answered HTTP 429: rate limited \(slow_down\), and the limit was still in force after the allowed wait$/m,
    ],
  ])('%s: exit %d with one line', async (name, code, message) => {
    const started = Date.now();
    const r = await runCli(['token', 'get', '--profile', name, '--no-cache', '--timeout', '1s', '--max-wait', '2s'], {
      cwd: dir,
      env: { ...env, AUTHCTL_API_KEY: SECRET },
    });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain(SECRET);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('the redirect was not followed: the credentials went to one host only', () => {
    expect(server.hits.filter((h) => h.startsWith('POST /redirect/')).length).toBe(1);
  });
});

describe('proxies from the environment', () => {
  it('HTTP_PROXY carries the request through the proxy; NO_PROXY bypasses it; the User-Agent names authctl', async () => {
    // A minimal proxy, as corporate proxies are: it tunnels (CONNECT, for https targets) and
    // forwards (an absolute-form request, which undici sends for a plain http target), and
    // records the target of each.
    const tunnels: string[] = [];
    const proxy = createHttpServer((req, res) => {
      const target = new URL(String(req.url));
      tunnels.push(target.host);
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy.on('connect', (req: IncomingMessage, client: Socket) => {
      tunnels.push(String(req.url));
      const [host, port] = String(req.url).split(':');
      const upstream = connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const viaProxy = await runCli(['token', 'get', '--profile', 'ok', '--no-cache'], { cwd: dir, env: { ...env, HTTP_PROXY: proxyUrl } });
      expect(viaProxy.stdout).toMatch(/^direct-authctl\/\d+\.\d+\.\d+\n$/);
      expect(tunnels).toEqual([new URL(server.url).host]);

      const direct = await runCli(['token', 'get', '--profile', 'ok', '--no-cache'], {
        cwd: dir,
        env: { ...env, HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' },
      });
      expect(direct.stdout).toMatch(/^direct-authctl\//);
      expect(tunnels).toHaveLength(1);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
