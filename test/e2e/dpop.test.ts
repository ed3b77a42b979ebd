import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';

/**
 * DPoP (RFC 9449) end to end against serve, which checks every proof strictly (signature with the
 * embedded key, typ, htm/htu, iat window, jti replay, ath, the bound key, nonces): a profile that
 * uses DPoP gets a bound token, calls the API with fresh proofs, and a stolen token is no use.
 */
let box: ReturnType<typeof sandbox>;
let server: Served;
const SECRET = { AUTHCTL_CLIENT_SECRET: 'dpop-client-secret-0123456789' };
let key: Record<string, string>;
let otherKey: Record<string, string>;
let jkt: string;
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

beforeAll(async () => {
  box = sandbox();
  writeFileSync(
    join(box.dir, 'serve.toml'),
    `dpop_nonce = true
[[clients]]
client_id = "dpop-client"
client_secret = "dpop-client-secret-0123456789"
grants = ["client_credentials", "password", "refresh_token"]
scopes = ["api:read"]
dpop_bound_access_tokens = true
[[clients]]
client_id = "dpop-public"
auth = ["none"]
grants = ["password", "refresh_token"]
scopes = ["api:read"]
[[users]]
username = "alice"
password = "alice-pw-0123456789"
`,
  );
  server = await serve(['--settings', 'serve.toml'], box.env, box.dir);
  for (const args of [
    ['keygen', '--type', 'ec', '--out', 'dpop'],
    ['keygen', '--type', 'ed25519', '--out', 'other'],
    ['profile', 'add', 'dp', '--issuer', server.issuer, '--base-url', server.issuer, '--client-id', 'dpop-client', '--dpop'],
    ['profile', 'add', 'plain', '--issuer', server.issuer, '--client-id', 'dpop-client'],
    [
      'profile',
      'add',
      'person',
      '--issuer',
      server.issuer,
      '--client-id',
      'dpop-public',
      '--client-auth',
      'none',
      '--grant',
      'password',
      '--username',
      'alice',
      '--dpop',
    ],
    ['profile', 'add', 'confidential', '--issuer', server.issuer, '--client-id', 'dpop-client', '--grant', 'password', '--username', 'alice', '--dpop'],
  ])
    expect((await box.run(args)).code).toBe(0);
  // The profile's DPoP key from the environment (CI), so the test knows its thumbprint.
  key = { AUTHCTL_DPOP_KEY: readFileSync(join(box.dir, 'dpop.pem'), 'utf8') };
  otherKey = { AUTHCTL_DPOP_KEY: readFileSync(join(box.dir, 'other.pem'), 'utf8') };
  jkt = (await box.run(['key', 'thumbprint', 'dpop.pem'])).stdout.trim();
}, 60_000);
afterAll(async () => {
  await server.stop();
  cleanupHomes();
});

describe('DPoP against serve', () => {
  it('a DPoP profile gets a token bound to its key (after the nonce the server asks for); introspection shows cnf', async () => {
    const got = await box.run(['-v', '--profile', 'dp', 'token', 'get', '--output', 'json'], { ...SECRET, ...key });
    expect(got.code).toBe(0);
    expect(got.stderr).toMatch(/asks for a DPoP nonce: sending once more with it/);
    const doc = JSON.parse(got.stdout);
    expect(doc).toMatchObject({ token_type: 'DPoP', source: 'network' });
    expect(payloadOf(doc.access_token).cnf).toEqual({ jkt });
    expect((await box.run(['decode', doc.access_token])).stdout).toContain(`bound to a DPoP key (RFC 9449), thumbprint ${jkt}`);
    const introspected = await box.run(['--profile', 'dp', 'introspect', '--json', doc.access_token], SECRET);
    expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    // cached, and handed out again to a run that holds the key
    expect(JSON.parse((await box.run(['--profile', 'dp', 'token', 'get', '--output', 'json'], { ...SECRET, ...key })).stdout).source).toBe('cache');
    // never to one that holds another key: that run gets its own token, bound to its own key
    const elsewhere = JSON.parse((await box.run(['--profile', 'dp', 'token', 'get', '--output', 'json'], { ...SECRET, ...otherKey })).stdout);
    expect(elsewhere.source).toBe('network');
    expect(payloadOf(elsewhere.access_token).cnf.jkt).not.toBe(jkt);
  });

  it('without AUTHCTL_DPOP_KEY the key is made once and kept as the dpop_key credential (here the file store), never in the token cache', async () => {
    const first = await box.run(['-v', '--profile', 'dp', 'token', 'get', '--store', 'file', '--no-cache', '--output', 'json'], SECRET);
    expect(first.stderr).toMatch(/made a DPoP key for profile dp \(kept as its dpop_key credential\)/);
    const second = await box.run(['-v', '--profile', 'dp', 'token', 'get', '--store', 'file', '--no-cache', '--output', 'json'], SECRET);
    expect(second.stderr).not.toMatch(/made a DPoP key/);
    const [a, b] = [first, second].map((r) => payloadOf(JSON.parse(r.stdout).access_token).cnf.jkt);
    expect(a).toBe(b);
    const listed = JSON.parse((await box.run(['--profile', 'dp', 'credentials', 'list', '--store', 'file', '--json'])).stdout);
    expect(JSON.stringify(listed)).toContain('dpop_key');
    // the key never lands in the token cache files
    const cacheFiles = readdirSync(box.env.XDG_CACHE_HOME!, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(cacheFiles.length).toBeGreaterThan(0);
    for (const entry of cacheFiles) expect(readFileSync(join(entry.parentPath, entry.name), 'utf8')).not.toContain('PRIVATE KEY');
  });

  it('api calls the resource twice in a row, each time with a fresh proof the server accepts', async () => {
    for (const path of ['/v1/things', '/v1/things']) {
      const r = await box.run(['--profile', 'dp', 'api', path], { ...SECRET, ...key });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ path: '/v1/things', method: 'GET', client_id: 'dpop-client' });
    }
  });

  it('ping and check present a DPoP-bound token with a proof to the health endpoint', async () => {
    const health = [
      'profile',
      'add',
      'health',
      '--issuer',
      server.issuer,
      '--client-id',
      'dpop-client',
      '--dpop',
      '--health-url',
      `${server.issuer}/v1/health`,
    ];
    expect((await box.run(health)).code).toBe(0);
    const ping = await box.run(['--profile', 'health', 'ping', '--json'], { ...SECRET, ...key });
    expect(JSON.parse(ping.stdout)).toMatchObject({ healthy: true });
    const check = await box.run(['--profile', 'health', 'check', '--json'], { ...SECRET, ...key });
    const rows = JSON.parse(check.stdout).checks as { check: string; status: string }[];
    expect(rows.find((row) => row.check === 'health')).toMatchObject({ status: 'pass' });
  });

  it('--output header prints both headers for one request: they work once, not replayed, not for another URL; the token alone as Bearer is refused', async () => {
    const url = `${server.issuer}/v1/orders`;
    const missing = await box.run(['--profile', 'dp', 'token', 'get', '--output', 'header'], { ...SECRET, ...key });
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([
      2,
      'authctl: error[missing_argument]: a DPoP-bound token goes with a proof made for one request',
    ]);
    const printed = (await box.run(['--profile', 'dp', 'token', 'get', '--output', 'header', '--htu', url], { ...SECRET, ...key })).stdout.trim().split('\n');
    expect(printed[0]).toMatch(/^Authorization: DPoP ey/);
    expect(printed[1]).toMatch(/^DPoP: ey/);
    const headers = Object.fromEntries(printed.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
    // the proof carries the nonce the server gave out last (remembered across runs), so it works the first time
    const first = await fetch(url, { headers });
    expect(first.status).toBe(200);
    const replay = await fetch(url, { headers });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    const elsewhere = await fetch(`${server.issuer}/v1/admin`, { headers });
    expect(elsewhere.status).toBe(401);
    const token = headers.Authorization!.replace(/^DPoP /, '');
    const stolen = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('www-authenticate')).toMatch(/^DPoP algs=".*", error="invalid_token"/);
    expect(await stolen.json()).toMatchObject({ error_description: 'the token is DPoP-bound: send it as Authorization: DPoP, with a proof' });
  });

  it('verify --dpop-proof checks a proof against its token, its key and the request', async () => {
    const url = `${server.issuer}/v1/orders`;
    const printed = (await box.run(['--profile', 'dp', 'token', 'get', '--output', 'header', '--htu', url, '--htm', 'POST'], { ...SECRET, ...key })).stdout
      .trim()
      .split('\n');
    const token = printed[0]!.replace(/^Authorization: DPoP /, '');
    const proof = printed[1]!.replace(/^DPoP: /, '');
    const ok = await box.run(['verify', '--json', '--issuer', server.issuer, '--dpop-proof', proof, '--htm', 'POST', '--htu', url, token]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true });
    const wrong = await box.run(['verify', '--json', '--issuer', server.issuer, '--dpop-proof', proof, '--htu', `${server.issuer}/v1/other`, token]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).findings.map((f: { code: string; claim: string }) => `${f.code} ${f.claim}`)).toEqual([
      'invalid_token dpop.htm',
      'invalid_token dpop.htu',
    ]);
    // a token with no cnf.jkt has no proof to go with it
    const unbound = (await box.run(['token', 'mint', '--key', 'dpop.pem', '--sub', 'x', '--exp', '5m'])).stdout.trim();
    const notBound = await box.run(['verify', '--json', '--key', 'dpop.pub.pem', '--dpop-proof', proof, '--htu', url, unbound]);
    expect(notBound.code).toBe(1);
    expect(JSON.parse(notBound.stdout).findings).toEqual([expect.objectContaining({ code: 'invalid_token', claim: 'cnf' })]);
  });

  it('a server that does not do DPoP ignores the proof and issues a Bearer token: authctl says it is not bound', async () => {
    const { createServer } = await import('node:http');
    const plain = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"opaque-0123456789","token_type":"Bearer","expires_in":60}'),
      );
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(plain.address() as { port: number }).port}/token`;
      expect((await box.run(['profile', 'add', 'nodpop', '--token-url', url, '--client-id', 'c', '--dpop'])).code).toBe(0);
      const r = await box.run(['--profile', 'nodpop', 'token', 'get'], { ...SECRET, ...key });
      expect([r.code, r.stdout.trim()]).toEqual([0, 'opaque-0123456789']);
      expect(r.stderr).toBe('authctl: warning: profile nodpop uses DPoP, but the server issued a Bearer token: it is not bound to the key\n');
    } finally {
      plain.closeAllConnections();
      plain.close();
    }
  });

  it("a client registered for DPoP cannot get a Bearer token; a public client's refresh token bound to one key does not refresh with another", async () => {
    const bearer = await box.run(['--profile', 'plain', 'token', 'get', '--no-cache'], SECRET);
    expect([bearer.code, bearer.stderr.split('\n')[0]]).toEqual([
      4,
      expect.stringMatching(/^authctl: error\[invalid_dpop_proof\]: .*a DPoP proof is required/),
    ]);
    const person = { ...SECRET, AUTHCTL_PASSWORD: 'alice-pw-0123456789', ...key };
    const first = await box.run(['--profile', 'person', 'token', 'get', '--store', 'file', '--output', 'json'], person);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ token_type: 'DPoP', refresh_token_stored: true });
    const refreshed = await box.run(['--profile', 'person', 'token', 'refresh', '--store', 'file', '--output', 'json'], person);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ token_type: 'DPoP', source: 'refresh' });
    const thief = await box.run(['--profile', 'person', 'token', 'refresh', '--store', 'file'], { ...person, ...otherKey });
    expect(thief.code).toBe(4);
    expect(thief.stderr).toMatch(/the grant is bound to another DPoP key/);
  });

  it("a confidential client's refresh token is bound by its authentication (RFC 9449 §5): a refresh may bring a new key", async () => {
    const confidential = { ...SECRET, AUTHCTL_PASSWORD: 'alice-pw-0123456789' };
    expect((await box.run(['--profile', 'confidential', 'token', 'get', '--store', 'file'], { ...confidential, ...key })).code).toBe(0);
    const rotated = await box.run(['--profile', 'confidential', 'token', 'refresh', '--store', 'file', '--output', 'json'], { ...confidential, ...otherKey });
    expect(rotated.stderr).toBe(
      'authctl: warning: using the plaintext credential file ' +
        join(box.env.XDG_DATA_HOME!, 'authctl', 'credentials.json') +
        ' (mode 0600), not the OS keychain\n',
    );
    const doc = JSON.parse(rotated.stdout);
    expect(doc).toMatchObject({ token_type: 'DPoP', source: 'refresh' });
    expect(payloadOf(doc.access_token).cnf.jkt).toBe((await box.run(['key', 'thumbprint', 'other.pem'])).stdout.trim());
  });
});
