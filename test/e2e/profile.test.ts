import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { opensslHs256 } from '../helpers/openssl.js';

afterAll(cleanupHomes);

function home() {
  const dir = tmpHome();
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') }, file: join(dir, 'cfg', 'authctl', 'config.toml') };
}

describe('authctl profile', () => {
  it('adds a profile per seed provider under XDG_CONFIG_HOME, 0600, no secrets', async () => {
    const h = home();
    const adds = [
      ['gooclaim', '--provider', 'gooclaim', '--base-url', 'https://api.gooclaim.com', '--client-id', 'svc-client', '--expect-iss', 'https://api.gooclaim.com'],
      ['gamif', '--provider', 'gamification', '--base-url', 'https://api.example.com', '--expect-iss', 'your-tenant-id', '--expect-aud', 'your-application-id'],
      ['wm', '--provider', 'webmethods', '--base-url', 'http://localhost:5555', '--extra-body', '{"claimsSet":{"name":"username","company":"organization"}}'],
      ['kc', '--provider', 'keycloak', '--issuer', 'http://127.0.0.1:9/realms/acme', '--client-id', 'cli', '--username', 'alice'],
      ['jg', '--provider', 'justgold', '--base-url', 'https://sandbox-api.justgold.me', '--private-key', 'private.pem', '--expect-iss', 'partner-123'],
    ];
    for (const args of adds) {
      const r = await runCli(['profile', 'add', ...args], { env: h.env });
      // An issuer is asked for its metadata at once (nothing listens on the discard port).
      expect(r.stderr).toBe(
        args[0] === 'kc'
          ? "authctl: warning: profile kc is saved, but its issuer's discovery did not answer: network_unreachable: cannot connect to http://127.0.0.1:9: connection refused\n"
          : '',
      );
      expect(r.code).toBe(0);
    }
    expect((statSync(h.file).mode & 0o777).toString(8)).toBe('600');
    const text = readFileSync(h.file, 'utf8');
    expect(text).toContain('token_url = "https://api.gooclaim.com/v1/auth/token"');
    expect(text).toContain('introspection_style = "bearer-json"');
    // a Keycloak profile keeps only its issuer: the realm's discovery document fills the endpoints
    expect(text).toContain('issuer = "http://127.0.0.1:9/realms/acme"');
    expect(text).not.toContain('protocol/openid-connect');
    expect(text).toContain('api_key_header = "x-Gateway-APIKey"');
    expect(text).toMatch(/\[profiles\.wm\.extra_body\.claimsSet\]\s+name = "username"/);
    expect(text).not.toMatch(/secret\s*=/);

    const list = await runCli(['profile', 'list', '--json'], { env: h.env });
    expect(JSON.parse(list.stdout).map((p: { name: string; default: boolean }) => [p.name, p.default])).toEqual([
      ['gamif', false],
      ['gooclaim', true],
      ['jg', false],
      ['kc', false],
      ['wm', false],
    ]);
    expect((await runCli(['profile', 'list', '--names'], { env: h.env })).stdout).toBe('gamif\ngooclaim\njg\nkc\nwm\n');
    // The table: a header, every column aligned whatever the names' and providers' lengths.
    const table = (await runCli(['profile', 'list'], { env: h.env })).stdout.trimEnd().split('\n');
    expect(table[0]).toBe('  NAME      PROVIDER      ENDPOINT');
    expect(table[1]).toBe('  gamif     gamification  https://api.example.com/v1/auth/verify');
    expect(table[2]).toBe('* gooclaim  gooclaim      https://api.gooclaim.com/v1/auth/token');
    expect(new Set(table.map((row) => row.indexOf('http', 10))).size).toBe(2); // the header's column, and every row's

    const show = await runCli(['profile', 'show', 'kc', '--json'], { env: h.env });
    expect(JSON.parse(show.stdout).profile).toMatchObject({ grant: 'password', username: 'alice', client_auth: 'client_secret_post' });

    expect((await runCli(['profile', 'use', 'jg'], { env: h.env })).code).toBe(0);
    expect(JSON.parse((await runCli(['profile', 'show', '--json'], { env: h.env })).stdout).name).toBe('jg');
    expect((await runCli(['profile', 'remove', 'jg'], { env: h.env })).code).toBe(0);
    expect(readFileSync(h.file, 'utf8')).not.toContain('default_profile');
    // no temp files left beside the config
    expect(readdirSync(join(h.dir, 'cfg', 'authctl'))).toEqual(['config.toml']);
  });

  it('a partner that mints its own tokens (JustGold): the issuer it expects is the one it writes; no client secret is asked for', async () => {
    const home = tmpHome();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') };
    const r = await runCli(
      ['profile', 'add', 'jg', '--provider', 'justgold', '--base-url', 'https://sandbox-api.justgold.me', '--expect-iss', 'partner-123', '--json'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).profile.mint).toMatchObject({ iss: 'partner-123', aud: 'justgold-api' });
    const text = await runCli(
      ['profile', 'add', 'jg2', '--provider', 'justgold', '--base-url', 'https://sandbox-api.justgold.me', '--expect-iss', 'partner-123'],
      { env },
    );
    expect(text.stdout).not.toMatch(/client_secret/);
    expect(text.stdout).toMatch(/credentials set private_key --profile jg2/);
  });

  it('refuses to replace a profile without --force, and unknown names', async () => {
    const h = home();
    expect((await runCli(['profile', 'add', 'a', '--token-url', 'https://x/token'], { env: h.env })).code).toBe(0);
    const again = await runCli(['profile', 'add', 'a'], { env: h.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/error\[profile_exists\]/);
    const missing = await runCli(['profile', 'show', 'nope'], { env: h.env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error\[profile_not_found\]: no profile named "nope".*\nhint: known profiles: a/);
    const badName = await runCli(['profile', 'add', '../x'], { env: h.env });
    expect(badName.code).toBe(2);
  });

  it('lint applies the selected profile policy (--profile and AUTHCTL_PROFILE)', async () => {
    const h = home();
    await runCli(['profile', 'add', 'gamif', '--provider', 'gamification', '--expect-iss', 'tenant'], { env: h.env });
    await runCli(['profile', 'add', 'other', '--token-url', 'https://x/token'], { env: h.env });
    const token = opensslHs256(
      { sub: 'u', iss: 'intruder', aud: 'app', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 },
      's'.repeat(32),
    );
    const viaFlag = await runCli(['lint', '--profile', 'gamif', token], { env: h.env });
    expect(viaFlag.code).toBe(1);
    expect(viaFlag.stdout).toMatch(/invalid_issuer/);
    const viaEnv = await runCli(['lint', token], { env: { ...h.env, AUTHCTL_PROFILE: 'gamif' } });
    expect(viaEnv.code).toBe(1);
    expect((await runCli(['lint', '--profile', 'other', token], { env: h.env })).code).toBe(0);
  });
});

describe('the config file', () => {
  it.each([
    ['malformed TOML', '[profiles.a]\ntoken_url = "x"\nscope = \n', /config\.toml:3: malformed TOML/],
    ['a secret', '[profiles.a]\ntoken_url = "x"\nclient_secret = "hunter2"\n', /config\.toml:3: "profiles\.a\.client_secret" looks like a secret/],
    ['a wrong type', '[profiles.a]\n\ntoken_url = 5\n', /config\.toml:3: profiles\.a\.token_url must be a string/],
    ['a bad enum', '[profiles.a]\ngrant = "implicit"\n', /config\.toml:2: profiles\.a\.grant must be one of/],
    ['an unknown key', 'colour = true\n', /config\.toml:1: unknown setting "colour"/],
    ['a bad policy', '[profiles.a]\n[profiles.a.policy]\nmax_lifetime = "soon"\n', /config\.toml:2: profiles\.a\.policy\.max_lifetime: expected a duration/],
  ])('names the file and line for %s (exit 2) and is not rewritten', async (_name, content, message) => {
    const h = home();
    const file = join(h.dir, 'config.toml');
    writeFileSync(file, content);
    const r = await runCli(['profile', 'add', 'b', '--token-url', 'https://y'], { env: { ...h.env, AUTHCTL_CONFIG: file } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^authctl: error\[config_invalid\]: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('hunter2');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('--config overrides the XDG location', async () => {
    const h = home();
    const file = join(h.dir, 'elsewhere.toml');
    expect((await runCli(['--config', file, 'profile', 'add', 'x', '--token-url', 'https://t'], { env: h.env })).code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(h.file)).toBe(false);
    // A named file that is not there is a mistake, never "no profiles"; profile add creates it.
    const missing = await runCli(['--config', join(h.dir, 'typo.toml'), 'profile', 'list'], { env: h.env });
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([
      2,
      `authctl: error[file_unreadable]: config file ${join(h.dir, 'typo.toml')}: no such file`,
    ]);
    expect((await runCli(['profile', 'list'], { env: { ...h.env, AUTHCTL_CONFIG: join(h.dir, 'typo.toml') } })).code).toBe(2);
  });

  it('an empty or malformed URL is refused where it is written: by profile add, and in the file', async () => {
    const h = home();
    for (const [flag, value] of [
      ['--issuer', ''],
      ['--token-url', 'not a url'],
      ['--base-url', 'ftp://files.example'],
    ] as const) {
      const r = await runCli(['profile', 'add', 'x', flag, value, '--client-id', 'c'], { env: h.env });
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([
        2,
        `authctl: error[invalid_argument]: ${flag} must be an http or https URL, not ${JSON.stringify(value)}`,
      ]);
    }
    expect(existsSync(h.file)).toBe(false);
    mkdirSync(dirname(h.file), { recursive: true });
    writeFileSync(h.file, '[profiles.x]\nclient_id = "c"\nissuer = ""\n');
    const r = await runCli(['profile', 'list'], { env: h.env });
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `authctl: error[config_invalid]: ${h.file}:3: profiles.x.issuer must be an http or https URL, not ""`,
    ]);
  });
});
