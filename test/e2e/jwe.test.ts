import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, sandbox } from '../helpers/cli.js';

/**
 * JWE both ways with an implementation other than jose (node-jose, Cisco's), for each key type:
 * tokens node-jose encrypts are decrypted by authctl, and authctl's by node-jose. Then what a
 * hostile JWE tries: a billion PBES2 iterations, compression, a disallowed algorithm, the wrong key.
 */
const require = createRequire(import.meta.url);
const nodeJose: any = require('node-jose');
let box: ReturnType<typeof sandbox>;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  box = sandbox();
  expect((await box.run(['keygen', '--type', 'rsa', '--out', 'rsa'])).code).toBe(0);
  expect((await box.run(['keygen', '--type', 'ec', '--curve', 'P-384', '--out', 'ec'])).code).toBe(0);
  expect((await box.run(['keygen', '--type', 'ec', '--out', 'signer'])).code).toBe(0);
  // a 256-bit symmetric key as a JWK, for A256KW and dir
  const oct = await nodeJose.JWK.createKey('oct', 256, { kid: 'kw-1' });
  writeFileSync(join(box.dir, 'oct.jwk.json'), JSON.stringify(oct.toJSON(true)));
}, 60_000);
afterAll(() => cleanupHomes());

const keyOf = async (file: string) => nodeJose.JWK.asKey(readFileSync(join(box.dir, file), 'utf8'), file.endsWith('.json') ? 'json' : 'pem');

describe('JWE interop with node-jose', () => {
  it.each([
    ['rsa.pub.pem', 'rsa.pem', 'RSA-OAEP-256', 'A256GCM'],
    ['rsa.pub.pem', 'rsa.pem', 'RSA-OAEP', 'A128CBC-HS256'],
    ['ec.pub.pem', 'ec.pem', 'ECDH-ES', 'A128GCM'],
    ['ec.pub.pem', 'ec.pem', 'ECDH-ES+A256KW', 'A256CBC-HS512'],
    ['oct.jwk.json', 'oct.jwk.json', 'A256KW', 'A256GCM'],
    ['oct.jwk.json', 'oct.jwk.json', 'dir', 'A256GCM'],
  ])(
    '%s with %s/%s: node-jose encrypts, authctl decrypts; authctl encrypts, node-jose decrypts',
    async (pub, priv, alg, enc) => {
      // node-jose → authctl: a nested JWT signed by authctl, encrypted by node-jose
      const signed = (await box.run(['token', 'mint', '--key', 'signer.pem', '--sub', 'interop', '--aud', 'api', '--exp', '10m'])).stdout.trim();
      const theirs = await nodeJose.JWE.createEncrypt(
        { format: 'compact', contentAlg: enc, fields: { cty: 'JWT' } },
        { key: await keyOf(pub), header: { alg } },
      )
        .update(signed)
        .final();
      const decoded = await box.run(['decode', '--json', '--decrypt-key', priv, theirs]);
      expect(decoded.stderr).toBe('');
      expect(JSON.parse(decoded.stdout)).toMatchObject({ kind: 'jwe', decrypted: true, header: { alg, enc }, nested: { payload: { sub: 'interop' } } });
      const verified = await box.run(['verify', '--json', '--decrypt-key', priv, '--key', 'signer.pub.pem', '--aud', 'api', theirs]);
      expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, payload: { sub: 'interop' } });
      const linted = await box.run(['lint', '--json', '--decrypt-key', priv, '--aud', 'api', theirs]);
      expect(JSON.parse(linted.stdout)).toMatchObject({ valid: true });
      expect(JSON.parse((await box.run(['lint', '--json', '--decrypt-key', priv, '--aud', 'other', theirs])).stdout).findings[0].code).toBe('invalid_audience');
      // authctl → node-jose
      const ours = (await box.run(['token', 'encrypt', '--key', pub, '--alg', alg, '--enc', enc, '{"sub":"from-authctl"}'])).stdout.trim();
      const opened = await nodeJose.JWE.createDecrypt(await keyOf(priv)).decrypt(ours);
      expect(opened.header).toMatchObject({ alg, enc, typ: 'JWT' });
      expect(JSON.parse(opened.payload.toString())).toEqual({ sub: 'from-authctl' });
    },
    30_000,
  );

  it('X25519 recipients (keys made by openssl; node-jose has no X25519): ECDH-ES+A256KW both ways through authctl', async () => {
    execFileSync('openssl', ['genpkey', '-algorithm', 'X25519', '-out', 'x25519.pem'], { cwd: box.dir });
    execFileSync('openssl', ['pkey', '-in', 'x25519.pem', '-pubout', '-out', 'x25519.pub.pem'], { cwd: box.dir });
    const jwe = (await box.run(['token', 'encrypt', '--key', 'x25519.pub.pem', '{"sub":"okp"}'])).stdout.trim();
    expect(JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ECDH-ES+A256KW', epk: { kty: 'OKP', crv: 'X25519' } });
    expect((await box.run(['decode', '--decrypt-key', 'x25519.pem', '--jq', '.payload.sub', jwe])).stdout).toBe('okp\n');
    // an X25519 key signs nothing
    expect((await box.run(['token', 'mint', '--key', 'x25519.pem', '--sub', 's', '--exp', '5m'])).code).toBe(2);
  });

  it('a nested JWT from token encrypt keeps cty JWT, and the default algorithms follow the key', async () => {
    const signed = (await box.run(['token', 'mint', '--key', 'signer.pem', '--sub', 'n', '--exp', '5m'])).stdout.trim();
    for (const [key, alg] of [
      ['rsa.pub.pem', 'RSA-OAEP-256'],
      ['ec.pub.pem', 'ECDH-ES+A256KW'],
      ['oct.jwk.json', 'A256KW'],
    ]) {
      const jwe = (await box.run(['token', 'encrypt', '--key', key!, signed])).stdout.trim();
      expect(JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg, enc: 'A256GCM', cty: 'JWT' });
    }
  });
});

describe('JWE in one step, and keys for it', () => {
  it('keygen --use enc makes a recipient JWK that names its key management; token mint --encrypt-to signs then encrypts to it', async () => {
    expect((await box.run(['keygen', '--type', 'ec', '--use', 'enc', '--format', 'jwk', '--kid', 'enc-1', '--out', 'recipient'])).code).toBe(0);
    const published = JSON.parse(readFileSync(join(box.dir, 'recipient.jwks.json'), 'utf8')).keys[0];
    expect(published).toMatchObject({ kty: 'EC', use: 'enc', alg: 'ECDH-ES+A256KW', kid: 'enc-1' });
    const nested = (
      await box.run(['token', 'mint', '--key', 'signer.pem', '--sub', 'one-step', '--exp', '5m', '--encrypt-to', 'recipient.jwks.json'])
    ).stdout.trim();
    expect(nested.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(nested.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ECDH-ES+A256KW', cty: 'JWT', kid: 'enc-1' });
    // node-jose opens it with the private JWK, and finds the signed JWT inside
    const opened = await nodeJose.JWE.createDecrypt(await keyOf('recipient.jwk.json')).decrypt(nested);
    expect(opened.payload.toString().split('.')).toHaveLength(3);
    const verified = await box.run(['verify', '--json', '--decrypt-key', 'recipient.jwk.json', '--key', 'signer.pub.pem', nested]);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, payload: { sub: 'one-step' } });
    // an encryption key in a set is never used to verify a signature
    const asSigner = await box.run(['verify', '--key', 'recipient.jwks.json', '--alg', 'ES256', opened.payload.toString()]);
    expect(asSigner.code).not.toBe(0);
  });
});

describe('JWE to a password (PBES2), and a decryption key from the profile', () => {
  it('PBES2 both ways with node-jose: authctl encrypts to a password file, node-jose decrypts; node-jose encrypts, authctl decodes and verifies', async () => {
    writeFileSync(join(box.dir, 'pw.txt'), 'correct horse battery staple\n');
    const ours = (await box.run(['token', 'encrypt', '--password-file', 'pw.txt', '{"sub":"pw-user"}'])).stdout.trim();
    const header = JSON.parse(Buffer.from(ours.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 600000 });
    // the trailing newline of the file is not part of the password
    const password = await nodeJose.JWK.asKey({ kty: 'oct', k: Buffer.from('correct horse battery staple').toString('base64url') });
    expect(JSON.parse((await nodeJose.JWE.createDecrypt(password).decrypt(ours)).payload.toString())).toEqual({ sub: 'pw-user' });
    const signed = (await box.run(['token', 'mint', '--key', 'signer.pem', '--sub', 'pw-nested', '--aud', 'api', '--exp', '10m'])).stdout.trim();
    const theirs = await nodeJose.JWE.createEncrypt(
      { format: 'compact', contentAlg: 'A128CBC-HS256', fields: { cty: 'JWT', p2c: 10000 } },
      { key: password, header: { alg: 'PBES2-HS256+A128KW' } },
    )
      .update(signed)
      .final();
    const decoded = await box.run(['decode', '--json', '--password-stdin', theirs], {}, 'correct horse battery staple\n');
    expect(JSON.parse(decoded.stdout)).toMatchObject({ decrypted: true, header: { alg: 'PBES2-HS256+A128KW' }, nested: { payload: { sub: 'pw-nested' } } });
    const verified = await box.run(['verify', '--json', '--password-file', 'pw.txt', '--key', 'signer.pub.pem', '--aud', 'api', theirs]);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, payload: { sub: 'pw-nested' } });
    // an empty password is refused before any work; a wrong one gets the one answer
    writeFileSync(join(box.dir, 'empty.txt'), '\n');
    const empty = await box.run(['lint', '--json', '--password-file', 'empty.txt', theirs]);
    expect(JSON.parse(empty.stdout).error).toMatchObject({ code: 'invalid_argument', message: 'the JWE password is empty' });
    const wrong = await box.run(['decode', '--json', '--password-stdin', theirs], {}, 'wrong\n');
    expect([wrong.code, JSON.parse(wrong.stdout).error.message]).toEqual([1, 'not a token authctl can read: it cannot be decrypted with this key']);
  });

  it('a password is never a key, nor a key a password; the token and the password cannot both come from stdin', async () => {
    const a = await box.run(['token', 'encrypt', '--alg', 'A256KW', '{"a":1}'], { AUTHCTL_JWE_PASSWORD: 'pw' });
    expect([a.code, a.stderr.split('\n')[0]]).toEqual([2, 'authctl: error[alg_key_mismatch]: A256KW does not take a password: PBES2 does']);
    const b = await box.run(['token', 'encrypt', '--key', 'oct.jwk.json', '--alg', 'PBES2-HS256+A128KW', '{"a":1}']);
    expect(b.stderr.split('\n')[0]).toBe(
      'authctl: error[alg_key_mismatch]: PBES2-HS256+A128KW takes a password (--password-file or --password-stdin), not a key',
    );
    const c = await box.run(['decode', '--password-stdin'], {}, 'x.y.z\n');
    expect([c.code, c.stderr.split('\n')[0]]).toEqual([2, 'authctl: error[conflicting_options]: the token and the password cannot both come from stdin']);
    const e = await box.run(['token', 'encrypt', '--key', 'oct.jwk.json', '--password-file', 'pw.txt', '{"a":1}']);
    expect([e.code, e.stderr.split('\n')[0]]).toEqual([
      2,
      'authctl: error[conflicting_options]: give the recipient key (--key) or a password (--password-file, --password-stdin), not both',
    ]);
    const d = await box.run(['token', 'encrypt', '{"a":1}']);
    expect([d.code, d.stderr.split('\n')[0]]).toEqual([
      2,
      "authctl: error[missing_mandatory_option_value]: token encrypt needs the recipient's key (--key FILE), or a password for PBES2",
    ]);
  });

  it("--decrypt-stored: the profile's private key from AUTHCTL_PRIVATE_KEY, or the credential store", async () => {
    const jwe = (await box.run(['token', 'encrypt', '--key', 'ec.pub.pem', '{"sub":"stored"}'])).stdout.trim();
    const pem = readFileSync(join(box.dir, 'ec.pem'), 'utf8');
    const fromEnv = await box.run(['decode', '--json', '--decrypt-stored', jwe], { AUTHCTL_PRIVATE_KEY: pem });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ decrypted: true, payload: { sub: 'stored' } });
    // the file store (the keychain is tested in credentials.test.ts): the profile's private_key credential
    expect((await box.run(['profile', 'add', 'enc', '--token-url', 'http://127.0.0.1:9/token', '--client-id', 'c'])).code).toBe(0);
    const config = join(box.env.XDG_CONFIG_HOME!, 'authctl', 'config.toml');
    writeFileSync(config, `credential_store = "file"\n${readFileSync(config, 'utf8')}`);
    expect((await box.run(['credentials', 'set', 'private_key', '--profile', 'enc', '--stdin'], {}, pem)).code).toBe(0);
    const stored = await box.run(['--profile', 'enc', 'decode', '--json', '--decrypt-stored', jwe]);
    expect(stored.stderr).toMatch(/^authctl: warning: using the plaintext credential file \S+ \(mode 0600\), not the OS keychain\n$/);
    expect(JSON.parse(stored.stdout)).toMatchObject({ decrypted: true, payload: { sub: 'stored' } });
    const none = await box.run(['decode', '--decrypt-stored', jwe], { XDG_CONFIG_HOME: join(box.dir, 'no-config') });
    expect([none.code, none.stderr.split('\n')[0]]).toEqual([
      4,
      "authctl: error[credential_missing]: --decrypt-stored decrypts with a profile's stored private key, and no profile is selected",
    ]);
    const both = await box.run(['decode', '--decrypt-stored', '--decrypt-key', 'ec.pem', jwe]);
    expect([both.code, both.stderr.split('\n')[0]]).toEqual([
      2,
      'authctl: error[conflicting_options]: give one of --decrypt-key, --decrypt-stored or a password (--password-file, --password-stdin)',
    ]);
  });
});

describe('hostile JWE', () => {
  const jweWith = (header: object) => `${b64(header)}.${'A'.repeat(43)}.${'A'.repeat(16)}.${'A'.repeat(22)}.${'A'.repeat(22)}`;
  const reason = async (args: string[]) => {
    const r = await box.run(['decode', '--json', ...args]);
    return [r.code, JSON.parse(r.stdout).error?.message];
  };

  it('refuses at once what it will not do: a billion PBES2 iterations, compression, an algorithm not allowed, dir with an RSA key', async () => {
    expect(
      await reason(['--decrypt-key', 'oct.jwk.json', jweWith({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 1_000_000_000, p2s: 'AAAAAAAAAAA' })]),
    ).toEqual([1, 'not a token authctl can read: it asks for 1000000000 PBES2 iterations, over the 600000 authctl runs']);
    expect(await reason(['--decrypt-key', 'rsa.pem', jweWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' })])).toEqual([
      1,
      'not a token authctl can read: it is compressed (zip), which authctl does not inflate',
    ]);
    expect((await reason(['--decrypt-key', 'rsa.pem', jweWith({ alg: 'RSA1_5', enc: 'A256GCM' })]))[1]).toMatch(/its key management "RSA1_5" is not allowed/);
    expect(await reason(['--decrypt-key', 'rsa.pem', jweWith({ alg: 'dir', enc: 'A256GCM' })])).toEqual([
      1,
      'not a token authctl can read: its key management dir does not go with the RSA key given',
    ]);
  });

  it('one answer for every failure of the decryption itself: a wrong key, a broken tag, a changed ciphertext', async () => {
    const good = (await box.run(['token', 'encrypt', '--key', 'rsa.pub.pem', '{"sub":"x"}'])).stdout.trim();
    const [h, k, iv, ct, tag] = good.split('.');
    const flip = (s: string) => `${s.slice(0, -2)}${s.slice(-2, -1) === 'A' ? 'B' : 'A'}${s.slice(-1)}`;
    expect((await box.run(['keygen', '--type', 'rsa', '--out', 'other'])).code).toBe(0);
    const answers = new Set<string>();
    for (const [key, token] of [
      ['other.pem', good],
      ['rsa.pem', [h, k, iv, ct, flip(tag!)].join('.')],
      ['rsa.pem', [h, k, iv, flip(ct!), tag].join('.')],
      ['rsa.pem', [h, flip(k!), iv, ct, tag].join('.')],
    ]) {
      const [code, message] = await reason(['--decrypt-key', key!, token!]);
      expect(code).toBe(1);
      answers.add(message);
    }
    expect([...answers]).toEqual(['not a token authctl can read: it cannot be decrypted with this key']);
  });

  it('a public key cannot decrypt, and says so', async () => {
    const good = (await box.run(['token', 'encrypt', '--key', 'rsa.pub.pem', '{"sub":"x"}'])).stdout.trim();
    const r = await box.run(['decode', '--decrypt-key', 'rsa.pub.pem', good]);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'authctl: error[invalid_key]: decrypting needs the private key (or the secret), not a public one']);
  });
});
