import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, runCli, tmpHome, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';
import { PEER, startPeer, type Peer } from '../helpers/oidc-peer.js';
import { DEV_DEFAULTS } from '../../src/core/server/defaults.js';

let dir: string;
let env: Record<string, string>;
const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

beforeAll(() => {
  ({ dir, env } = sandbox());
});
afterAll(() => cleanupHomes());

describe('authctl serve and the oidc-provider peer answer the same client requests the same way', () => {
  let peer: Peer;
  let served: Served;

  beforeAll(async () => {
    expect((await run(['keygen', '--type', 'ec', '--format', 'jwk', '--out', 'unused'])).code).toBe(0);
    peer = await startPeer(JSON.parse(readFileSync(join(dir, 'unused.jwks.json'), 'utf8')).keys[0]);
    writeFileSync(
      join(dir, 'serve.toml'),
      `audiences = ["${PEER.resource}"]\n[[clients]]\nclient_id = "${PEER.basic.clientId}"\nclient_secret = "${PEER.basic.clientSecret}"\nscopes = ["api:read"]\n`,
    );
    served = await serve(['--settings', 'serve.toml', '--alg', 'RS256'], env, dir);
    for (const [name, issuer] of [
      ['peer', peer.issuer],
      ['local', served.issuer],
    ]) {
      expect((await run(['profile', 'add', name!, '--issuer', issuer!, '--client-id', PEER.basic.clientId])).code).toBe(0);
    }
  }, 60_000);
  afterAll(async () => {
    await peer.close();
    expect(await served.stop()).toBe(0);
  });

  const secret = { AUTHCTL_CLIENT_SECRET: PEER.basic.clientSecret };

  it.each(['peer', 'local'])('%s: a JWT access token for a resource verifies through discovery as RFC 9068', async (profile) => {
    const issuer = profile === 'peer' ? peer.issuer : served.issuer;
    const token = (await run(['token', 'get', '--profile', profile, '--no-cache', '--resource', PEER.resource, '--scope', 'api:read'], secret)).stdout.trim();
    const v = await run([
      'verify',
      '--issuer',
      issuer,
      '--aud',
      PEER.resource,
      '--typ',
      'at+jwt',
      '--alg',
      'RS256',
      '--require-scope',
      'api:read',
      '--json',
      token,
    ]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({
      valid: true,
      header: { typ: 'at+jwt', alg: 'RS256' },
      payload: { iss: issuer, client_id: PEER.basic.clientId, aud: PEER.resource, scope: 'api:read' },
    });
  });

  it.each(['peer', 'local'])('%s: introspection says active, revocation works, then inactive (exit 1)', async (profile) => {
    const token = (await run(['token', 'get', '--profile', profile, '--no-cache'], secret)).stdout.trim();
    const active = await run(['introspect', '--profile', profile, '--json', token], secret);
    expect(active.code).toBe(0);
    expect(JSON.parse(active.stdout)).toMatchObject({ active: true, client_id: PEER.basic.clientId });
    expect((await run(['token', 'revoke', '--profile', profile, token], secret)).code).toBe(0);
    const inactive = await run(['introspect', '--profile', profile, '--json', token], secret);
    expect([inactive.code, JSON.parse(inactive.stdout).active]).toEqual([1, false]);
  });

  it.each(['peer', 'local'])('%s: a wrong client secret is invalid_client, exit 4', async (profile) => {
    const r = await run(['token', 'get', '--profile', profile, '--no-cache'], { AUTHCTL_CLIENT_SECRET: 'wrong' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[invalid_client\]/);
  });

  it('the request log on stderr masks credentials and tokens', () => {
    expect(served.log()).toMatch(/POST \/token 200 \(Basic /);
    expect(served.log()).not.toContain(Buffer.from(`${PEER.basic.clientId}:${PEER.basic.clientSecret}`).toString('base64'));
  });
});

describe("the seed providers' variants against serve with its development defaults", () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve([], env, dir);
  }, 30_000);
  afterAll(async () => {
    expect(await served.stop()).toBe(0);
  });

  it('serve --json is snake_case like every JSON authctl prints', () => {
    const keys = (value: unknown): string[] => (value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]) : []);
    expect(keys(served.doc).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(served.doc).toMatchObject({
      endpoints: { openid_configuration: `${served.issuer}/.well-known/openid-configuration`, justgold_portal_keys: `${served.issuer}/portal/jwt-keys` },
    });
  });

  it('Gooclaim template: JSON token body and Bearer + JSON introspection', async () => {
    expect(
      (
        await run([
          'profile',
          'add',
          'gc',
          '--provider',
          'gooclaim',
          '--base-url',
          served.issuer,
          '--client-id',
          DEV_DEFAULTS.clientId,
          '--expect-aud',
          'authctl-dev-api',
        ])
      ).code,
    ).toBe(0);
    const secret = { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret };
    const token = await run(['token', 'get', '--profile', 'gc', '--no-cache'], secret);
    expect(token.code).toBe(0);
    const r = await run(['introspect', '--profile', 'gc', '--json', token.stdout.trim()], secret);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).active).toBe(true);
  });

  it('webMethods template: API key header and claimsSet', async () => {
    expect(
      (await run(['profile', 'add', 'wm', '--provider', 'webmethods', '--base-url', served.issuer, '--extra-body', '{"claimsSet":{"department":"ops"}}'])).code,
    ).toBe(0);
    const token = await run(['token', 'get', '--profile', 'wm', '--no-cache'], { AUTHCTL_API_KEY: DEV_DEFAULTS.apiKey });
    expect(token.code).toBe(0);
    const decoded = await run(['decode', '--json', token.stdout.trim()]);
    expect(JSON.parse(decoded.stdout).payload).toMatchObject({ department: 'ops', client_id: DEV_DEFAULTS.clientId });
    const refused = await run(['token', 'get', '--profile', 'wm', '--no-cache'], { AUTHCTL_API_KEY: 'wrong' });
    expect(refused.code).toBe(4);
  });

  it('gamification template: an HS256 token minted with the shared secret passes GET /v1/auth/verify; a forged one does not', async () => {
    expect((await run(['profile', 'add', 'gam', '--provider', 'gamification', '--base-url', served.issuer])).code).toBe(0);
    const mint = await run(['token', 'mint', '--profile', 'gam', '--iss', 'tenant-1', '--sub', 'player-1', '--aud', 'app-1'], {
      AUTHCTL_SECRET: DEV_DEFAULTS.hmacSecret,
    });
    expect(mint.code).toBe(0);
    const ok = await run(['verify', '--remote', '--profile', 'gam', mint.stdout.trim()]);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining('valid according to')]);
    const forged = await run(['token', 'mint', '--profile', 'gam', '--iss', 't', '--sub', 'p', '--aud', 'a'], {
      AUTHCTL_SECRET: 'a-different-secret-of-enough-length-0123',
    });
    const bad = await run(['verify', '--remote', '--profile', 'gam', forged.stdout.trim()]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/invalid_signature/);
  });
});

describe('serve refuses what it should', () => {
  it('the public development credentials are never served beyond loopback', async () => {
    const r = await run(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^authctl: error\[unsafe_bind\]/);
  });

  it('a bad settings file names the file and line, exit 2, before listening', async () => {
    writeFileSync(join(dir, 'bad.toml'), '[[clients]]\nclient_id = "x"\nclient_secret = "s"\ngrants = ["implicit"]\n');
    const r = await run(['serve', '--settings', 'bad.toml', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[settings_invalid\]: bad\.toml:4: grants: "implicit" is not one of/);
  });

  it('a port in use is address_in_use, exit 2', async () => {
    const first = await serve([], env, dir);
    const port = new URL(first.issuer).port;
    const r = await run(['serve', '--port', port]);
    await first.stop();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[address_in_use\]/);
  });
});

describe('authctl demo', () => {
  it('walks every step, exits 0 and leaves nothing behind', async () => {
    const home = tmpHome();
    const own = { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg'), XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data') };
    const r = await runCli(['demo', '--json'], { cwd: home, env: own, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.steps.map((s: { command: string }) => s.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'authctl keygen --type',
      'authctl profile add',
      'TOKEN=$(authctl token get',
      'authctl decode "$TOKEN"',
      'authctl lint --profile',
      'authctl verify --issuer',
      'authctl verify --issuer',
      'authctl introspect --profile',
      'authctl token revoke',
      'authctl introspect --profile',
      'authctl profile add',
      'authctl token get',
      'authctl api --profile',
    ]);
    expect(doc.steps.at(-4)).toMatchObject({ exit_code: 1, expected_exit_code: 1, ok: true });
    expect(doc.steps.at(-1)).toMatchObject({ exit_code: 0, ok: true });
    // Its throwaway home is gone, and nothing landed in the user's home or XDG dirs.
    expect(existsSync(doc.home)).toBe(false);
    expect(readdirSync(home)).toEqual([]);
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'interrupted by %s, it still removes its throwaway home (the private key with it)',
    async (signal) => {
      const home = tmpHome();
      const tmp = join(home, 'tmp');
      mkdirSync(tmp);
      const own = { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg'), XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data'), TMPDIR: tmp };
      const child = spawn(process.execPath, [BIN, 'demo'], { cwd: home, env: { PATH: process.env.PATH, ...own }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : null))));
      // wait until the demo has written its key into the throwaway home
      const deadline = Date.now() + 20_000;
      const keyWritten = () => readdirSync(tmp).some((d) => existsSync(join(tmp, d, 'client.pem')));
      while (!keyWritten() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(keyWritten()).toBe(true);
      child.kill(signal);
      expect(await exited).not.toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a step it started is ended too
      expect(readdirSync(tmp)).toEqual([]);
    },
    60_000,
  );
});
