import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { exportJWK, SignJWT } from 'jose';
import { cleanupHomes, runCli, sandbox, tmpHome } from '../helpers/cli.js';
import { addGooclaim, SEED, startProviders, type ProviderFixture } from '../helpers/providers.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';

/**
 * The trust boundaries, tried as an attacker would: text from a token reaching the terminal,
 * messages about a secret, a token cache someone else wrote, a repository that names programs,
 * and a sign-in whose ID token does not check out.
 */
afterAll(cleanupHomes);

// Every character class that must never reach a terminal raw.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('text from a token reaches the terminal only through the sanitizer', () => {
  const claims = {
    sub: 'a\u001b]0;owned\u0007b',
    'x\r\niss       forged': 'v\u001b[31mred',
    n: '\u202eevil\u009b31m\u2066',
    iss: 'line\nbreak',
  };
  const token = [seg({ alg: 'HS256', typ: 'JWT', kid: 'k\u001b[2J' }), seg(claims), 'c2ln'].join('.');

  it('decode escapes control and bidi characters and keeps each claim on its row', async () => {
    const r = await runCli(['decode', token]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('a\\u001b]0;owned\\u0007b');
    expect(r.stdout).toContain('x\\r\\niss       forged');
    expect(r.stdout).toContain('\\u202eevil\\u009b31m\\u2066');
    // no forged row: exactly one line starts with "iss"
    expect(r.stdout.split('\n').filter((l) => /^\s+iss\s/.test(l))).toEqual([expect.stringContaining('line\\nbreak')]);
  });

  it('--json stays the exact JSON value, with nothing raw on the terminal', async () => {
    const r = await runCli(['decode', '--json', token]);
    expect(r.stdout).not.toMatch(RAW);
    expect(JSON.parse(r.stdout).payload).toEqual(claims);
  });

  it('lint and verify findings about hostile claims stay on one line', async () => {
    const lint = await runCli(['lint', '--iss', 'expected', token]);
    expect(lint.code).toBe(1);
    expect(lint.stdout + lint.stderr).not.toMatch(RAW);
    const verify = await runCli(['verify', '--secret-file', '/dev/stdin', '--alg', 'HS256', token], { input: 'x'.repeat(32) });
    expect(verify.stdout + verify.stderr).not.toMatch(RAW);
  });
});

describe('a message about a secret never holds the secret', () => {
  it('the weak-secret error is byte-identical for three secrets of the same length', async () => {
    const outputs = [];
    for (const secret of ['short', 'HS256', 'bytes']) {
      const r = await runCli(['token', 'mint', '--alg', 'HS256', '--sub', 'x'], { env: { AUTHCTL_SECRET: secret } });
      expect(r.code).toBe(2);
      outputs.push(r.stderr);
    }
    expect(outputs[0]).toMatch(/^authctl: error\[weak_secret\]: HMAC secret of 5 bytes is shorter than the 32 bytes HS256 needs/);
    expect(new Set(outputs).size).toBe(1);
  });
});

describe('a token read from stdin is never echoed back', () => {
  let echo: FixtureServer;
  beforeAll(async () => {
    // A server that echoes the request it got in its error, raw and URL-decoded.
    echo = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const sent = Buffer.concat(chunks).toString();
        const said = `you sent ${sent} = ${decodeURIComponent(sent.replace(/\+/g, ' '))}`;
        json(res, { error: 'invalid_request', error_description: said, message: said }, { 'x-echo': said.slice(0, 200) }, 400);
      });
    });
  });
  afterAll(() => echo.close());

  it.each([
    ['introspect', '-'],
    ['token', 'revoke', '-'],
  ])('%s %s', async (...command) => {
    const box = sandbox();
    await box.run([
      'profile',
      'add',
      'e',
      '--token-url',
      `${echo.url}/token`,
      '--introspection-url',
      `${echo.url}/introspect`,
      '--revocation-url',
      `${echo.url}/revoke`,
      '--client-id',
      'c',
      '--client-auth',
      'client_secret_post',
    ]);
    const token = `opaque-${randomBytes(16).toString('hex')}+/=`;
    for (const json of [[], ['--json']]) {
      const r = await box.run([...json, ...command, '--profile', 'e'], { AUTHCTL_CLIENT_SECRET: 'echo-client-secret' }, token);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/\[redacted sha256:[0-9a-f]{8}\]/);
      for (const form of [token, encodeURIComponent(token)]) expect(r.stdout + r.stderr).not.toContain(form);
    }
  });
});

describe('the token cache uses only the user’s own files', () => {
  let fx: ProviderFixture;
  let box: ReturnType<typeof sandbox>;
  const secret = { AUTHCTL_CLIENT_SECRET: SEED.gooclaim.clientSecret };
  const get = (extra: string[] = []) => box.run(['token', 'get', '--profile', 'gc', ...extra], secret);
  const tokens = () => join(box.env.XDG_CACHE_HOME!, 'authctl', 'tokens');
  const record = () => join(tokens(), readdirSync(tokens()).find((n) => n.endsWith('.json'))!);

  beforeAll(async () => {
    fx = await startProviders();
    box = sandbox();
    expect((await box.run(addGooclaim('gc', fx.url))).code).toBe(0);
  });
  afterAll(() => fx.close());

  /** A fresh token in the cache, then `damage`; the next get must go to the server and not print what was planted. */
  async function refusesPlanted(damage: (file: string, token: string) => void): Promise<string> {
    rmSync(join(box.env.XDG_CACHE_HOME!, 'authctl'), { recursive: true, force: true });
    const first = await get();
    expect(first.code).toBe(0);
    expect((await get()).stdout).toBe(first.stdout); // a cache hit: the same token
    const before = fx.tokenRequests.length;
    damage(record(), first.stdout.trim());
    const again = await get(['-v']);
    expect(again.code).toBe(0);
    expect(fx.tokenRequests.length).toBe(before + 1);
    expect(again.stdout).not.toContain('planted');
    return again.stderr;
  }

  const plant = (file: string, token: string) => readFileSync(file, 'utf8').replace(token, 'planted-token');

  it('a record owned by another user is ignored', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip(); // only root can give a file away
    const stderr = await refusesPlanted((file, token) => {
      writeFileSync(file, plant(file, token));
      chownSync(file, 65534, 65534);
    });
    expect(stderr).toMatch(/token cache record ignored: .* belongs to another user/);
  });

  it('a record in a tokens/ directory others can write is ignored, and nothing is written through it', async () => {
    const stderr = await refusesPlanted((file, token) => {
      writeFileSync(file, plant(file, token));
      chmodSync(tokens(), 0o777);
    });
    expect(stderr).toMatch(/writable by others/);
    expect(readFileSync(record(), 'utf8')).toContain('planted-token'); // not replaced
  });

  it('a record that is a symbolic link to a planted file is ignored', async () => {
    await refusesPlanted((file, token) => {
      const planted = join(box.dir, 'planted.json');
      writeFileSync(planted, plant(file, token), { mode: 0o600 });
      rmSync(file);
      symlinkSync(planted, file);
    });
  });

  it('a world-writable cache home without the sticky bit is not trusted', async () => {
    const home = join(tmpHome(), 'shared-cache');
    execFileSync('mkdir', ['-p', home]);
    chmodSync(home, 0o777);
    const env = { ...secret, XDG_CACHE_HOME: home };
    const before = fx.tokenRequests.length;
    expect((await box.run(['token', 'get', '--profile', 'gc'], env)).code).toBe(0);
    expect((await box.run(['token', 'get', '--profile', 'gc'], env)).code).toBe(0);
    expect(fx.tokenRequests.length).toBe(before + 2);
    expect(existsSync(join(home, 'authctl', 'tokens'))).toBe(false);
  });
});

describe('scan --history on a hostile repository', () => {
  let repo: string;
  const marker = () => join(repo, 'TEXTCONV-RAN');
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: '2026-03-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-03-01T12:00:00Z' },
    }).trim();
  const secrets = {
    plusLine: `ghp_${randomBytes(18).toString('hex').slice(0, 36)}`,
    merge: `CLIENT_SECRET=Qm9${randomBytes(10).toString('hex')}`,
    tab: `CLIENT_SECRET=Zx7${randomBytes(10).toString('hex')}`,
  };

  beforeAll(() => {
    repo = tmpHome();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'T');
    // The repository's own config names programs: a textconv that blanks the diff, an external diff, a pager.
    const touch = `sh -c 'touch ${marker()}; env > ${marker()}; true'`;
    git('config', 'diff.evil.textconv', touch);
    git('config', 'diff.external', touch);
    git('config', 'core.pager', touch);
    git('config', 'log.showSignature', 'true');
    writeFileSync(join(repo, '.gitattributes'), '* diff=evil\n');
    writeFileSync(join(repo, 'base.txt'), 'base\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    // A committed line that starts with "++ " looks like a file header to a naive parser.
    writeFileSync(join(repo, 'notes.md'), `intro\n++ b/innocent.txt\n++ token ${secrets.plusLine}\n`);
    writeFileSync(join(repo, 'tab\tname.env'), `${secrets.tab}\n`);
    git('add', '.');
    git('commit', '-qm', 'notes');
    // A secret that only the merge's conflict resolution adds.
    git('checkout', '-qb', 'side');
    writeFileSync(join(repo, 'conflict.env'), 'VALUE=side\n');
    git('add', '.');
    git('commit', '-qm', 'side');
    git('checkout', '-q', 'main');
    writeFileSync(join(repo, 'conflict.env'), 'VALUE=main\n');
    git('add', '.');
    git('commit', '-qm', 'main');
    try {
      git('merge', '-q', 'side');
    } catch {
      // the conflict, resolved with a secret neither side had
    }
    writeFileSync(join(repo, 'conflict.env'), `${secrets.merge}\n`);
    git('add', '.');
    git('commit', '-qm', 'merge side');
    rmSync(marker(), { force: true });
  });

  it('runs nothing the repository names, and finds every secret under its real path', async () => {
    const r = await runCli(['scan', '--history', '--json'], { cwd: repo, env: { AUTHCTL_CLIENT_SECRET: 'canary-secret-for-children' } });
    expect(existsSync(marker())).toBe(false);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as { path: string; line: number; commit: string }[];
    const paths = findings.map((f) => `${f.path}:${f.line}`).sort();
    expect(paths).toEqual(expect.arrayContaining(['conflict.env:1', 'notes.md:3', 'tab\tname.env:1']));
    expect(findings.some((f) => f.path === 'innocent.txt')).toBe(false);
    const merge = git('rev-parse', 'HEAD');
    expect(findings.find((f) => f.path === 'conflict.env')?.commit).toBe(merge);
    // Shown to a person, a path's tab is an escape, not a raw control character.
    const text = await runCli(['scan', '--history'], { cwd: repo });
    expect(text.stdout).toContain('tab\\tname.env:1');
    expect(text.stdout).not.toMatch(RAW);
  });
});

describe('the device flow believes only a checked ID token, and polls within bounds', () => {
  let server: FixtureServer;
  const polls: number[] = [];
  const settings = { interval: 0.001, expiresIn: 600, approve: true };
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let box: ReturnType<typeof sandbox>;
  const signIn = (extra: string[] = []) =>
    box.run(['token', 'get', '--profile', 'tv', '--grant', 'device_code', ...extra], { AUTHCTL_CLIENT_SECRET: 'tv-secret' });

  beforeAll(async () => {
    server = await startServer(async (req, res, base) => {
      const url = req.url ?? '';
      if (url.startsWith('/.well-known/'))
        return json(res, {
          issuer: base,
          token_endpoint: `${base}/token`,
          device_authorization_endpoint: `${base}/device`,
          jwks_uri: `${base}/jwks`,
        });
      if (url === '/jwks') return json(res, { keys: [{ ...(await exportJWK(signingKey.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
      if (url === '/device')
        return json(res, {
          device_code: 'dev-code',
          user_code: 'ABCD\u001b]0;owned\u0007-EFGH',
          verification_uri: `${base}/activate\u202e`,
          expires_in: settings.expiresIn,
          interval: settings.interval,
        });
      polls.push(Date.now());
      if (!settings.approve) return json(res, { error: 'authorization_pending' }, {}, 400);
      // The ID token claims to be the issuer's, but another key signed it.
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ sub: 'person', nonce: undefined })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(base)
        .setAudience('tv-client')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(otherKey.privateKey);
      json(res, { access_token: 'device-access-token', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    });
    box = sandbox();
    expect((await box.run(['profile', 'add', 'tv', '--issuer', server.url, '--client-id', 'tv-client', '--grant', 'device_code'])).code).toBe(0);
  });
  afterAll(() => server.close());

  it('an ID token with a forged signature is invalid_id_token (exit 4): nothing printed, nothing cached', async () => {
    polls.length = 0;
    const r = await signIn();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^authctl: error\[invalid_id_token\]: the ID token from the sign-in does not check out: /m);
    expect(r.stdout).toBe('');
    // the server's code and page reach the terminal sanitized
    expect(r.stderr).toContain('ABCD\\u001b]0;owned\\u0007-EFGH');
    expect(r.stderr).not.toMatch(RAW);
    // an interval of 0.001 s is polled no faster than once a second
    expect(polls).toHaveLength(1);
    const cache = await box.run(['token', 'cache', 'list', '--json']);
    expect(JSON.parse(cache.stdout).entries).toEqual([]);
  });

  it('the sign-in is bounded by --sign-in-timeout, whatever the server’s expires_in', async () => {
    settings.approve = false;
    polls.length = 0;
    const started = Date.now();
    const r = await signIn(['--sign-in-timeout', '3s']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[expired_token\]: no sign-in within 3 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThanOrEqual(3);
  });
});

describe('token get --output exec-credential is a kubectl ExecCredential', () => {
  it('client.authentication.k8s.io/v1, the token and an RFC 3339 expiry, valid against the type Kubernetes documents', async () => {
    const box = sandbox();
    const server = await startServer((_req, res) => json(res, { access_token: 'k8s-token-value', token_type: 'Bearer', expires_in: 600 }));
    try {
      await box.run(['profile', 'add', 'k8s', '--token-url', `${server.url}/token`, '--client-id', 'c']);
      const r = await box.run(['token', 'get', '--profile', 'k8s', '--output', 'exec-credential', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 's' });
      expect([r.code, r.stderr]).toEqual([0, '']);
      // The v1 ExecCredential of https://kubernetes.io/docs/reference/config-api/client-authentication.v1/
      const require = createRequire(import.meta.url);
      const Ajv = require('ajv');
      const addFormats = require('ajv-formats');
      const ajv = new Ajv({ strict: true });
      addFormats(ajv);
      const validate = ajv.compile({
        type: 'object',
        additionalProperties: false,
        required: ['apiVersion', 'kind', 'spec', 'status'],
        properties: {
          apiVersion: { const: 'client.authentication.k8s.io/v1' },
          kind: { const: 'ExecCredential' },
          spec: { type: 'object', additionalProperties: false, required: ['interactive'], properties: { interactive: { type: 'boolean' } } },
          status: {
            type: 'object',
            additionalProperties: false,
            properties: {
              expirationTimestamp: { type: 'string', format: 'date-time', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$' },
              token: { type: 'string', minLength: 1 },
              clientCertificateData: { type: 'string' },
              clientKeyData: { type: 'string' },
            },
          },
        },
      });
      const credential = JSON.parse(r.stdout);
      expect(validate(credential), JSON.stringify(validate.errors)).toBe(true);
      expect(credential.status.token).toBe('k8s-token-value');
      expect(Math.abs(Date.parse(credential.status.expirationTimestamp) / 1000 - (Date.now() / 1000 + 600))).toBeLessThan(30);
    } finally {
      await server.close();
    }
  });
});

describe('token get --output env is safe to eval', () => {
  it('the token is single-quoted: a server cannot make the shell run what it chose', async () => {
    const box = sandbox();
    const marker = join(box.dir, 'EVAL-RAN');
    const token = `abc'$(touch ${marker})'"def\`x\``;
    const server = await startServer((_req, res) => json(res, { access_token: token, token_type: 'Bearer', expires_in: 60 }));
    try {
      await box.run(['profile', 'add', 'odd', '--token-url', `${server.url}/token`, '--client-id', 'c']);
      const r = await box.run(['token', 'get', '--profile', 'odd', '--output', 'env', '--no-cache'], { AUTHCTL_CLIENT_SECRET: 's' });
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith('export AUTHCTL_ACCESS_TOKEN=')).toBe(true);
      const value = execFileSync('bash', ['-c', `eval "$1"; printf %s "$AUTHCTL_ACCESS_TOKEN"`, 'bash', r.stdout], { encoding: 'utf8' });
      expect(value).toBe(token);
      expect(existsSync(marker)).toBe(false);
      // The expiry goes with it, and --json beside another --output is refused, not silently chosen.
      const expiresAt = Number(execFileSync('bash', ['-c', `eval "$1"; printf %s "$AUTHCTL_ACCESS_TOKEN_EXPIRES_AT"`, 'bash', r.stdout], { encoding: 'utf8' }));
      expect(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 60))).toBeLessThan(30);
      const both = await box.run(['--json', 'token', 'get', '--profile', 'odd', '--output', 'header'], { AUTHCTL_CLIENT_SECRET: 's' });
      expect([both.code, JSON.parse(both.stdout).error.code]).toEqual([2, 'conflicting_options']);
    } finally {
      await server.close();
    }
  });
});
