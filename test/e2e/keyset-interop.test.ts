import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli } from '../helpers/cli.js';
import { opensslDir, opensslHs256, opensslRs256, opensslRsaKey } from '../helpers/openssl.js';
import { json, startServer, type FixtureServer } from '../helpers/server.js';

/**
 * Key sets and token shapes as other implementations make them (tokens and certificates by
 * openssl, sets written by hand as RFC 7517 describes them), against `verify`'s key selection.
 */
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ sub: 'svc', aud: 'api', iat: now(), exp: now() + 600 });
let dir: string;
const keys: string[] = [];
const certs: string[] = [];
const rsaJwk = (pem: string, extra: Record<string, unknown> = {}) => ({ ...createPublicKey(readFileSync(pem)).export({ format: 'jwk' }), ...extra });
const x5c = (cert: string) => readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s/g, '');
const write = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
const verify = (args: string[], env: Record<string, string> = {}) => runCli(['verify', '--aud', 'api', '--json', ...args], { env });

beforeAll(() => {
  dir = opensslDir();
  for (let i = 0; i < 3; i++) {
    keys.push(opensslRsaKey(opensslDir())); // a directory each: the helper names the file by its size
    const cert = join(dir, `cert-${i}.pem`);
    execFileSync('openssl', ['req', '-x509', '-new', '-key', keys[i]!, '-subj', `/CN=signer-${i}`, '-days', '2', '-out', cert], { stdio: 'ignore' });
    certs.push(cert);
  }
});
afterAll(cleanupHomes);

describe('verify with key sets other implementations publish', () => {
  it('a symmetric (oct) key in a set verifies an HS256 token openssl signed', async () => {
    const secret = 'a-shared-secret-of-thirty-two-bytes!';
    const token = opensslHs256(claims(), secret);
    const set = write('oct.json', { keys: [{ kty: 'oct', k: Buffer.from(secret).toString('base64url'), alg: 'HS256', kid: 's1' }] });
    const r = await verify(['--key', set, token]);
    expect([r.code, JSON.parse(r.stdout).valid]).toEqual([0, true]);
    const wrong = opensslHs256(claims(), 'another-secret-of-thirty-two-bytes!!');
    expect(JSON.parse((await verify(['--key', set, wrong])).stdout).findings[0].code).toBe('invalid_signature');
  });

  it('a token without kid is tried against every key that fits its alg: valid when one verifies', async () => {
    const set = write('two.json', { keys: [rsaJwk(keys[0]!, { alg: 'RS256', kid: 'a' }), rsaJwk(keys[1]!, { alg: 'RS256', kid: 'b' })] });
    const bySecond = opensslRs256(claims(), keys[1]!);
    const r = await verify(['--key', set, bySecond]);
    expect([r.code, JSON.parse(r.stdout).valid]).toEqual([0, true]);
    const byStranger = await verify(['--key', set, opensslRs256(claims(), keys[2]!)]);
    expect(byStranger.code).toBe(1);
    expect(JSON.parse(byStranger.stdout).findings[0]).toMatchObject({
      code: 'invalid_signature',
      message: 'the signature matches none of the 2 keys that fit the token',
    });
  });

  it('x5t#S256 picks the key whose certificate it names', async () => {
    const set = write('x5c.json', {
      keys: [rsaJwk(keys[0]!, { alg: 'RS256', x5c: [x5c(certs[0]!)] }), rsaJwk(keys[1]!, { alg: 'RS256', x5c: [x5c(certs[1]!)] })],
    });
    const thumbprint = (cert: string) =>
      createHash('sha256')
        .update(Buffer.from(x5c(cert), 'base64'))
        .digest('base64url');
    const named = opensslRs256(claims(), keys[1]!, { alg: 'RS256', 'x5t#S256': thumbprint(certs[1]!) });
    expect(JSON.parse((await verify(['--key', set, named])).stdout).valid).toBe(true);
    // signed by key 1 but naming certificate 0: only key 0 is tried
    const misnamed = opensslRs256(claims(), keys[1]!, { alg: 'RS256', 'x5t#S256': thumbprint(certs[0]!) });
    expect(JSON.parse((await verify(['--key', set, misnamed])).stdout).findings[0]).toMatchObject({
      code: 'invalid_signature',
      message: 'the signature does not match the key',
    });
  });

  it('understood_crit in the policy is honoured by verify exactly as by lint', async () => {
    const token = opensslRs256(claims(), keys[0]!, { alg: 'RS256', crit: ['exp-hint'], 'exp-hint': 1 });
    const pub = join(dir, 'pub0.pem');
    writeFileSync(pub, createPublicKey(readFileSync(keys[0]!)).export({ format: 'pem', type: 'spki' }));
    const refused = await verify(['--key', pub, '--alg', 'RS256', token]);
    expect(JSON.parse(refused.stdout).findings[0].code).toBe('unsupported_crit');
    const policy = join(dir, 'crit.toml');
    writeFileSync(policy, 'audience = "api"\nalgorithms = ["RS256"]\nunderstood_crit = ["exp-hint"]\n');
    const accepted = await verify(['--key', pub, '--policy', policy, token]);
    expect([accepted.code, JSON.parse(accepted.stdout).valid]).toEqual([0, true]);
    const lint = await runCli(['lint', '--policy', policy, '--json', token]);
    expect(lint.code).toBe(0);
  });

  it('a secp256k1 key is named for what it is', async () => {
    const k1 = join(dir, 'k1.pem');
    execFileSync('openssl', ['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', k1], { stdio: 'ignore' });
    const pub = join(dir, 'k1.pub.pem');
    execFileSync('openssl', ['ec', '-in', k1, '-pubout', '-out', pub], { stdio: 'ignore' });
    const r = await runCli(['verify', '--key', pub, opensslRs256(claims(), keys[0]!)]);
    expect(r.stderr).toMatch(/^authctl: error\[unsupported_key\]: an EC key on secp256k1 cannot verify any JWS algorithm authctl supports\n/);
    expect(r.stderr).not.toMatch(/an RSA key|undefined/);
    expect(r.code).toBe(2);
  });
});

describe('flags beat the environment', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, { keys: [rsaJwk(keys[0]!, { alg: 'RS256', kid: 'a' })] }));
  });
  afterAll(() => server.close());

  it('--jwks URL is used though AUTHCTL_SECRET is set', async () => {
    const token = opensslRs256(claims(), keys[0]!, { alg: 'RS256', kid: 'a' });
    const r = await verify(['--jwks', `${server.url}/jwks`, token], { AUTHCTL_SECRET: 'x'.repeat(32) });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).valid).toBe(true);
  });
});
