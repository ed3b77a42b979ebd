import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, runCli, sandbox } from '../helpers/cli.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';

/**
 * Hostile input and faults, end to end through the built CLI: every input gives a coded result
 * (never internal_error, never a stack), nothing a server says can print a secret this run sent,
 * concurrent writers lose nothing, and nothing waits forever.
 */
let dir: string;
let env: Record<string, string>;
const run = (args: string[], input?: string, extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra }, input });
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const deep = (depth: number) => `${b64({ alg: 'HS256' })}.${b64(`{"exp":${'['.repeat(depth)}${']'.repeat(depth)}}`)}.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl`;

beforeAll(() => {
  ({ dir, env } = sandbox());
});
afterAll(() => cleanupHomes());

const noCrash = (r: { code: number | null; stderr: string; stdout: string }) => {
  expect(r.stderr + r.stdout).not.toMatch(/internal_error|\n\s+at \S+ \(|Unhandled 'error'/);
  expect([0, 1, 2, 3, 4]).toContain(r.code);
};

describe('no crash on any input', () => {
  it('a claim nested thousands of levels deep is invalid_token, in decode, lint, verify and scan', async () => {
    const token = deep(5000);
    for (const args of [
      ['decode', token],
      ['lint', token],
      ['--json', 'lint', token],
      ['verify', '--secret-stdin', '--alg', 'HS256', token],
    ]) {
      const r = await run(args, 'an-hmac-secret-that-is-long-enough-0123456789');
      noCrash(r);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/invalid_token.*nested deeper than 64 levels/);
    }
    // a tree with such a file and a leaked key: the key is still reported, in SARIF too
    const tree = join(dir, 'tree');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'deep.txt'), `token: ${token}\n`);
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(tree, 'leaked.pem')], { stdio: 'ignore' });
    const sarif = await run(['scan', '--format', 'sarif', tree]);
    noCrash(sarif);
    expect(sarif.code).toBe(1);
    expect(JSON.parse(sarif.stdout).runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('private-key');
    const stdin = await run(['scan', '-'], `${token}\n`);
    noCrash(stdin);
  });

  it('header values with no primitive form ({"toString": null}) are described, not called', async () => {
    const jwe = `${b64({ alg: 'RSA-OAEP', enc: { toString: null }, valueOf: null })}.AAAA.AAAA.AAAA.AAAA`;
    const jws = `${b64({ alg: { toString: null }, kid: { valueOf: null } })}.${b64({ sub: { toString: null }, iss: [{ toString: 1 }], aud: { constructor: null } })}.c2ln`;
    for (const args of [
      ['decode', jwe],
      ['lint', jwe],
      ['decode', jws],
      ['lint', '--iss', 'x', '--aud', 'y', jws],
      ['--json', 'decode', jws],
    ]) {
      const r = await run(args);
      noCrash(r);
    }
    expect((await run(['decode', jwe])).stdout).toMatch(/JWE, \{"toString":null\}/);
  });

  it('config keys named like Object.prototype members are unknown keys or profiles, with their line', async () => {
    const cases = [
      '[profiles.a]\ntoString = "x"\n',
      '[profiles.a]\n__proto__ = "x"\n',
      '[profiles.constructor]\nclient_id = "x"\n[profiles.a]\nvalueOf = 1\n',
      'toString = 1\n',
      '[profiles.a.policy]\nhasOwnProperty = 1\n',
    ];
    for (const [i, text] of cases.entries()) {
      writeFileSync(join(dir, `proto${i}.toml`), text);
      const r = await run(['--config', join(dir, `proto${i}.toml`), 'profile', 'list']);
      noCrash(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^authctl: error\[config_invalid\]: .*proto\d\.toml(:\d+)?: /);
    }
    writeFileSync(join(dir, 'ok.toml'), '[profiles.a]\nclient_id = "x"\n');
    for (const name of ['constructor', 'toString', '__proto__']) {
      const r = await run(['--config', join(dir, 'ok.toml'), 'token', 'get', '--profile', name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^authctl: error\[profile_not_found\]/);
    }
  });

  it('a JWKS with a key type authctl does not know (post-quantum AKP) is skipped, -v says so', async () => {
    expect((await run(['keygen', '--type', 'ec', '--out', 'ec'])).code).toBe(0);
    const pub = JSON.parse((await run(['key', 'convert', 'ec.pub.pem', '--to', 'jwk'])).stdout);
    writeFileSync(
      join(dir, 'pq.json'),
      JSON.stringify({
        keys: [
          { kty: 'AKP', pub: 'AAAA', kid: 'pq' },
          { kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA' },
          { ...pub, kid: 'ec' },
        ],
      }),
    );
    const token = (await run(['token', 'mint', '--key', 'ec.pem', '--kid', 'ec', '--sub', 's', '--exp', '5m'])).stdout.trim();
    const r = await run(['-v', 'verify', '--key', 'pq.json', token]);
    noCrash(r);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipping JWKS key "pq" of kty "AKP"/);
    writeFileSync(join(dir, 'only-pq.json'), JSON.stringify({ keys: [{ kty: 'AKP', pub: 'AAAA' }] }));
    const none = await run(['verify', '--key', 'only-pq.json', token]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^authctl: error\[invalid_key\]: the JWKS has no public signing key/);
  });

  it('a full disk (here: a file size limit) during keygen and profile add is a coded error and leaves no temp file', async () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    const limited = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('bash', ['-c', 'ulimit -f 1; exec "$0" "$@"', process.execPath, BIN, ...args], {
          cwd: out,
          env: { PATH: process.env.PATH ?? '', ...env, XDG_CONFIG_HOME: out },
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const keygen = await limited(['keygen', '--type', 'rsa', '--size', '4096', '--out', join(out, 'big')]);
    expect(keygen.code).toBe(2);
    expect(keygen.stderr).toMatch(/^authctl: error\[file_unwritable\]: cannot write .*big\.pem: the file is larger than this system allows$/m);
    const extra = JSON.stringify({ claimsSet: { padding: 'x'.repeat(4096) } });
    const profile = await limited(['profile', 'add', 'p', '--token-url', 'https://as.example/token', '--extra-body', extra]);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(/^authctl: error\[file_unwritable\]: cannot write .*config\.toml/m);
    expect(readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp') || String(f).includes('big'))).toEqual([]);
  });

  it('output into a closed pipe ends quietly; into a full device it is one coded line', () => {
    const lines = Array.from({ length: 20_000 }, () => deep(2)).join('\n');
    writeFileSync(join(dir, 'many.txt'), lines);
    const sh = (script: string) => {
      try {
        return {
          code: 0,
          stderr: execFileSync('bash', ['-c', script], {
            cwd: dir,
            env: { PATH: process.env.PATH ?? '', ...env },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        };
      } catch (error) {
        const e = error as { status: number; stderr: string; stdout: string };
        return { code: e.status, stderr: `${e.stdout}${e.stderr}` };
      }
    };
    const closed = sh(
      `"${process.execPath}" "${BIN}" lint --json - < many.txt 2>err.txt | head -1 > /dev/null; cat err.txt; "${process.execPath}" "${BIN}" key convert --help 2>&1 | head -2 >/dev/null`,
    );
    expect(closed.stderr).toBe('');
    const full = sh(`"${process.execPath}" "${BIN}" keygen > /dev/full`);
    expect(full.code).toBe(2);
    expect(full.stderr).toBe('authctl: error[output_failed]: cannot write to stdout: no space left on the device\n');
    // A pipe someone made non-blocking (perl here, part of every Debian) and a reader that
    // waits: the writes that meet a full pipe (EAGAIN) still arrive, every byte, in order.
    const whole = sh(`"${process.execPath}" "${BIN}" lint --json - < many.txt | md5sum`).stderr;
    const nonBlocking = sh(
      `perl -MFcntl -e 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV' "${process.execPath}" "${BIN}" lint --json - < many.txt | (sleep 1; md5sum)`,
    );
    expect(nonBlocking).toEqual({ code: 0, stderr: whole });
    expect(whole).toMatch(/^[0-9a-f]{32} /);
  });

  it('bulk lint and verify give exactly one result per input line, whatever the line holds', async () => {
    const good = (await run(['token', 'mint', '--secret-stdin', '--sub', 's', '--exp', '5m'], 'an-hmac-secret-that-is-long-enough-0123456789')).stdout.trim();
    const hostile = [
      good,
      '',
      '   ',
      deep(3000),
      'not a token',
      `${b64({ alg: 'none' })}.${b64({ a: 1 })}.`,
      `${b64({ alg: { toString: null } })}.${b64({ exp: '1' })}.AAAA`,
      'x'.repeat(300_000),
      `${b64([1])}.${b64(null)}.AA`,
      '\u0000\u0001',
      `"Bearer ${good}"`,
    ];
    const input = `${hostile.join('\n')}\n`;
    for (const args of [
      ['lint', '--json', '-'],
      ['verify', '--json', '--secret-file', 'hmac.secret', '--alg', 'HS256', '-'],
    ]) {
      writeFileSync(join(dir, 'hmac.secret'), 'an-hmac-secret-that-is-long-enough-0123456789');
      const r = await run(args, input);
      noCrash(r);
      const results = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(results.map((x) => x.line)).toEqual(hostile.map((_, i) => i + 1));
      expect(results[0].valid).toBe(true);
      expect(results.at(-1).valid).toBe(true);
    }
  });
});

describe('no leak through what a server says', () => {
  let server: FixtureServer;
  const CLIENT_SECRET = 'canary-client-secret-9f8e7d:%&+ x';
  const PASSWORD = 'canary-password-1a2b3c';
  const API_KEY = 'canary-api-key-5d6e7f';
  beforeAll(async () => {
    // A server (or proxy) that echoes the request: body and Authorization header, raw.
    server = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const echo = `you sent ${Buffer.concat(chunks).toString()} with ${String(req.headers.authorization)} and ${String(req.headers['x-gateway-apikey'])}`;
        if (req.url?.startsWith('/introspect'))
          return json(res, { active: true, echoed: echo, decoded: Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString() });
        json(res, { error: 'invalid_client', error_description: echo, message: echo }, {}, 401);
      });
    });
    for (const [name, auth] of [
      ['basic', 'client_secret_basic'],
      ['post', 'client_secret_post'],
      ['json', 'client_secret_post'],
      ['key', 'api_key'],
    ] as const) {
      const args = [
        'profile',
        'add',
        `echo-${name}`,
        '--token-url',
        `${server.url}/token`,
        '--introspection-url',
        `${server.url}/introspect`,
        '--client-id',
        'id',
        '--client-auth',
        auth,
        '--grant',
        'password',
        '--username',
        'u',
      ];
      expect((await run(name === 'json' ? [...args, '--body-format', 'json'] : args)).code).toBe(0);
    }
  });
  afterAll(() => server.close());

  it('no form of a secret this run sent appears on stdout or stderr, with or without --json', async () => {
    const secrets = { AUTHCTL_CLIENT_SECRET: CLIENT_SECRET, AUTHCTL_PASSWORD: PASSWORD, AUTHCTL_API_KEY: API_KEY };
    const forms = (s: string) => [
      s,
      encodeURIComponent(s),
      encodeURIComponent(s).replace(/%20/g, '+'),
      Buffer.from(s).toString('base64').replace(/=+$/, ''),
      Buffer.from(s).toString('base64url'),
      JSON.stringify(s).slice(1, -1),
    ];
    const canaries = [CLIENT_SECRET, PASSWORD, API_KEY].flatMap(forms);
    let checked = 0;
    for (const name of ['basic', 'post', 'json', 'key']) {
      for (const args of [
        ['token', 'get', '--profile', `echo-${name}`, '--no-cache'],
        ['--json', 'token', 'get', '--profile', `echo-${name}`, '--no-cache'],
        ['introspect', '--profile', `echo-${name}`, 'some-token-value'],
        ['--json', 'introspect', '--profile', `echo-${name}`, 'some-token-value'],
      ]) {
        const r = await run(args, undefined, secrets);
        noCrash(r);
        for (const canary of canaries) expect(r.stdout + r.stderr, `${args.join(' ')} printed ${canary}`).not.toContain(canary);
        checked++;
      }
    }
    expect(checked).toBe(16);
    const basic = await run(['token', 'get', '--profile', 'echo-basic', '--no-cache'], undefined, secrets);
    expect(basic.code).toBe(4);
    expect(basic.stderr).toMatch(/\[redacted sha256:[0-9a-f]{8}\]/);
  });
});

describe('no loss under concurrency', () => {
  it('20 parallel credentials set --store file for 20 profiles keep all 20', async () => {
    for (let i = 0; i < 20; i++) expect((await run(['profile', 'add', `p${i}`, '--token-url', 'https://as.example/token'])).code).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run(['credentials', 'set', 'client_secret', '--store', 'file', '--stdin', '--profile', `p${i}`], `secret-of-p${i}`)),
    );
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    const stored = JSON.parse(readFileSync(join(dir, 'data', 'authctl', 'credentials.json'), 'utf8'));
    for (let i = 0; i < 20; i++) expect(JSON.parse(stored[`p${i}/client_secret`]).secret).toBe(`secret-of-p${i}`);
  }, 60_000);
});

describe('time linear in the input', () => {
  it('a config of 20,000 profiles parses in seconds (the per-key line lookup made it quadratic: minutes)', async () => {
    const text = Array.from(
      { length: 20_000 },
      (_, i) =>
        `[profiles.p${i}]\ntoken_url = "https://as.example/${i}"\nclient_id = "c${i}"\ngrant = "client_credentials"\n[profiles.p${i}.policy]\naudience = "a"\n`,
    ).join('');
    writeFileSync(join(dir, 'big.toml'), text);
    const started = Date.now();
    const r = await runCli(['--config', join(dir, 'big.toml'), 'profile', 'list', '--names'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(20_001);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 90_000);
});

describe('nothing waits forever or reads without end', () => {
  it('/dev/zero and a FIFO as --key, --secret-file, --claims, --policy and --config are refused at once', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const cases = [
      ['verify', '--key', '/dev/zero', 'x.y.z'],
      ['verify', '--key', 'fifo', 'x.y.z'],
      ['token', 'mint', '--secret-file', '/dev/zero', '--sub', 's'],
      ['token', 'mint', '--secret-file', 'fifo', '--sub', 's'],
      ['token', 'mint', '--claims', '/dev/zero', '--secret-file', 'hmac.secret'],
      ['lint', '--policy', '/dev/zero', 'x'],
      ['--config', 'fifo', 'profile', 'list'],
    ];
    for (const args of cases) {
      const r = await runCli(args, { cwd: dir, env, timeoutMs: 10_000 });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^authctl: error\[file_unreadable\]: cannot read .*: a (pipe|device), not a regular file/);
    }
  });
});
