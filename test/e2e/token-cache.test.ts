import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, runCli, tmpHome, sandbox } from '../helpers/cli.js';
import { addGooclaim, SEED, startProviders, type ProviderFixture } from '../helpers/providers.js';
import { executed } from '../helpers/coverage.js';

let dir: string;
let env: Record<string, string>;
let fx: ProviderFixture;
/** No D-Bus session at all: a CI runner, a container, an SSH session. */
const NO_DBUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
const secret = { AUTHCTL_CLIENT_SECRET: SEED.gooclaim.clientSecret, ...NO_DBUS };
const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });
const locks = () =>
  existsSync(join(dir, 'cache', 'authctl', 'locks')) ? readdirSync(join(dir, 'cache', 'authctl', 'locks')).filter((f) => f.endsWith('.lock')) : [];

beforeAll(async () => {
  ({ dir, env } = sandbox());
  fx = await startProviders();
  expect((await run(addGooclaim('gooclaim', fx.url))).code).toBe(0);
  expect(
    (
      await run([
        'profile',
        'add',
        'kc',
        '--provider',
        'keycloak',
        '--issuer',
        `${fx.url}/realms/acme`,
        '--client-id',
        SEED.keycloak.clientId,
        '--username',
        SEED.keycloak.username,
      ])
    ).code,
  ).toBe(0);
});
afterAll(async () => {
  await fx.close();
  cleanupHomes();
});

/** Starts `token get` while the provider answers 429 with a long Retry-After, so it sits inside the lock. */
function startStuckTokenGet(): { child: ReturnType<typeof spawn>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  fx.rateLimit.remaining = 1000;
  fx.rateLimit.retryAfter = '20';
  const child = spawn(process.execPath, [BIN, 'token', 'get', '--profile', 'gooclaim', '--force', '--max-wait', '60s'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env, ...secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the token cache works with no keychain at all', () => {
  it('five token get with no D-Bus session make one token request; the cache is a 0600 file in a 0700 directory', async () => {
    fx.rateLimit.remaining = 0;
    fx.tokenRequests.length = 0;
    const tokens = [];
    for (let i = 0; i < 5; i++) {
      const r = await run(['token', 'get', '--profile', 'gooclaim'], secret);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      tokens.push(r.stdout);
    }
    expect(new Set(tokens).size).toBe(1);
    expect(fx.tokenRequests).toHaveLength(1);
    const tokensDir = join(dir, 'cache', 'authctl', 'tokens');
    expect(statSync(tokensDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(tokensDir);
    expect(files).toHaveLength(1);
    expect(statSync(join(tokensDir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(locks()).toEqual([]);
  });

  it('token_cache = "off" in the config turns it off', async () => {
    const home = tmpHome();
    const cfg = join(home, 'config.toml');
    const local = { ...env, XDG_CACHE_HOME: join(home, 'cache'), AUTHCTL_CONFIG: cfg };
    expect(
      (
        await runCli(
          [
            'profile',
            'add',
            'g',
            '--token-url',
            `${fx.url}/gooclaim/v1/auth/token`,
            '--client-id',
            SEED.gooclaim.clientId,
            '--body-format',
            'json',
            '--client-auth',
            'client_secret_post',
          ],
          { cwd: home, env: local },
        )
      ).code,
    ).toBe(0);
    writeFileSync(cfg, `token_cache = "off"\n${readFileSync(cfg, 'utf8')}`);
    fx.tokenRequests.length = 0;
    for (let i = 0; i < 2; i++) expect((await runCli(['token', 'get', '--profile', 'g'], { cwd: home, env: { ...local, ...secret } })).code).toBe(0);
    expect(fx.tokenRequests).toHaveLength(2);
    expect(existsSync(join(home, 'cache', 'authctl', 'tokens'))).toBe(false);
    const list = await runCli(['token', 'cache', 'list', '--json'], { cwd: home, env: local });
    expect(JSON.parse(list.stdout)).toEqual({ cache: 'off', entries: [] });
  });
});

describe('a cache hit is cheap', () => {
  it('needs no network (not even discovery) and no credential: the provider may be down and the secret gone', async () => {
    const home = tmpHome();
    const local = { ...env, XDG_CACHE_HOME: join(home, 'cache'), AUTHCTL_CONFIG: join(home, 'config.toml') };
    const add = ['profile', 'add', 'kc', '--provider', 'keycloak', '--issuer', `${fx.url}/realms/acme`, '--client-id', SEED.keycloak.clientId];
    expect((await runCli([...add, '--username', SEED.keycloak.username], { cwd: home, env: local })).code).toBe(0);
    const creds = { AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret, AUTHCTL_PASSWORD: SEED.keycloak.password, ...NO_DBUS };
    const first = await runCli(['token', 'get', '--profile', 'kc', '-v'], { cwd: home, env: { ...local, ...creds } });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('/.well-known/openid-configuration');
    // no request at all (-v would show it), and no secret in the environment or a store
    const down = { ...local, ...NO_DBUS };
    const hit = await runCli(['token', 'get', '--profile', 'kc', '-v', '--output', 'json'], { cwd: home, env: down });
    expect(hit.code).toBe(0);
    expect(JSON.parse(hit.stdout)).toMatchObject({ access_token: first.stdout.trim(), source: 'cache' });
    expect(hit.stderr).not.toMatch(/^[<>] /m);
    // --force goes to the server (and so needs the secret)
    const forced = await runCli(['token', 'get', '--profile', 'kc', '--force'], { cwd: home, env: down });
    expect(forced.code).not.toBe(0);
  });

  it('with a keychain at hand, a hit still loads neither the keychain binding nor the HTTP stack', async () => {
    const home = tmpHome();
    const local = { ...env, XDG_CACHE_HOME: join(home, 'cache'), AUTHCTL_CONFIG: join(home, 'config.toml') };
    expect((await runCli(addGooclaim('gc', fx.url), { cwd: home, env: local })).code).toBe(0);
    const first = await runCli(['token', 'get', '--profile', 'gc'], { cwd: home, env: { ...local, ...secret } });
    expect(first.code).toBe(0);
    // the session bus of the test run (a real keyring under scripts/with-keyring.sh), or none
    const coverage = join(home, 'coverage');
    const hit = await runCli(['token', 'get', '--profile', 'gc'], {
      cwd: home,
      env: { ...local, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, NODE_V8_COVERAGE: coverage },
    });
    expect(hit).toMatchObject({ code: 0, stdout: first.stdout });
    const ran = executed(coverage);
    expect(ran.scripts.some((url) => url.endsWith('/dist/main.cjs'))).toBe(true);
    expect(ran.scripts.filter((url) => url.includes('keyring') || url.endsWith('/dist/undici.cjs'))).toEqual([]);
  });
});

describe('a cache that stays true', () => {
  it('token revoke evicts the revoked token: the next token get asks the server again', async () => {
    const creds = { AUTHCTL_CLIENT_SECRET: SEED.keycloak.clientSecret, AUTHCTL_PASSWORD: SEED.keycloak.password, ...NO_DBUS };
    const first = await run(['token', 'get', '--profile', 'kc'], creds);
    expect(first.code).toBe(0);
    const token = first.stdout.trim();
    expect((await run(['token', 'get', '--profile', 'kc', '--output', 'json'], creds)).stdout).toMatch(/"source": "cache"/);
    const revoked = await run(['token', 'revoke', '--profile', 'kc', '--json', token], creds);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ revoked: true, forgotten: 1 });
    fx.tokenRequests.length = 0;
    const next = await run(['token', 'get', '--profile', 'kc', '--output', 'json'], creds);
    expect(JSON.parse(next.stdout).source).toBe('network');
    expect(JSON.parse(next.stdout).access_token).not.toBe(token);
    expect(fx.tokenRequests).toHaveLength(1);
  });
});

describe('a killed or interrupted token get never stalls the next one', () => {
  it('kill -9 while holding the lock: the next call finds the owner gone and goes on at once', async () => {
    const stuck = startStuckTokenGet();
    await until(() => locks().length === 1);
    stuck.child.kill('SIGKILL');
    await stuck.exited;
    expect(locks()).toHaveLength(1); // nothing could clean up after kill -9
    fx.rateLimit.remaining = 0;
    const started = Date.now();
    const r = await run(['token', 'get', '--profile', 'gooclaim', '--force'], secret);
    expect(r.code).toBe(0);
    // The lock wait is 30 s; a dead owner must not cost it.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(locks()).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} releases the lock`, async () => {
      const stuck = startStuckTokenGet();
      await until(() => locks().length === 1);
      stuck.child.kill(signal);
      const ended = await stuck.exited;
      if (signal === 'SIGINT') {
        expect(ended.code).toBe(130);
        expect(ended.stderr).toMatch(/error\[interrupted\]/);
      } else {
        expect(ended.signal).toBe('SIGTERM');
      }
      expect(locks()).toEqual([]);
      fx.rateLimit.remaining = 0;
    });
  }
});
