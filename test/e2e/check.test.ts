import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';
import { DEV_DEFAULTS } from '../../src/core/server/defaults.js';

/**
 * `authctl check` against two real `authctl serve` instances on 127.0.0.1 (the second one's
 * JWKS is the wrong one for the first one's tokens). Profiles are written by hand into the
 * config file, as a user keeps them in a repository.
 */
let dir: string;
let env: Record<string, string>;
let a: Served;
let b: Served;
const SECRET = { AUTHCTL_CLIENT_SECRET: DEV_DEFAULTS.clientSecret };
const check = (args: string[], extra: Record<string, string> = {}) => runCli(['check', ...args], { cwd: dir, env: { ...env, ...extra } });
type Row = { profile: string; check: string; status: string; code?: string; message: string };
const statuses = (stdout: string) =>
  Object.fromEntries((JSON.parse(stdout).checks as Row[]).map((r) => [`${r.profile}.${r.check}`, r.code ? `${r.status}:${r.code}` : r.status]));

beforeAll(async () => {
  ({ dir, env } = sandbox());
  [a, b] = await Promise.all([serve([], env, dir), serve([], env, dir)]);
  execFileSync('openssl', ['genrsa', '-out', join(dir, 'weak.pem'), '1024'], { stdio: 'ignore' });
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'ed.pem')], { stdio: 'ignore' });
  const old = new Date(Date.now() - 200 * 86400_000);
  utimesSync(join(dir, 'ed.pem'), old, old);
  mkdirSync(join(dir, 'cfg', 'authctl'), { recursive: true });
  writeFileSync(
    join(dir, 'cfg', 'authctl', 'config.toml'),
    `default_profile = "local"

[profiles.local]
issuer = "${a.issuer}"
client_id = "${DEV_DEFAULTS.clientId}"
[profiles.local.policy]
audience = "authctl-dev-api"

[profiles.strange-aud]
issuer = "${a.issuer}"
client_id = "${DEV_DEFAULTS.clientId}"
[profiles.strange-aud.policy]
audience = "someone-else"

[profiles.wrong-jwks]
token_url = "${a.issuer}/token"
jwks_uri = "${b.issuer}/jwks"
client_id = "${DEV_DEFAULTS.clientId}"

[profiles.token-url-only]
token_url = "${a.issuer}/token"
client_id = "${DEV_DEFAULTS.clientId}"

[profiles.token-url-and-issuer]
token_url = "${a.issuer}/token"
issuer = "${a.issuer}"
client_id = "${DEV_DEFAULTS.clientId}"

[profiles.headroom]
issuer = "${a.issuer}"
client_id = "${DEV_DEFAULTS.clientId}"
[profiles.headroom.policy]
min_ttl = "2h"

[profiles.partner-weak]
provider = "justgold"
private_key = "../../weak.pem"
alg = "RS256"

[profiles.partner-old]
provider = "justgold"
private_key = "../../ed.pem"
`,
  );
}, 60_000);
afterAll(async () => {
  expect(await a.stop()).toBe(0);
  expect(await b.stop()).toBe(0);
  cleanupHomes();
});

describe('authctl check', () => {
  it('passes every check for a working profile, in text, JSON and JUnit, without printing the secret', async () => {
    const r = await check(['--min-ttl', '5m', '--junit', 'report.xml'], SECRET);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^local\n {2}✔ profile {6}token endpoint http:\/\/127\.0\.0\.1:\d+\/token$/m);
    expect(r.stdout).toMatch(/✔ signature {4}verified against http:\/\/127\.0\.0\.1:\d+\/jwks \(kid /);
    expect(r.stdout).toMatch(/✔ expiry {7}60 min left \(at least 5 min asked\)/);
    expect(r.stdout).toMatch(/✔ 6 passed, 0 warnings, 0 failed, 2 skipped \(1 profile\)$/m);
    expect(r.stdout + r.stderr).not.toContain(DEV_DEFAULTS.clientSecret);
    const xml = readFileSync(join(dir, 'report.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="authctl check" tests="8" failures="0" errors="0" skipped="2">/);
    expect(xml.match(/<testcase /g)).toHaveLength(8);
    expect(xml).toContain('<testcase classname="authctl.check.local" name="key" time="0">\n      <skipped message="no private key file in the profile"/>');

    const json = await check(['--json'], SECRET);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, profiles: ['local'], summary: { passed: 6, warnings: 0, failed: 0, skipped: 2 } });
  });

  it('a wrong client secret fails the token check with the OAuth error and skips what depends on it', async () => {
    const r = await check(['local', '--json', '--junit', 'bad.xml'], { AUTHCTL_CLIENT_SECRET: 'not-the-secret' });
    expect(r.code).toBe(1);
    expect(statuses(r.stdout)).toEqual({
      'local.profile': 'pass',
      'local.credentials': 'pass',
      'local.key': 'skip',
      'local.token': 'fail:invalid_client',
      'local.claims': 'skip',
      'local.signature': 'skip',
      'local.expiry': 'skip',
      'local.health': 'skip',
    });
    expect(readFileSync(join(dir, 'bad.xml'), 'utf8')).toMatch(
      /<testcase classname="authctl\.check\.local" name="token" time="0">\n {6}<failure message="http:\/\/127\.0\.0\.1:\d+\/token: [^"]+" type="invalid_client"\/>/,
    );
    expect(r.stdout).not.toContain('not-the-secret');
    // the server's words in the report file are as on the terminal: no marks left, nothing sent echoed
    const report = readFileSync(join(dir, 'bad.xml'), 'utf8');
    expect(report).not.toMatch(/[\ue000\ue001]/);
    expect(report).not.toContain('not-the-secret');
  });

  it('a missing credential is named with where it was looked for, and nothing prompts', async () => {
    const r = await check(['local', '--store', 'file']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ credentials {2}no client_secret in AUTHCTL_CLIENT_SECRET or plaintext file .*credentials\.json/);
    expect(r.stdout).toMatch(/- token {8}credentials are missing/);
  });

  it('a stored secret past the rotation age is a warning, and a failure with --strict', async () => {
    const created = Math.floor(Date.now() / 1000) - 120 * 86400;
    mkdirSync(join(dir, 'data', 'authctl'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'authctl', 'credentials.json'),
      JSON.stringify({ 'local/client_secret': JSON.stringify({ authctl: 1, kind: 'client_secret', created, secret: DEV_DEFAULTS.clientSecret }) }),
      { mode: 0o600 },
    );
    const r = await check(['local', '--store', 'file', '--json']);
    expect(r.code).toBe(0);
    const row = (JSON.parse(r.stdout).checks as Row[]).find((c) => c.check === 'credentials')!;
    expect(row).toMatchObject({
      status: 'warn',
      code: 'rotation_due',
      message: expect.stringMatching(/^client_secret from plaintext file .* is 120 days old: rotate it \(every 90 days\)$/),
    });
    expect(statuses(r.stdout)['local.token']).toBe('pass'); // the stored secret works
    expect((await check(['local', '--store', 'file', '--strict'])).code).toBe(1);
    expect(statuses((await check(['local', '--store', 'file', '--json', '--rotation-days', '365'])).stdout)['local.credentials']).toBe('pass');
  });

  it('asks for headroom: a 60-minute token fails --min-ttl 2h', async () => {
    const r = await check(['local', '--min-ttl', '2h'], SECRET);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ expiry {7}(59|60) min left, less than the 2 h asked/);
    // The same rule as the profile policy's min_ttl (the claims module's), which --min-ttl overrides.
    expect(statuses((await check(['headroom', '--json'], SECRET)).stdout)['headroom.expiry']).toBe('fail:token_expired');
    expect(statuses((await check(['headroom', '--json', '--min-ttl', '1m'], SECRET)).stdout)['headroom.expiry']).toBe('pass');
  });

  it('claims are judged by the profile policy, signatures by the profile JWKS', async () => {
    const r = await check(['strange-aud', 'wrong-jwks', '--json'], SECRET);
    expect(r.code).toBe(1);
    const s = statuses(r.stdout);
    expect([s['strange-aud.claims'], s['strange-aud.signature']]).toEqual(['fail:invalid_audience', 'pass']);
    expect([s['wrong-jwks.token'], s['wrong-jwks.signature']]).toEqual(['pass', 'fail:invalid_signature']);
  });

  it('the JWKS comes from jwks_uri, else discovery on the issuer; with neither the signature check is skipped, saying why', async () => {
    const r = await check(['token-url-only', 'token-url-and-issuer', '--json'], SECRET);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).checks as Row[];
    expect(rows.find((c) => c.profile === 'token-url-only' && c.check === 'signature')).toMatchObject({
      status: 'skip',
      message: 'no jwks_uri in the profile, and no issuer to discover one from',
    });
    expect(rows.find((c) => c.profile === 'token-url-and-issuer' && c.check === 'signature')).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/^verified against http:\/\/127\.0\.0\.1:\d+\/jwks/),
    });
  });

  it('key files: below strength fails, past the rotation age warns; profiles without endpoints skip the token checks', async () => {
    const r = await check(['--all', '--json'], SECRET);
    expect(r.code).toBe(1);
    const s = statuses(r.stdout);
    expect(JSON.parse(r.stdout).profiles).toEqual([
      'local',
      'strange-aud',
      'wrong-jwks',
      'token-url-only',
      'token-url-and-issuer',
      'headroom',
      'partner-weak',
      'partner-old',
    ]);
    expect(s['partner-weak.key']).toBe('fail:weak_key');
    expect(s['partner-old.key']).toBe('warn:rotation_due');
    expect(s['partner-old.token']).toBe('skip');
    expect((JSON.parse(r.stdout).checks as Row[]).find((c) => c.profile === 'partner-weak' && c.check === 'key')!.message).toBe(
      `${join(dir, 'weak.pem')}: RSA key of 1024 bits is below 2048`,
    ); // relative paths are taken from the config file's directory
  });

  it('profiles can be named as arguments or with repeated --profile (other commands refuse a second --profile)', async () => {
    const r = await runCli(['--profile', 'strange-aud', 'check', '--profile', 'wrong-jwks', 'local', '--json'], { cwd: dir, env: { ...env, ...SECRET } });
    expect(JSON.parse(r.stdout).profiles).toEqual(['local', 'strange-aud', 'wrong-jwks']);
    const fromEnv = await runCli(['check', 'local', '--json'], { cwd: dir, env: { ...env, ...SECRET, AUTHCTL_PROFILE: 'wrong-jwks' } });
    expect(JSON.parse(fromEnv.stdout).profiles).toEqual(['local']);
    const twice = await runCli(['decode', '--profile', 'a', '--profile', 'b', 'x'], { cwd: dir, env });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^authctl: error\[conflicting_options\]: --profile given 2 times\nhint: only authctl check takes several profiles/);
  });

  it('usage errors: an unknown profile, --all with names', async () => {
    const unknown = await check(['nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^authctl: error\[profile_not_found\]: no profile named "nope" in /);
    expect((await check(['--all', 'local'])).code).toBe(2);
  });
});
