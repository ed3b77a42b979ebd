import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';

/**
 * Against a real Secret Service: `npm test` runs vitest inside scripts/with-keyring.sh (a private
 * D-Bus session with a throwaway, unlocked gnome-keyring). secret-tool is the independent check.
 */
const available = process.env.AUTHCTL_TEST_SECRET_SERVICE === '1';
if (!available) {
  if (process.env.CI === 'true') throw new Error('CI=true but no Secret Service: run the tests through scripts/with-keyring.sh (npm test does)');
  console.warn('\n  keychain tests SKIPPED: no Secret Service (run `npm test`, which starts one, with apt packages dbus gnome-keyring libsecret-tools)\n');
}

const service = `authctl-test-${process.pid}-${Date.now()}`;
let dir: string;
let env: Record<string, string | undefined>;
const run = (args: string[], input?: string, extra: Record<string, string | undefined> = {}) => runCli(args, { cwd: dir, input, env: { ...env, ...extra } });
const secretTool = (...args: string[]) => spawnSync('secret-tool', args, { encoding: 'utf8' });

beforeAll(async () => {
  dir = tmpHome();
  env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'cfg'),
    XDG_DATA_HOME: join(dir, 'data'),
    AUTHCTL_KEYCHAIN_SERVICE: service,
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
  };
  // Credentials belong to profiles that exist (a secret for a mistyped name is refused).
  for (const name of ['gooclaim', 'kc', 'old', 'nobody', 'wm', 'p'])
    expect((await run(['profile', 'add', name, '--token-url', 'http://127.0.0.1:9/token'])).code).toBe(0);
});
afterAll(() => {
  if (available) secretTool('clear', 'service', service);
  cleanupHomes();
});

describe.skipIf(!available)('credentials in a real Secret Service', () => {
  it('set, get, list, reveal and delete, confirmed by secret-tool', async () => {
    const set = await run(['credentials', 'set', 'client_secret', '--profile', 'gooclaim', '--stdin'], 'gooclaim-client-secret-1\n');
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/stored client_secret for profile gooclaim in Secret Service \(sha256:[0-9a-f]{8}\)/);
    expect(set.stdout).not.toContain('gooclaim-client-secret-1');

    const landed = secretTool('lookup', 'service', service, 'username', 'gooclaim/client_secret');
    expect(landed.status).toBe(0);
    expect(JSON.parse(landed.stdout)).toMatchObject({ authctl: 1, kind: 'client_secret', secret: 'gooclaim-client-secret-1' });

    const get = await run(['credentials', 'get', 'client_secret', '--profile', 'gooclaim', '--json']);
    expect(get.code).toBe(0);
    expect(get.stdout).not.toContain('gooclaim-client-secret-1');
    expect(JSON.parse(get.stdout)).toMatchObject({ profile: 'gooclaim', kind: 'client_secret', age_days: 0, rotation_due: false });
    expect((await run(['credentials', 'get', 'client_secret', '--profile', 'gooclaim', '--reveal'])).stdout).toBe('gooclaim-client-secret-1\n');

    writeFileSync(join(dir, 'pw.txt'), 'keycloak-password\n');
    expect((await run(['credentials', 'set', 'password', '--profile', 'kc', '--file', 'pw.txt'])).code).toBe(0);
    const list = await run(['credentials', 'list', '--json']);
    expect(JSON.parse(list.stdout).credentials.map((c: { profile: string; kind: string }) => `${c.profile}/${c.kind}`)).toEqual([
      'gooclaim/client_secret',
      'kc/password',
    ]);
    expect(list.stdout).not.toMatch(/keycloak-password|gooclaim-client-secret/);

    const del = await run(['credentials', 'delete', 'client_secret', '--profile', 'gooclaim']);
    expect(del.code).toBe(0);
    expect(secretTool('lookup', 'service', service, 'username', 'gooclaim/client_secret').status).not.toBe(0);
    const again = await run(['credentials', 'delete', 'client_secret', '--profile', 'gooclaim']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/error\[credential_not_found\]/);
  });

  it('flags secrets older than the rotation age (an entry created 100 days ago)', async () => {
    const created = Math.floor(Date.now() / 1000) - 100 * 86400;
    execFileSync('secret-tool', ['store', '--label', 'old', 'service', service, 'username', 'old/client_secret'], {
      input: JSON.stringify({ authctl: 1, kind: 'client_secret', created, secret: 'x' }),
    });
    const list = JSON.parse((await run(['credentials', 'list', '--json', '--profile', 'old'])).stdout);
    expect(list.credentials).toEqual([{ profile: 'old', kind: 'client_secret', created, age_days: 100, rotation_due: true }]);
    const text = (await run(['credentials', 'list', '--profile', 'old'])).stdout;
    expect(text).toMatch(/^CREDENTIAL {2,}CREATED {2,}AGE\n/);
    expect(text).toMatch(/ \d+ days {2}rotate: older than 90 days\n/);
    expect(JSON.parse((await run(['credentials', 'list', '--json', '--profile', 'old', '--max-age', '120'])).stdout).credentials[0].rotation_due).toBe(false);
  });

  it('authctl check finds the keychain entry, dates it, and goes on to the token endpoint', async () => {
    const created = Math.floor(Date.now() / 1000) - 100 * 86400;
    execFileSync('secret-tool', ['store', '--label', 'aged', 'service', service, 'username', 'aged/client_secret'], {
      input: JSON.stringify({ authctl: 1, kind: 'client_secret', created, secret: 'aged-secret-value' }),
    });
    expect((await run(['profile', 'add', 'aged', '--token-url', 'http://127.0.0.1:9/token', '--client-id', 'c'])).code).toBe(0);
    const r = await run(['check', 'aged', '--json']);
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as { check: string; status: string; code?: string; message: string }[];
    expect(checks.find((c) => c.check === 'credentials')).toMatchObject({
      status: 'warn',
      code: 'rotation_due',
      message: 'client_secret from Secret Service is 100 days old: rotate it (every 90 days)',
    });
    expect(checks.find((c) => c.check === 'token')).toMatchObject({ status: 'fail', code: 'network_unreachable' });
    expect(r.stdout).not.toContain('aged-secret-value');
  });

  it('a missing entry is credential_not_found (exit 4)', async () => {
    const r = await run(['credentials', 'get', 'api_key', '--profile', 'nobody']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^authctl: error\[credential_not_found\]: no api_key stored for profile "nobody" in Secret Service\nhint: /);
  });

  it('token mint and verify read the HMAC secret from the keychain after flags and environment', async () => {
    await run(['profile', 'add', 'gamif', '--provider', 'gamification']);
    expect((await run(['credentials', 'set', 'hmac_secret', '--profile', 'gamif', '--stdin'], 'stored-api-secret-of-sufficient-length')).code).toBe(0);
    const minted = await run(['--profile', 'gamif', 'token', 'mint', '--sub', 'u', '--iss', 't', '--aud', 'a', '--exp', '10m']);
    expect(minted.stderr).toBe('');
    const token = minted.stdout.trim();
    expect((await run(['--profile', 'gamif', 'verify', token])).code).toBe(0);
    // the environment wins over the keychain
    const viaEnv = await run(['--profile', 'gamif', 'verify', token], undefined, { AUTHCTL_SECRET: 'a-different-secret-of-sufficient-length' });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stdout).toMatch(/invalid_signature/);
  });

  it('decode --decrypt-stored opens a JWE with the private key kept in the keychain (secret-tool sees it)', async () => {
    expect((await run(['keygen', '--type', 'rsa', '--out', 'recipient'])).code).toBe(0);
    const pem = readFileSync(join(dir, 'recipient.pem'), 'utf8');
    expect((await run(['credentials', 'set', 'private_key', '--profile', 'p', '--stdin'], pem)).code).toBe(0);
    expect(secretTool('lookup', 'service', service, 'username', 'p/private_key').stdout).toContain('PRIVATE KEY');
    const jwe = (await run(['token', 'encrypt', '--key', 'recipient.pub.pem', '{"sub":"from-keychain"}'])).stdout.trim();
    const opened = await run(['--profile', 'p', 'decode', '--json', '--decrypt-stored', jwe]);
    expect(opened.stderr).toBe('');
    expect(JSON.parse(opened.stdout)).toMatchObject({ decrypted: true, payload: { sub: 'from-keychain' } });
  });

  it('no D-Bus session: keychain_unavailable naming the alternatives; env still works for CI', async () => {
    const r = await run(['credentials', 'list'], undefined, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /error\[keychain_unavailable\]: the OS keychain is not available: .*\nhint: use environment variables \(AUTHCTL_CLIENT_SECRET, AUTHCTL_PASSWORD, AUTHCTL_SECRET, AUTHCTL_API_KEY\), or opt in to the plaintext file store with --store file/,
    );
    const ci = await run(['token', 'mint', '--sub', 'u', '--exp', '5m'], undefined, {
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
      AUTHCTL_SECRET: 'ci-secret-from-the-environment-0123',
    });
    expect(ci.code).toBe(0);
  });

  it('a locked keyring is keychain_unavailable, not "not found" (own D-Bus session, then locked)', () => {
    const script = `
      dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
      node ${JSON.stringify(join(ROOT, 'bin/authctl.cjs'))} credentials get client_secret --profile p; echo "exit=$?"`;
    const r = spawnSync(join(ROOT, 'scripts/with-keyring.sh'), ['bash', '-c', script], {
      env: {
        ...process.env,
        AUTHCTL_KEYRING_SESSION: '',
        HOME: dir,
        AUTHCTL_KEYCHAIN_SERVICE: service,
        AUTHCTL_CONFIG: join(dir, 'cfg', 'authctl', 'config.toml'),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stdout).toMatch(/exit=4/);
    expect(r.stderr).toMatch(/error\[keychain_unavailable\]: the OS keychain is not available: the keyring is locked/);
  });

  it('the file store is opt-in, 0600 and announced', async () => {
    const r = await run(['credentials', 'set', 'api_key', '--profile', 'wm', '--store', 'file', '--stdin'], 'webmethods-api-key');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: using the plaintext credential file .*credentials\.json \(mode 0600\)/);
    const file = join(dir, 'data', 'authctl', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('wm/api_key');
    expect(secretTool('lookup', 'service', service, 'username', 'wm/api_key').status).not.toBe(0);
  });

  it('refuses a secret from argv: there is no flag for it, and a bare argument is an error', async () => {
    const r = await run(['credentials', 'set', 'client_secret', 'hunter2-secret']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('hunter2-secret');
  });
});
