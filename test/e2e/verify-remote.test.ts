import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';

let dir: string;
let env: Record<string, string>;
let server: FixtureServer;
/** The JWKS the server publishes; tests rotate keys by changing it. */
let published: { keys: unknown[] } = { keys: [] };
let jwksHeaders: Record<string, string> = { 'cache-control': 'max-age=600' };
let metadataIssuer: string | undefined;

const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });
const jwksOf = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.jwks.json`), 'utf8'));
const mint = async (key: string, iss = server.url) =>
  (await run(['token', 'mint', '--key', `${key}.jwk.json`, '--sub', 's', '--iss', iss, '--exp', '10m'])).stdout.trim();

beforeAll(async () => {
  dir = tmpHome();
  env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_CACHE_HOME: join(dir, 'cache') };
  server = await startServer((req, res, base) => {
    const path = req.url ?? '';
    if (path === '/.well-known/openid-configuration') return json(res, { issuer: metadataIssuer ?? base, jwks_uri: `${base}/jwks` });
    if (path === '/realm/.well-known/openid-configuration') return json(res, {}, {}, 404);
    if (path === '/.well-known/oauth-authorization-server/realm') return json(res, { issuer: `${base}/realm`, jwks_uri: `${base}/jwks` });
    if (path === '/jwks') return json(res, published, jwksHeaders);
    if (path === '/html') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html><body>Bad gateway</body></html>');
    }
    if (path === '/big') return json(res, { keys: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    if (path === '/redirect') {
      res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      return res.end();
    }
    if (path === '/slow') return void setTimeout(() => json(res, published), 5000);
    json(res, { error: 'not_found' }, {}, 404);
  });
  for (const name of ['one', 'two']) await run(['keygen', '--type', 'ec', '--format', 'jwk', '--kid', name, '--out', name]);
  published = jwksOf('one');
});
afterAll(async () => {
  await server.close();
  cleanupHomes();
});

describe('verify against remote keys (a real server on 127.0.0.1)', () => {
  it('discovers the JWKS from the issuer, checks iss, and caches the JWKS on disk', async () => {
    server.hits.length = 0;
    const token = await mint('one');
    const first = await run(['verify', '--issuer', server.url, token]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(server.hits).toEqual(['GET /.well-known/openid-configuration', 'GET /jwks']);
    const second = await run(['verify', '--jwks', `${server.url}/jwks`, token]);
    expect(second.code).toBe(0);
    expect(server.hits).toHaveLength(2); // served from the cache, as max-age allowed
    const noCache = await run(['verify', '--jwks', `${server.url}/jwks`, '--no-jwks-cache', token]);
    expect(noCache.code).toBe(0);
    expect(server.hits).toHaveLength(3);
  });

  it('fails the issuer check for a token from elsewhere', async () => {
    const token = await mint('one', 'https://evil.example');
    const r = await run(['verify', '--issuer', server.url, '--json', token]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code)).toEqual(['invalid_issuer']);
  });

  it('re-fetches the JWKS once when the kid is unknown (key rotation), not more', async () => {
    await run(['verify', '--jwks', `${server.url}/jwks`, await mint('one')]); // cache holds "one"
    published = { keys: [...jwksOf('one').keys, ...jwksOf('two').keys] };
    server.hits.length = 0;
    const rotated = await run(['verify', '--jwks', `${server.url}/jwks`, await mint('two')]);
    expect(rotated.code).toBe(0);
    expect(server.hits).toEqual(['GET /jwks']);
    published = jwksOf('one');
    const gone = await run(['verify', '--jwks', `${server.url}/jwks`, '--no-jwks-cache', await mint('two')]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/invalid_signature.*no key in the JWKS has kid "two"/);
  });

  it('honours Cache-Control: no-store', async () => {
    jwksHeaders = { 'cache-control': 'no-store' };
    const url = `${server.url}/jwks?nostore`;
    server.hits.length = 0;
    await run(['verify', '--jwks', url, await mint('one')]);
    await run(['verify', '--jwks', url, await mint('one')]);
    expect(server.hits).toEqual([`GET /jwks?nostore`, `GET /jwks?nostore`]);
    jwksHeaders = { 'cache-control': 'max-age=600' };
  });

  it('falls back to RFC 8414 metadata for an issuer with a path', async () => {
    const token = await mint('one', `${server.url}/realm`);
    const r = await run(['verify', '--issuer', `${server.url}/realm`, '--no-jwks-cache', token]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses metadata that names another issuer', async () => {
    metadataIssuer = 'https://someone-else.example';
    const r = await run(['verify', '--issuer', server.url, await mint('one')]);
    metadataIssuer = undefined;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[invalid_response\]: the metadata at .* is for issuer "https:\/\/someone-else\.example"/);
  });

  it('uses the profile jwks_uri when no key is given', async () => {
    await run(['profile', 'add', 'remote', '--jwks-uri', `${server.url}/jwks`]);
    expect((await run(['--profile', 'remote', 'verify', await mint('one')])).code).toBe(0);
  });

  it.each([
    ['/html', 3, /error\[http_error\]: JWKS request to .*\/html answered HTTP 502/],
    ['/big', 3, /error\[response_too_large\]/],
    ['/redirect', 3, /error\[redirect_refused\]: .* answered 302 redirecting to http:\/\/127\.0\.0\.1:9\/elsewhere/],
    ['/nothing', 3, /error\[http_error\]: .*HTTP 404/],
  ])('%s gives exit %d with a one-line error', async (path, code, message) => {
    const r = await run(['verify', '--jwks', `${server.url}${path}`, await mint('one')]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('times out in bounded time', async () => {
    const started = Date.now();
    const r = await run(['verify', '--jwks', `${server.url}/slow`, '--timeout', '1s', await mint('one')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[network_timeout\]/);
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('a refused connection is exit 3', async () => {
    const r = await run(['verify', '--jwks', 'http://127.0.0.1:9/jwks', await mint('one')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[network_unreachable\]: cannot connect to http:\/\/127\.0\.0\.1:9: connection refused/);
  });

  it('--verbose traces requests on stderr', async () => {
    const r = await run(['verify', '-v', '--no-jwks-cache', '--jwks', `${server.url}/jwks`, await mint('one')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^> GET http:\/\/127\.0\.0\.1:\d+\/jwks\n< 200 /);
  });
});
