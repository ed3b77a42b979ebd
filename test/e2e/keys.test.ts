import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';

let dir: string;
const run = (args: string[], input?: string) => runCli(args, { cwd: dir, input });
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });

beforeAll(() => {
  dir = tmpHome();
});
afterAll(cleanupHomes);

describe('authctl keygen', () => {
  it.each([
    [['--type', 'rsa', '--size', '2048'], 'RSA'],
    [['--type', 'ec', '--curve', 'P-384'], 'EC'],
    [['--type', 'ed25519'], 'OKP'],
    [[], 'EC'],
  ])('%j writes a 0600 PKCS#8 private key and an SPKI public key that openssl reads', async (args, kty) => {
    const base = `k-${kty}-${args.length}`;
    const r = await run(['keygen', ...args, '--out', base, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.kty).toBe(kty);
    expect(doc.files).toEqual([
      { path: `${base}.pem`, private: true },
      { path: `${base}.pub.pem`, private: false },
    ]);
    expect(statSync(join(dir, `${base}.pem`)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, `${base}.pem`), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(openssl('pkey', '-in', `${base}.pem`, '-pubout').toString()).toBe(readFileSync(join(dir, `${base}.pub.pem`), 'utf8'));
    // kid is the RFC 7638 thumbprint, the same that `key thumbprint` computes
    expect((await run(['key', 'thumbprint', `${base}.pub.pem`])).stdout.trim()).toBe(doc.kid);
  });

  it('writes a private JWK and a public JWKS with kid, alg and use', async () => {
    const r = await run(['keygen', '--type', 'rsa', '--format', 'jwk', '--alg', 'PS256', '--out', 'jwkkey']);
    expect(r.code).toBe(0);
    const priv = JSON.parse(readFileSync(join(dir, 'jwkkey.jwk.json'), 'utf8'));
    const jwks = JSON.parse(readFileSync(join(dir, 'jwkkey.jwks.json'), 'utf8'));
    expect(priv).toMatchObject({ kty: 'RSA', alg: 'PS256', use: 'sig' });
    expect(priv.d).toBeTypeOf('string');
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].d).toBeUndefined();
    expect(jwks.keys[0].kid).toBe(priv.kid);
    expect(statSync(join(dir, 'jwkkey.jwk.json')).mode & 0o777).toBe(0o600);
  });

  it('writes an HMAC secret of 256 bits of entropy', async () => {
    expect((await run(['keygen', '--type', 'oct', '--out', 'api'])).code).toBe(0);
    const secret = readFileSync(join(dir, 'api.secret'), 'utf8');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(statSync(join(dir, 'api.secret')).mode & 0o777).toBe(0o600);
  });

  it('a flag the key type has no use for is a usage error, never ignored', async () => {
    for (const [args, message] of [
      [['--type', 'ec', '--size', '2048'], '--size applies to rsa and oct keys, not ec'],
      [['--type', 'ed25519', '--size', '2048'], '--size applies to rsa and oct keys, not ed25519'],
      [['--type', 'rsa', '--curve', 'P-384'], '--curve applies to ec keys, not rsa'],
    ] as const) {
      const r = await run(['keygen', ...args]);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([2, '', `authctl: error[invalid_argument]: ${message}`]);
    }
  });

  it('prints to stdout without --out', async () => {
    const r = await run(['keygen', '--type', 'ed25519']);
    expect(r.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN PUBLIC KEY-----/);
    // A JWK on stdout is one JSON document (the private JWK); --json carries both halves.
    const jwk = JSON.parse((await run(['keygen', '--type', 'ec', '--format', 'jwk'])).stdout);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
    expect(typeof jwk.d).toBe('string');
    const both = JSON.parse((await run(['--json', 'keygen', '--type', 'ec', '--format', 'jwk'])).stdout);
    expect(both.public.keys[0].kid).toBe(both.private.kid);
  });

  it('encrypts the private key with a passphrase from a file, never argv', async () => {
    writeFileSync(join(dir, 'pass.txt'), 'correct horse battery staple\n');
    expect((await run(['keygen', '--type', 'ec', '--out', 'enc', '--passphrase-file', 'pass.txt'])).code).toBe(0);
    expect(readFileSync(join(dir, 'enc.pem'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(openssl('pkey', '-in', 'enc.pem', '-passin', 'pass:correct horse battery staple', '-pubout').toString()).toBe(
      readFileSync(join(dir, 'enc.pub.pem'), 'utf8'),
    );
    const noPass = await run(['key', 'pub', 'enc.pem']);
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(/error\[invalid_key\]: enc\.pem: the private key is encrypted and no passphrase was given/);
    expect((await run(['key', 'pub', 'enc.pem', '--passphrase-stdin'], 'correct horse battery staple\n')).code).toBe(0);
    const wrong = await run(['key', 'pub', 'enc.pem', '--passphrase-stdin'], 'wrong');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
  });

  it('never overwrites without --force, and refuses weak RSA unless --insecure', async () => {
    await run(['keygen', '--out', 'once']);
    const before = readFileSync(join(dir, 'once.pem'), 'utf8');
    const again = await run(['keygen', '--out', 'once']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/error\[file_exists\]: once\.pem already exists/);
    expect(readFileSync(join(dir, 'once.pem'), 'utf8')).toBe(before);
    expect((await run(['keygen', '--out', 'once', '--force'])).code).toBe(0);
    expect(readFileSync(join(dir, 'once.pem'), 'utf8')).not.toBe(before);

    const weak = await run(['keygen', '--type', 'rsa', '--size', '1024', '--out', 'weak']);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/error\[weak_key\]/);
    expect(existsSync(join(dir, 'weak.pem'))).toBe(false);
    expect((await run(['keygen', '--type', 'rsa', '--size', '1024', '--insecure', '--out', 'weak'])).code).toBe(0);
  });
});

describe('authctl key with keys other tools made', () => {
  beforeAll(() => {
    openssl('genrsa', '-out', 'genrsa.pem', '2048');
    openssl('genrsa', '-traditional', '-out', 'pkcs1.pem', '2048');
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'sec1.pem');
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed.pem');
    openssl('req', '-x509', '-key', 'genrsa.pem', '-subj', '/CN=authctl-test', '-days', '1', '-out', 'cert.pem');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', join(dir, 'ssh_rsa')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ssh_ed')]);
  });

  it.each([
    ['genrsa.pem', 'pkcs8', 'RSA'],
    ['pkcs1.pem', 'pkcs1', 'RSA'],
    ['sec1.pem', 'sec1', 'EC'],
    ['ed.pem', 'pkcs8', 'OKP'],
    ['cert.pem', 'x509', 'RSA'],
    ['ssh_rsa', 'pkcs1', 'RSA'],
  ])('%s loads (%s, %s) and its thumbprint matches its public PEM', async (file, source, kty) => {
    const r = await run(['key', 'thumbprint', '--json', file]);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ source, kty });
    const pub = await run(['key', 'pub', file]);
    writeFileSync(join(dir, `${file}.pub`), pub.stdout);
    expect((await run(['key', 'thumbprint', `${file}.pub`])).stdout.trim()).toBe(doc.thumbprint);
  });

  it('converts PEM -> JWK -> PEM losslessly (openssl agrees on the public key)', async () => {
    const jwk = await run(['key', 'convert', '--to', 'jwk', '--out', 'sec1.jwk.json', 'sec1.pem']);
    expect(jwk.code).toBe(0);
    expect(statSync(join(dir, 'sec1.jwk.json')).mode & 0o777).toBe(0o600);
    const back = await run(['key', 'convert', '--to', 'pem', 'sec1.jwk.json']);
    writeFileSync(join(dir, 'back.pem'), back.stdout);
    expect(openssl('pkey', '-in', 'back.pem', '-pubout').toString()).toBe(openssl('pkey', '-in', 'sec1.pem', '-pubout').toString());
    const jwks = JSON.parse((await run(['key', 'convert', '--to', 'jwks', 'sec1.pem'])).stdout);
    expect(jwks.keys[0].d).toBeUndefined();
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });

  it('matches the RFC 7638 §3.1 thumbprint example', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    writeFileSync(join(dir, 'rfc7638.json'), JSON.stringify(jwk));
    expect((await run(['key', 'thumbprint', 'rfc7638.json'])).stdout.trim()).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    expect((await run(['key', 'thumbprint', '--uri', 'rfc7638.json'])).stdout.trim()).toBe(
      'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it('selects a JWKS key by kid and lists kids when it cannot choose', async () => {
    await run(['keygen', '--format', 'jwk', '--kid', 'one', '--out', 'a']);
    await run(['keygen', '--format', 'jwk', '--kid', 'two', '--out', 'b']);
    const set = {
      keys: [...JSON.parse(readFileSync(join(dir, 'a.jwks.json'), 'utf8')).keys, ...JSON.parse(readFileSync(join(dir, 'b.jwks.json'), 'utf8')).keys],
    };
    writeFileSync(join(dir, 'two.jwks.json'), JSON.stringify(set));
    const ambiguous = await run(['key', 'thumbprint', 'two.jwks.json']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/the JWKS has 2 keys; choose one with --kid\nhint: kids present: one, two/);
    expect((await run(['key', 'pub', '--kid', 'two', '--format', 'jwk', 'two.jwks.json'])).stdout).toContain('"kid": "two"');
    expect((await run(['key', 'pub', '--kid', 'three', 'two.jwks.json'])).stderr).toMatch(/no key with kid "three"/);
  });

  it.each([
    ['ssh_ed', /OpenSSH-format private key/],
    ['ssh_ed.pub', /OpenSSH public key line/],
    ['nothing.pem', /cannot read key file nothing\.pem: no such file/],
  ])('names what it saw in %s', async (file, message) => {
    if (file === 'ssh_ed.pub') expect(existsSync(join(dir, file))).toBe(true);
    const r = await run(['key', 'pub', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('refuses unreadable formats precisely', async () => {
    writeFileSync(join(dir, 'params.pem'), openssl('ecparam', '-name', 'prime256v1'));
    writeFileSync(join(dir, 'der.b64'), openssl('pkey', '-in', 'genrsa.pem', '-outform', 'DER').toString('base64'));
    writeFileSync(join(dir, 'junk.txt'), 'hello');
    expect((await run(['key', 'pub', 'params.pem'])).stderr).toMatch(/PEM block "EC PARAMETERS" is not a key/);
    expect((await run(['key', 'pub', 'der.b64'])).stderr).toMatch(/base64 without PEM armour/);
    expect((await run(['key', 'pub', 'junk.txt'])).stderr).toMatch(/unrecognised key format/);
  });
});
