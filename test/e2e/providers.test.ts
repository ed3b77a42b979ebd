import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, sandbox } from '../helpers/cli.js';
import { SEED, startProviders, type ProviderFixture } from '../helpers/providers.js';

let dir: string;
let env: Record<string, string>;
let fx: ProviderFixture & { setJustgoldKey(pem: string): unknown };
const run = (args: string[], extra: Record<string, string> = {}, input?: string) => runCli(args, { cwd: dir, input, env: { ...env, ...extra } });
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

beforeAll(async () => {
  ({ dir, env } = sandbox());
  fx = (await startProviders()) as typeof fx;
  const add = async (...args: string[]) => expect((await run(['profile', 'add', ...args])).code).toBe(0);
  await add('gooclaim', '--provider', 'gooclaim', '--base-url', `${fx.url}/gooclaim`, '--client-id', SEED.gooclaim.clientId);
  await add('gamif', '--provider', 'gamification', '--base-url', `${fx.url}/gamif`, '--expect-iss', 'your-tenant-id', '--expect-aud', 'your-application-id');
  await add('wm', '--provider', 'webmethods', '--base-url', fx.url, '--extra-body', '{"claimsSet":{"name":"username","company":"organization"}}');
  await add('kc', '--provider', 'keycloak', '--issuer', `${fx.url}/realms/acme`, '--client-id', SEED.keycloak.clientId, '--username', SEED.keycloak.username);
  await add('jg', '--provider', 'justgold', '--base-url', `${fx.url}/justgold`, '--private-key', 'private.pem', '--expect-iss', 'partner-123');
});
afterAll(async () => {
  await fx.close();
  cleanupHomes();
});

describe('Gooclaim: client_credentials with a JSON body, Bearer + JSON introspection', () => {
  const secret = { AUTHCTL_CLIENT_SECRET: SEED.gooclaim.clientSecret };

  it('gets an RS256 machine token with a JSON body and prints it bare', async () => {
    fx.tokenRequests.length = 0;
    const r = await run(['token', 'get', '--profile', 'gooclaim', '--store', 'file'], secret);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(r.stdout).toBe(`${token}\n`);
    expect(payloadOf(token)).toMatchObject({ sub: SEED.gooclaim.clientId, tenant_id: SEED.gooclaim.tenant, aud: 'gooclaim-api' });
    expect(fx.tokenRequests).toHaveLength(1);
    expect(fx.tokenRequests[0]!.contentType).toBe('application/json');
    expect(JSON.parse(fx.tokenRequests[0]!.body)).toEqual({
      grant_type: 'client_credentials',
      client_id: SEED.gooclaim.clientId,
      client_secret: SEED.gooclaim.clientSecret,
    });
  });

  it('reuses the cached token instead of asking again, until --force', async () => {
    fx.tokenRequests.length = 0;
    const a = await run(['token', 'get', '--profile', 'gooclaim', '--store', 'file', '--output', 'json'], secret);
    const b = await run(['token', 'get', '--profile', 'gooclaim', '--store', 'file', '--output', 'json'], secret);
    expect(JSON.parse(a.stdout).source).toBe('cache');
    expect(JSON.parse(b.stdout).access_token).toBe(JSON.parse(a.stdout).access_token);
    expect(fx.tokenRequests).toHaveLength(0);
    const forced = await run(['token', 'get', '--profile', 'gooclaim', '--store', 'file', '--force', '--output', 'json'], secret);
    expect(JSON.parse(forced.stdout).source).toBe('network');
    expect(fx.tokenRequests).toHaveLength(1);
    const list = await run(['token', 'cache', 'list', '--store', 'file', '--json']);
    const entries = JSON.parse(list.stdout).entries;
    expect(entries[0]).toMatchObject({ profile: 'gooclaim', grant: 'client_credentials', fresh: true });
    expect(list.stdout).not.toContain(JSON.parse(forced.stdout).access_token);
  });

  it('20 concurrent token get make one request and print the same token', async () => {
    await run(['token', 'cache', 'clear', '--store', 'file']);
    fx.tokenRequests.length = 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => run(['token', 'get', '--profile', 'gooclaim', '--store', 'file'], secret)));
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(fx.tokenRequests).toHaveLength(1);
  }, 60_000);

  it('waits out a 429 with Retry-After, then succeeds; gives up past --max-wait', async () => {
    fx.rateLimit.remaining = 1;
    fx.rateLimit.retryAfter = '1';
    fx.tokenRequests.length = 0;
    const started = Date.now();
    const r = await run(['token', 'get', '--profile', 'gooclaim', '--no-cache'], secret);
    expect(r.code).toBe(0);
    expect(fx.tokenRequests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // it did wait out Retry-After: 1
    fx.rateLimit.remaining = 5;
    fx.rateLimit.retryAfter = '20';
    const limited = await run(['token', 'get', '--profile', 'gooclaim', '--no-cache', '--max-wait', '2s'], secret);
    expect(limited.code).toBe(3);
    expect(limited.stderr).toMatch(/error\[rate_limited\]/);
    fx.rateLimit.remaining = 0;
  });

  it('a wrong secret is invalid_client, exit 4, asked once (no 401 loop), secret never echoed', async () => {
    fx.tokenRequests.length = 0;
    const r = await run(['token', 'get', '--profile', 'gooclaim', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 'wrong-secret-value' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^authctl: error\[invalid_client\]: the token endpoint \(\/gooclaim\/v1\/auth\/token\) answered HTTP 401: invalid_client: unknown client or wrong secret/,
    );
    expect(r.stderr).not.toContain('wrong-secret-value');
    expect(fx.tokenRequests).toHaveLength(1);
  });

  it('introspects with Bearer auth and a JSON body, showing tenant_id and scope', async () => {
    const token = (await run(['token', 'get', '--profile', 'gooclaim', '--no-cache'], secret)).stdout.trim();
    const r = await run(['introspect', '--profile', 'gooclaim', '--store', 'file', token], secret);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ active/);
    expect(r.stdout).toMatch(/tenant_id\s+tenant-42/);
    expect(r.stdout).toMatch(/scope\s+workflow:read audit:read/);
    const inactive = await run(['introspect', '--profile', 'gooclaim', '--store', 'file', '--json', `${token.slice(0, -4)}AAAA`], secret);
    expect(inactive.code).toBe(1);
    expect(JSON.parse(inactive.stdout).active).toBe(false);
  });

  it('--verbose traces never show the secret or a whole token', async () => {
    const r = await run(['token', 'get', '--profile', 'gooclaim', '--no-cache', '-v'], secret);
    expect(r.stderr).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/gooclaim\/v1\/auth\/token/);
    expect(r.stderr).not.toContain(SEED.gooclaim.clientSecret);
    expect(r.stderr).not.toContain(r.stdout.trim());
  });
});

describe('Keycloak: password grant, refresh before expiry, JWKS', () => {
  const creds = { AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret, AUTHCTL_PASSWORD: SEED.keycloak.password };

  it('discovers the endpoints, gets a 300 s token with a form body, verifies it through the JWKS', async () => {
    fx.tokenRequests.length = 0;
    const r = await run(['token', 'get', '--profile', 'kc', '--store', 'file', '--output', 'json', '--show-refresh-token'], creds);
    expect(r.stderr).toMatch(/^authctl: warning: using the plaintext credential file .* \(mode 0600\), not the OS keychain\n$/);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ expires_in: 300, token_type: 'Bearer', source: 'network', refresh_token_stored: true });
    expect(doc.refresh_token).toBeTypeOf('string');
    // the refresh token is a credential of the profile, in the chosen store, not in the token cache
    const stored = JSON.parse(readFileSync(join(dir, 'data', 'authctl', 'credentials.json'), 'utf8'));
    expect(JSON.parse(stored['kc/refresh_token']).secret).toBe(doc.refresh_token);
    const cacheFiles = readdirSync(join(dir, 'cache', 'authctl', 'tokens')).map((f) => readFileSync(join(dir, 'cache', 'authctl', 'tokens', f), 'utf8'));
    expect(cacheFiles.some((text) => text.includes(doc.access_token))).toBe(true);
    expect(cacheFiles.some((text) => text.includes(doc.refresh_token))).toBe(false);
    // without --show-refresh-token the JSON never carries it
    const hidden = await run(['token', 'get', '--profile', 'kc', '--store', 'file', '--output', 'json'], creds);
    expect(JSON.parse(hidden.stdout)).toMatchObject({ source: 'cache', refresh_token_stored: true });
    expect(hidden.stdout).not.toContain(doc.refresh_token);
    expect(fx.tokenRequests[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(fx.tokenRequests[0]!.body))).toEqual({
      grant_type: 'password',
      username: SEED.keycloak.username,
      password: SEED.keycloak.password,
      client_id: SEED.keycloak.clientId,
      client_secret: SEED.keycloak.clientSecret,
    });
    const v = await run(['verify', '--profile', 'kc', doc.access_token]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it('token refresh uses the cached refresh token (no password sent)', async () => {
    fx.tokenRequests.length = 0;
    const r = await run(['token', 'refresh', '--profile', 'kc', '--store', 'file', '--output', 'json'], { AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret });
    expect(r.stderr).not.toMatch(/error/);
    expect(JSON.parse(r.stdout).source).toBe('refresh');
    expect(new URLSearchParams(fx.tokenRequests[0]!.body).get('grant_type')).toBe('refresh_token');
    expect(fx.tokenRequests[0]!.body).not.toContain('password=');
  });

  it('a refused refresh token: token refresh says invalid_grant (exit 4); token get signs in again and says so', async () => {
    const first = JSON.parse(
      (await run(['token', 'get', '--profile', 'kc', '--store', 'file', '--output', 'json', '--show-refresh-token', '--force'], creds)).stdout,
    );
    // revoked behind authctl's back (another machine), so the store still holds it
    const revoked = await fetch(`${fx.url}/realms/acme/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: first.refresh_token,
        token_type_hint: 'refresh_token',
        client_id: SEED.keycloak.clientId,
        client_secret: SEED.keycloak.clientSecret,
      }),
    });
    expect(revoked.status).toBe(200);
    fx.tokenRequests.length = 0;
    const refused = await run(['token', 'refresh', '--profile', 'kc', '--store', 'file'], creds);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^authctl: error\[invalid_grant\]: /m);
    expect(refused.stderr).not.toContain(first.refresh_token);
    expect(fx.tokenRequests.map((t) => new URLSearchParams(t.body).get('grant_type'))).toEqual(['refresh_token']);

    // token get, once the cached access token is stale, tries the refresh token first
    const second = JSON.parse(
      (await run(['token', 'get', '--profile', 'kc', '--store', 'file', '--output', 'json', '--show-refresh-token', '--force'], creds)).stdout,
    );
    await fetch(`${fx.url}/realms/acme/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: second.refresh_token, client_id: SEED.keycloak.clientId, client_secret: SEED.keycloak.clientSecret }),
    });
    const tokensDir = join(dir, 'cache', 'authctl', 'tokens');
    for (const file of readdirSync(tokensDir)) {
      const record = JSON.parse(readFileSync(join(tokensDir, file), 'utf8'));
      record.secret = JSON.stringify({ ...JSON.parse(record.secret), reuseUntil: 0 });
      writeFileSync(join(tokensDir, file), JSON.stringify(record));
    }
    fx.tokenRequests.length = 0;
    const again = await run(['token', 'get', '--profile', 'kc', '--store', 'file', '--output', 'json', '--show-refresh-token'], creds);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/the stored refresh token was refused \(invalid_grant\); signing in again with the password grant/);
    expect(fx.tokenRequests.map((t) => new URLSearchParams(t.body).get('grant_type'))).toEqual(['refresh_token', 'password']);
    expect(JSON.parse(again.stdout).refresh_token).not.toBe(second.refresh_token);
  });

  it('introspection (RFC 7662), revocation (RFC 7009), then inactive', async () => {
    const token = (await run(['token', 'get', '--profile', 'kc', '--no-cache'], creds)).stdout.trim();
    const active = await run(['introspect', '--profile', 'kc', '--json', token], creds);
    expect(active.code).toBe(0);
    expect(JSON.parse(active.stdout)).toMatchObject({ active: true, client_id: SEED.keycloak.clientId, preferred_username: 'alice' });
    expect((await run(['token', 'revoke', '--profile', 'kc', token], creds)).code).toBe(0);
    const inactive = await run(['introspect', '--profile', 'kc', token], creds);
    expect(inactive.code).toBe(1);
    expect(inactive.stdout).toMatch(/✖ inactive/);
  });

  it('a wrong password is invalid_grant (exit 4)', async () => {
    const r = await run(['token', 'get', '--profile', 'kc', '--no-cache'], { ...creds, AUTHCTL_PASSWORD: 'nope' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[invalid_grant\].*Invalid user credentials/);
  });

  it('no password anywhere and no terminal: credential_missing naming the sources', async () => {
    const r = await run(['token', 'get', '--profile', 'kc', '--no-cache'], {
      AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/--password-file or --password-stdin or AUTHCTL_PASSWORD/);
  });

  it('reads the password from a file', async () => {
    writeFileSync(join(dir, 'pw'), `${SEED.keycloak.password}\n`);
    const r = await run(['token', 'get', '--profile', 'kc', '--no-cache', '--password-file', 'pw'], { AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret });
    expect(r.code).toBe(0);
  });
});

describe('webMethods: getJsonWebToken with the API key and a claimsSet', () => {
  it('sends the API key header and the claimsSet, gets a JWT whose sub is the application id', async () => {
    fx.tokenRequests.length = 0;
    const r = await run(['token', 'get', '--profile', 'wm', '--no-cache'], { AUTHCTL_API_KEY: SEED.webmethods.apiKey });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(payloadOf(r.stdout.trim())).toMatchObject({ sub: SEED.webmethods.appId, name: 'username', company: 'organization' });
    expect(JSON.parse(fx.tokenRequests[0]!.body)).toEqual({ claimsSet: { name: 'username', company: 'organization' } });
    expect(fx.tokenRequests[0]!.headers['x-gateway-apikey']).toBe(SEED.webmethods.apiKey);
  });

  it('a wrong API key (401, empty body) gets a clear message', async () => {
    const r = await run(['token', 'get', '--profile', 'wm', '--no-cache'], { AUTHCTL_API_KEY: 'wrong' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[unauthorized\]: the token endpoint \(\/gateway\/security\/getJsonWebToken\) answered HTTP 401: credentials refused/);
  });
});

describe('gamification: HS256 tokens checked by GET /v1/auth/verify', () => {
  const env2 = { AUTHCTL_SECRET: SEED.gamification.secret };
  it('a minted token is valid remotely; an expired one maps to token_expired', async () => {
    const token = (
      await run(
        ['--profile', 'gamif', 'token', 'mint', '--sub', 'user_123', '--iss', 'your-tenant-id', '--aud', 'your-application-id', '--scope', 'read write'],
        env2,
      )
    ).stdout.trim();
    const ok = await run(['--profile', 'gamif', 'verify', '--remote', token]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid according to .*\/gamif\/v1\/auth\/verify/);
    const expired = (
      await run(
        [
          '--profile',
          'gamif',
          'token',
          'mint',
          '--sub',
          'u',
          '--iss',
          'your-tenant-id',
          '--aud',
          'your-application-id',
          '--iat',
          '-2h',
          '--exp',
          '-1h',
          '--allow-invalid',
        ],
        env2,
      )
    ).stdout.trim();
    const r = await run(['--profile', 'gamif', 'verify', '--remote', '--json', expired]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].code).toBe('token_expired');
    const forged = (
      await run(['token', 'mint', '--sub', 'u', '--iss', 't', '--aud', 'a', '--exp', '5m'], { AUTHCTL_SECRET: 'another-secret-0123456789-abcdefgh' })
    ).stdout.trim();
    expect(JSON.parse((await run(['--profile', 'gamif', 'verify', '--remote', '--json', forged])).stdout).findings[0].code).toBe('invalid_signature');
  });
});

describe('faults at the token endpoint', () => {
  it('a refused connection is retried with back-off, then exit 3', async () => {
    await run(['profile', 'add', 'down', '--token-url', 'http://127.0.0.1:9/token', '--client-id', 'c']);
    const r = await run(['token', 'get', '--profile', 'down', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 'x' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[network_unreachable\]/);
  });

  it('an HTML error page from the token endpoint is named as such', async () => {
    await run(['profile', 'add', 'html', '--token-url', `${fx.url}/nowhere/token`, '--client-id', 'c']);
    const r = await run(['token', 'get', '--profile', 'html', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 'x' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[not_found\]: the token endpoint \(\/nowhere\/token\) answered HTTP 404/);
    expect(r.stderr).toMatch(/hint: check the URL/);
  });
});

describe('JustGold: partner-signed tokens, GET /v1/ping', () => {
  it('the public PEM goes to the provider; tokens minted with the profile pass ping', async () => {
    expect((await run(['keygen', '--type', 'rsa', '--out', 'private'])).code).toBe(0);
    fx.setJustgoldKey(readFileSync(join(dir, 'private.pub.pem'), 'utf8'));
    const token = (await run(['--profile', 'jg', 'token', 'mint', '--iss', 'partner-123', '--sub', 'user-123'])).stdout.trim();
    const ping = await fetch(`${fx.url}/justgold/v1/ping`, { headers: { authorization: `Bearer ${token}` } });
    expect(ping.status).toBe(200);

    // authctl ping sends it to the profile's health endpoint
    const ok = await run(['ping', '--profile', 'jg', '--json', token]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ url: `${fx.url}/justgold/v1/ping`, healthy: true, info: { status: 'ok' } });
    expect(ok.stdout).not.toContain(token);

    // an expired token is refused with JustGold's code on the shared vocabulary
    const expired = (
      await run(['--profile', 'jg', 'token', 'mint', '--iss', 'partner-123', '--sub', 'user-123', '--iat', '-2h', '--exp', '-1h', '--allow-invalid'])
    ).stdout.trim();
    const refused = await run(['ping', '--profile', 'jg', expired]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/✖ .*\/justgold\/v1\/ping refused the token\n.*token_expired/);

    // without a token, ping mints one from the profile: the template has the partner id (from
    // --expect-iss) but no subject
    const noIss = await run(['ping', '--profile', 'jg']);
    expect(noIss.code).toBe(1);
    expect(noIss.stderr).toMatch(/error\[missing_required_claim\]: refusing to mint .*\n.*\[profiles\.jg\.mint\]/);
  });

  it("with the partner id in the profile's claims template, ping mints its own token; check runs ping too", async () => {
    const config = join(dir, 'cfg', 'authctl', 'config.toml');
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('[profiles.jg.mint]\n');
    expect(text).toMatch(/\[profiles\.jg\.mint\]\n(.*\n)*iss = "partner-123"/);
    writeFileSync(config, text.replace('[profiles.jg.mint]\n', '[profiles.jg.mint]\nsub = "user-123"\n'));
    const r = await run(['ping', '--profile', 'jg']);
    expect(r.stdout).toMatch(/^✔ http:\/\/127\.0\.0\.1:\d+\/justgold\/v1\/ping answered in \d+ ms\n {2}status +ok\n$/);
    expect(r.code).toBe(0);
    const c = await run(['check', 'jg', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).checks.find((x: { check: string }) => x.check === 'health')).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/justgold\/v1\/ping answered 2xx/),
    });
  });
});
