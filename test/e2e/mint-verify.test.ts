import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { opensslHs256, opensslSign, opensslVerify, signingInput, unsecured } from '../helpers/openssl.js';

let dir: string;
let env: Record<string, string>;
const run = (args: string[], input?: string, extraEnv: Record<string, string> = {}) => runCli(args, { cwd: dir, input, env: { ...env, ...extraEnv } });
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ iss: 'partner-123', sub: 'user-123', aud: 'justgold-api', iat: now(), exp: now() + 600, jti: crypto.randomUUID() });

beforeAll(() => {
  dir = tmpHome();
  env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg') };
  openssl('genrsa', '-out', 'rsa.pem', '2048');
  openssl('pkey', '-in', 'rsa.pem', '-pubout', '-out', 'rsa.pub.pem');
  for (const [name, curve] of [
    ['p256', 'prime256v1'],
    ['p384', 'secp384r1'],
    ['p521', 'secp521r1'],
  ]) {
    openssl('ecparam', '-name', curve!, '-genkey', '-noout', '-out', `${name}.pem`);
    openssl('pkey', '-in', `${name}.pem`, '-pubout', '-out', `${name}.pub.pem`);
  }
  openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed.pem');
  openssl('pkey', '-in', 'ed.pem', '-pubout', '-out', 'ed.pub.pem');
});
afterAll(cleanupHomes);

describe('interop: tokens signed by openssl verify with authctl', () => {
  it.each([
    ['RS256', 'rsa'],
    ['RS512', 'rsa'],
    ['PS256', 'rsa'],
    ['ES256', 'p256'],
    ['ES384', 'p384'],
    ['ES512', 'p521'],
    ['EdDSA', 'ed'],
  ])('%s', async (alg, key) => {
    const token = opensslSign(alg, claims(), `${key}.pem`, dir);
    const ok = await run(['verify', '--key', `${key}.pub.pem`, '--alg', alg, '--policy', 'justgold', '--alg', alg, token]);
    // justgold's policy lists RS256/ES256; the explicit --alg replaces the list
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/✔ valid: signature verified/);
    expect(ok.code).toBe(0);
    const tampered = token.replace(
      /\.([^.]+)\./,
      (_m, p: string) => `.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.`,
    );
    const bad = await run(['verify', '--key', `${key}.pub.pem`, '--alg', alg, tampered]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/invalid_signature/);
  });

  it('HS256 with the secret from a file, stdin and AUTHCTL_SECRET', async () => {
    const secret = 'a-gamification-api-secret-of-enough-length';
    writeFileSync(join(dir, 'api.secret'), `${secret}\n`);
    const token = opensslHs256({ sub: 'user_123', iss: 'tenant', aud: 'app', iat: now(), exp: now() + 60, scope: ['read'] }, secret);
    expect((await run(['verify', '--secret-file', 'api.secret', '--policy', 'gamification', token])).code).toBe(0);
    expect((await run(['verify', '--secret-stdin', '--policy', 'gamification', token], secret)).code).toBe(0);
    expect((await run(['verify', '--policy', 'gamification', token], undefined, { AUTHCTL_SECRET: secret })).code).toBe(0);
    const wrong = await run(['verify', '--policy', 'gamification', token], undefined, { AUTHCTL_SECRET: 'x'.repeat(40) });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/invalid_signature/);
  });
});

describe('interop: tokens authctl mints verify with openssl', () => {
  it.each([
    ['RS256', 'rsa'],
    ['PS384', 'rsa'],
    ['ES256', 'p256'],
    ['ES512', 'p521'],
    ['EdDSA', 'ed'],
  ])('%s', async (alg, key) => {
    const r = await run(['token', 'mint', '--key', `${key}.pem`, '--alg', alg, '--sub', 's', '--exp', '10m']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe(alg);
    expect(opensslVerify(token, `${key}.pub.pem`, dir)).toBe(true);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(opensslVerify(forged, `${key}.pub.pem`, dir)).toBe(false);
  });

  it('HS256 matches openssl HMAC over the signing input', async () => {
    writeFileSync(join(dir, 'h.secret'), 'k'.repeat(32));
    const token = (await run(['token', 'mint', '--secret-file', 'h.secret', '--sub', 's', '--exp', '1h'])).stdout.trim();
    const [h, p, s] = token.split('.');
    const mac = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `key:${'k'.repeat(32)}`, '-binary'], { input: `${h}.${p}` });
    expect(Buffer.from(mac).toString('base64url')).toBe(s);
  });
});

describe('authctl token mint', () => {
  it('a token that never expires is said on stderr when stdout is a pipe (the token alone on stdout)', async () => {
    const secret = 'an-hmac-secret-that-is-long-enough-0123456789';
    const r = await run(['token', 'mint', '--secret-stdin', '--sub', 's'], secret);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(r.stderr).toMatch(/^authctl: warning: the minted token:\n {2}! warning missing_required_claim exp: no "exp": the token never expires/);
    expect((await run(['token', 'mint', '--secret-stdin', '--sub', 's', '--exp', '5m'], secret)).stderr).toBe('');
  });

  it('verify with a profile whose provider publishes no keys (Gooclaim) says how to check its tokens instead', async () => {
    const add = [
      'profile',
      'add',
      'gc',
      '--provider',
      'gooclaim',
      '--base-url',
      'https://api.gooclaim.com',
      '--client-id',
      'c',
      '--expect-iss',
      'https://auth.gooclaim.com',
    ];
    expect((await run(add)).code).toBe(0);
    const r = await run(['verify', '--profile', 'gc', `${signingInput({ alg: 'RS256' }, { sub: 'a' })}.c2ln`]);
    expect([r.code, r.stderr]).toEqual([
      4,
      'authctl: error[credential_missing]: profile "gc" has no key to verify its tokens with\nhint: the Gooclaim document publishes no signing keys and offers introspection instead: authctl introspect --profile gc TOKEN\n',
    ]);
  });

  it('builds claims from flags, a claims file and JSON values', async () => {
    writeFileSync(join(dir, 'claims.json'), JSON.stringify({ tenant_id: 't-1', sub: 'from-file', roles: ['a'] }));
    const r = await run([
      'token',
      'mint',
      '--key',
      'p256.pem',
      '--claims',
      'claims.json',
      '--sub',
      'from-flag',
      '--aud',
      'a1',
      '--aud',
      'a2',
      '--exp',
      '15m',
      '--nbf',
      '-1m',
      '--jti',
      'auto',
      '--scope',
      'read,write',
      '--claim',
      'n=5',
      '--claim',
      'obj={"x":1}',
      '--claim',
      'plain=hello',
      '--kid',
      'k1',
      '--typ',
      'at+jwt',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    const t = now();
    expect(doc.payload).toMatchObject({
      tenant_id: 't-1',
      sub: 'from-flag',
      roles: ['a'],
      aud: ['a1', 'a2'],
      scope: 'read write',
      n: 5,
      obj: { x: 1 },
      plain: 'hello',
    });
    expect(doc.payload.exp - doc.payload.iat).toBe(900);
    expect(Math.abs(doc.payload.iat - t)).toBeLessThan(5);
    expect(doc.payload.nbf).toBe(doc.payload.iat - 60);
    expect(doc.payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(doc.header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
  });

  it('puts x5c and x5t#S256 from a certificate that matches the key, and refuses one that does not', async () => {
    openssl('req', '-x509', '-key', 'rsa.pem', '-subj', '/CN=partner', '-days', '1', '-out', 'rsa.crt');
    const r = await run(['token', 'mint', '--key', 'rsa.pem', '--cert', 'rsa.crt', '--sub', 's', '--exp', '5m', '--json']);
    const header = JSON.parse(r.stdout).header;
    const der = openssl('x509', '-in', 'rsa.crt', '-outform', 'DER');
    expect(header.x5c).toEqual([der.toString('base64')]);
    expect(header['x5t#S256']).toBe(execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64url'));
    // and the certificate verifies the token
    expect((await run(['verify', '--key', 'rsa.crt', '--alg', 'RS256', JSON.parse(r.stdout).token])).code).toBe(0);
    const mismatch = await run(['token', 'mint', '--key', 'p256.pem', '--cert', 'rsa.crt', '--sub', 's']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/not for this signing key/);
  });

  it.each([
    [['--key', 'rsa.pub.pem'], 2, /invalid_key.*a public key cannot sign/],
    [['--key', 'rsa.pem', '--alg', 'HS256'], 2, /alg_key_mismatch/],
    [['--key', 'rsa.pem', '--exp', '-1h'], 1, /error\[token_expired\]: refusing to mint/],
    [['--key', 'rsa.pem', '--exp', '3600'], 2, /expected a duration from now/],
    [['--key', 'rsa.pem', '--claim', 'novalue'], 2, /expected key=value/],
    [[], 4, /error\[credential_missing\]: no key given/],
    [['--key', 'rsa.pem', '--secret-file', 'h.secret'], 2, /conflicting_options/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await run(['token', 'mint', '--sub', 's', ...args]);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('refuses a short HMAC secret unless --insecure, without echoing it', async () => {
    writeFileSync(join(dir, 'short.secret'), 'tiny-secret-value');
    const r = await run(['token', 'mint', '--secret-file', 'short.secret', '--sub', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[weak_secret\]: HMAC secret of 17 bytes is shorter than the 32 bytes HS256 needs/);
    expect(r.stderr).not.toContain('tiny-secret-value');
    expect((await run(['token', 'mint', '--secret-file', 'short.secret', '--sub', 's', '--insecure'])).code).toBe(0);
  });

  it('--allow-invalid mints expired tokens for negative tests', async () => {
    const r = await run(['token', 'mint', '--key', 'rsa.pem', '--exp', '-1h', '--allow-invalid']);
    expect(r.code).toBe(0);
    const v = await run(['verify', '--key', 'rsa.pub.pem', '--alg', 'RS256', r.stdout.trim()]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/token_expired/);
  });
});

describe('bulk verify', () => {
  it('keeps input order while checking many signatures at once', async () => {
    const good = opensslSign('ES256', claims(), 'p256.pem', dir);
    const bad = `${good.slice(0, -6)}AAAAAA`;
    const lines = Array.from({ length: 150 }, (_, i) => (i % 7 === 3 ? bad : i % 50 === 10 ? 'junk' : good));
    const r = await run(['verify', '--key', 'p256.pub.pem', '--json'], `${lines.join('\n')}\n`);
    expect(r.code).toBe(1);
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results.map((x) => x.line)).toEqual(lines.map((_, i) => i + 1));
    expect(results.map((x) => x.valid)).toEqual(lines.map((l) => l === good));
    expect(results[3].findings[0].code).toBe('invalid_signature');
    expect(results[60].findings[0].code).toBe('invalid_token');
  });

  it('judges each line as a run of its own would (HMAC secret: one key for the whole batch)', async () => {
    writeFileSync(join(dir, 'hs.secret'), 'a-batch-secret-that-is-long-enough-for-hs256');
    const good = opensslHs256(claims(), 'a-batch-secret-that-is-long-enough-for-hs256');
    const lines = [
      good,
      opensslHs256(claims(), 'another-secret-that-is-long-enough-for-hs256'),
      good,
      'junk',
      opensslHs256({ sub: 'a', exp: now() - 3600 }, 'a-batch-secret-that-is-long-enough-for-hs256'),
      good,
    ];
    const args = ['verify', '--secret-file', 'hs.secret', '--alg', 'HS256', '--json'];
    const bulk = await run(args, `${lines.join('\n')}\n`);
    const judged = (doc: { valid: boolean; findings: { code: string }[] }) => ({ valid: doc.valid, codes: doc.findings.map((f) => f.code) });
    const together = bulk.stdout
      .trim()
      .split('\n')
      .map((l) => judged(JSON.parse(l)));
    const alone = [];
    for (const line of lines) alone.push(judged(JSON.parse((await run([...args, line])).stdout)));
    expect(together).toEqual(alone);
    expect(together.map((x) => x.valid)).toEqual([true, false, true, false, false, true]);
  });
});

describe('authctl verify refuses what it must', () => {
  it('alg none, even with an allow-list that names the key', async () => {
    const r = await run(['verify', '--key', 'rsa.pub.pem', '--alg', 'RS256', unsecured({ sub: 'a', exp: now() + 60 })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/alg_not_allowed/);
  });

  it('the HS256-with-the-public-key confusion attack', async () => {
    const publicPem = readFileSync(join(dir, 'rsa.pub.pem'), 'utf8');
    const forged = opensslHs256({ sub: 'admin', exp: now() + 60 }, publicPem);
    const asRsa = await run(['verify', '--key', 'rsa.pub.pem', '--alg', 'RS256', forged]);
    expect(asRsa.code).toBe(1);
    expect(asRsa.stdout).toMatch(/alg_not_allowed/);
    const asHmac = await run(['verify', '--key', 'rsa.pub.pem', '--alg', 'HS256', forged]);
    expect(asHmac.code).toBe(2);
    expect(asHmac.stderr).toMatch(/error\[alg_key_mismatch\]/);
  });

  it('requires --alg for an RSA key, but not for an EC key', async () => {
    const token = opensslSign('ES256', claims(), 'p256.pem', dir);
    expect((await run(['verify', '--key', 'p256.pub.pem', token])).code).toBe(0);
    const rsa = await run(['verify', '--key', 'rsa.pub.pem', opensslSign('RS256', claims(), 'rsa.pem', dir)]);
    expect(rsa.code).toBe(2);
    expect(rsa.stderr).toMatch(/error\[alg_required\][\s\S]*--alg RS256/);
  });

  it('crit it does not understand, and never follows jku', async () => {
    const crit = opensslSign('ES256', claims(), 'p256.pem', dir, { crit: ['urn:example:ext'], 'urn:example:ext': true });
    const r = await run(['verify', '--key', 'p256.pub.pem', crit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unsupported_crit/);
    // a jku pointing at a closed loopback port: verification uses the given key and makes no request
    const jku = opensslSign('ES256', { ...claims(), aud: 'x' }, 'p256.pem', dir, { jku: 'http://127.0.0.1:9/jwks.json' });
    const v = await run(['verify', '--key', 'p256.pub.pem', '--json', jku]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).valid).toBe(true);
  });

  it('a missing secret is exit 4 naming the sources', async () => {
    const r = await run(['verify', '--alg', 'HS256', opensslHs256({ sub: 'a' }, 'x'.repeat(32))]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error\[credential_missing\][\s\S]*--secret-file FILE, --secret-stdin, or set AUTHCTL_SECRET/);
  });
});

describe('seed flows end to end', () => {
  it('JustGold: keygen, hand over the public PEM, mint with the profile, verify, replay', async () => {
    expect((await run(['keygen', '--type', 'rsa', '--size', '2048', '--out', 'private'])).code).toBe(0);
    writeFileSync(join(dir, 'public.pem'), (await run(['key', 'pub', 'private.pem'])).stdout);
    expect(
      (
        await run([
          'profile',
          'add',
          'justgold',
          '--provider',
          'justgold',
          '--base-url',
          'https://sandbox-api.justgold.me',
          '--private-key',
          'private.pem',
          '--expect-iss',
          'partner-123',
        ])
      ).code,
    ).toBe(0);
    const minted = await run(['--profile', 'justgold', 'token', 'mint', '--iss', 'partner-123', '--sub', 'user-123', '--json']);
    expect(minted.stderr).toBe('');
    const { token, payload, header } = JSON.parse(minted.stdout);
    expect(header.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: 'partner-123', sub: 'user-123', aud: 'justgold-api' });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    // JustGold's side: the uploaded public PEM, checked by openssl and by authctl
    expect(opensslVerify(token, join(dir, 'public.pem'), dir)).toBe(true);
    expect((await run(['--profile', 'justgold', 'verify', '--key', 'public.pem', token])).code).toBe(0);
    const replay = await run(['--profile', 'justgold', 'verify', '--key', 'public.pem', '--json'], `${token}\n${token}\n`);
    expect(
      replay.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).findings.map((f: { code: string }) => f.code)),
    ).toEqual([[], ['replayed_token']]);
    const wrongIssuer = await run(['--profile', 'justgold', 'token', 'mint', '--iss', 'someone-else', '--sub', 'u']);
    expect(wrongIssuer.code).toBe(1);
    expect(wrongIssuer.stderr).toMatch(/invalid_issuer/);
  });

  it('gamification: HS256 with the API secret, scope as an array, checked by the built-in policy', async () => {
    expect((await run(['keygen', '--type', 'oct', '--out', 'gamif'])).code).toBe(0);
    expect(
      (await run(['profile', 'add', 'gamif', '--provider', 'gamification', '--expect-iss', 'your-tenant-id', '--expect-aud', 'your-application-id'])).code,
    ).toBe(0);
    const minted = await run([
      '--profile',
      'gamif',
      'token',
      'mint',
      '--secret-file',
      'gamif.secret',
      '--sub',
      'user_123',
      '--iss',
      'your-tenant-id',
      '--aud',
      'your-application-id',
      '--scope',
      'read write',
    ]);
    expect(minted.stderr).toBe('');
    const token = minted.stdout.trim();
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).scope).toEqual(['read', 'write']);
    expect((await run(['--profile', 'gamif', 'verify', '--secret-file', 'gamif.secret', token])).code).toBe(0);
    const missing = await run([
      '--profile',
      'gamif',
      'token',
      'mint',
      '--secret-file',
      'gamif.secret',
      '--iss',
      'your-tenant-id',
      '--aud',
      'your-application-id',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing_required_claim/);
  });
});

describe('bulk verify of a stream that arrives slowly', () => {
  it('prints each result once it is checked, without waiting for more input (a log followed live)', async () => {
    const secretFile = join(dir, 'stream.secret');
    writeFileSync(secretFile, 'a-streaming-test-secret-of-32-bytes!!');
    const token = opensslHs256(claims(), 'a-streaming-test-secret-of-32-bytes!!');
    const child = spawn(process.execPath, [BIN, 'verify', '--secret-file', secretFile, '--alg', 'HS256', '--aud', 'justgold-api', '--json', '-'], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const firstLine = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('\n') && resolve()));
    child.stdin.write(`${token}\n`);
    // stdin stays open: the first result must come out anyway
    await Promise.race([firstLine, new Promise((_, reject) => setTimeout(() => reject(new Error(`no result while input was open; got ${out}`)), 10_000))]);
    expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ line: 1, valid: true });
    child.stdin.end(`${token}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(2);
  });
});
