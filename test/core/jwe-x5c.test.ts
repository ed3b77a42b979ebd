import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, createSecretKey, randomBytes, X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptJwe, defaultKeyManagement, encryptJwe, MAX_PBES2_COUNT, passwordKey } from '../../src/core/jwt/jwe.js';
import { checkChain, keyUsage, x5cCertificates } from '../../src/core/keys/x5c.js';
import { describeKeyObject, type LoadedKey } from '../../src/core/keys/load.js';
import { renderManPage, roff } from '../../src/core/man-page.js';
import { opensslCertificate } from '../helpers/openssl.js';
import type { AuthctlError } from '../../src/errors.js';

const loaded = (key: LoadedKey['key'], kind: LoadedKey['kind']): LoadedKey => ({ kind, key, ...describeKeyObject(key), source: 'pkcs8' });
const headerOf = (jwe: string) => JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const failure = async (run: () => Promise<unknown>) => {
  try {
    await run();
  } catch (error) {
    return `${(error as AuthctlError).code}: ${(error as Error).message}`;
  }
  return 'no error';
};

describe('JWE (core/jwt/jwe.ts)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const x25519 = generateKeyPairSync('x25519');
  const secret = createSecretKey(randomBytes(32));
  const plaintext = new TextEncoder().encode('{"sub":"a"}');

  it('the default key management follows the key; encrypt then decrypt round-trips for each', async () => {
    for (const [pub, priv, alg] of [
      [rsa.publicKey, rsa.privateKey, 'RSA-OAEP-256'],
      [ec.publicKey, ec.privateKey, 'ECDH-ES+A256KW'],
      [x25519.publicKey, x25519.privateKey, 'ECDH-ES+A256KW'],
      [secret, secret, 'A256KW'],
    ] as const) {
      const kind = pub === priv ? 'secret' : 'public';
      expect(defaultKeyManagement(loaded(pub, kind))).toBe(alg);
      const jwe = await encryptJwe(plaintext, loaded(pub, kind), { cty: 'JWT', kid: 'k' });
      expect(headerOf(jwe)).toMatchObject({ alg, enc: 'A256GCM', cty: 'JWT', kid: 'k' });
      const opened = await decryptJwe(jwe, headerOf(jwe), loaded(priv, kind === 'secret' ? 'secret' : 'private'));
      expect(new TextDecoder().decode(opened.plaintext)).toBe('{"sub":"a"}');
    }
  });

  it('refuses a key that does not fit, an unknown algorithm, a public key to decrypt with; one message for a wrong key', async () => {
    expect(await failure(() => encryptJwe(plaintext, loaded(rsa.publicKey, 'public'), { alg: 'A256KW' }))).toMatch(/^alg_key_mismatch: /);
    expect(await failure(() => encryptJwe(plaintext, loaded(rsa.publicKey, 'public'), { alg: 'RSA1_5' }))).toMatch(/^unsupported_alg: /);
    expect(await failure(() => encryptJwe(plaintext, loaded(createSecretKey(randomBytes(24)), 'secret'), {}))).toMatch(/^unsupported_key: a 192-bit secret/);
    const jwe = await encryptJwe(plaintext, loaded(rsa.publicKey, 'public'), {});
    expect(await failure(() => decryptJwe(jwe, headerOf(jwe), loaded(rsa.publicKey, 'public')))).toMatch(/^invalid_key: /);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await failure(() => decryptJwe(jwe, headerOf(jwe), loaded(other.privateKey, 'private')))).toBe(
      'invalid_token: not a token authctl can read: it cannot be decrypted with this key',
    );
    expect(await failure(() => decryptJwe(jwe, { ...headerOf(jwe), p2c: MAX_PBES2_COUNT + 1 }, loaded(rsa.privateKey, 'private')))).toMatch(/PBES2 iterations/);
    expect(await failure(() => decryptJwe(jwe, { ...headerOf(jwe), zip: 'DEF' }, loaded(rsa.privateKey, 'private')))).toMatch(/compressed/);
    expect(await failure(() => decryptJwe(jwe, headerOf(jwe), loaded(rsa.privateKey, 'private'), { encs: ['A128GCM'] }))).toMatch(
      /content encryption "A256GCM" is not allowed/,
    );
  });

  it('a password encrypts and decrypts with PBES2 only (its own count, bounded), and is never a raw AES key', async () => {
    const password = passwordKey('correct horse');
    expect(defaultKeyManagement(password)).toBe('PBES2-HS512+A256KW');
    const jwe = await encryptJwe(plaintext, password, { alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' });
    expect(headerOf(jwe)).toMatchObject({ alg: 'PBES2-HS256+A128KW', p2c: MAX_PBES2_COUNT });
    expect(new TextDecoder().decode((await decryptJwe(jwe, headerOf(jwe), password)).plaintext)).toBe('{"sub":"a"}');
    expect(await failure(() => decryptJwe(jwe, headerOf(jwe), passwordKey('wrong')))).toBe(
      'invalid_token: not a token authctl can read: it cannot be decrypted with this key',
    );
    expect(await failure(() => encryptJwe(plaintext, password, { alg: 'A256KW' }))).toMatch(/^alg_key_mismatch: A256KW does not take a password/);
    expect(await failure(() => encryptJwe(plaintext, loaded(secret, 'secret'), { alg: 'PBES2-HS256+A128KW' }))).toMatch(
      /^alg_key_mismatch: .* takes a password/,
    );
    expect(await failure(() => decryptJwe(jwe, headerOf(jwe), loaded(secret, 'secret')))).toMatch(/does not go with the oct key given/);
  });
});

describe('x5c chains (core/keys/x5c.ts)', () => {
  let dir: string;
  const cert = (name: string) => new X509Certificate(readFileSync(join(dir, `${name}.pem`)));
  const b64 = (name: string) => cert(name).raw.toString('base64');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'authctl-x5c-'));
    opensslCertificate(dir, 'root', { rootExt: ['basicConstraints=critical,CA:TRUE'] });
    opensslCertificate(dir, 'other', { rootExt: [] });
    opensslCertificate(dir, 'leaf', { issuer: 'root', ext: 'basicConstraints=CA:FALSE\n' });
  });

  it('a leaf signed by a given root passes, with its x5t#S256; the leaf key comes back', () => {
    const now = Math.floor(Date.now() / 1000);
    const thumbprint = createHash('sha256').update(cert('leaf').raw).digest('base64url');
    const verdict = checkChain({ x5c: [b64('leaf')], 'x5t#S256': thumbprint }, [cert('root')], now);
    expect('leaf' in verdict && verdict.subject).toBe('CN=leaf');
  });

  it('refuses what does not hold, each with its reason', () => {
    const now = Math.floor(Date.now() / 1000);
    const reason = (header: Record<string, unknown>, roots = [cert('root')], at = now) => {
      const verdict = checkChain(header, roots, at);
      return 'finding' in verdict ? verdict.finding.message : 'passed';
    };
    expect(reason({})).toBe('x5c must be a list of 1 to 10 certificates');
    expect(reason({ x5c: ['not base64!'] })).toBe('x5c[0] is not base64 DER');
    expect(reason({ x5c: ['AAAA'] })).toBe('x5c[0] is not an X.509 certificate');
    expect(reason({ x5c: [b64('leaf')] }, [cert('other')])).toBe('the x5c chain leads to none of the roots given (--roots)');
    expect(reason({ x5c: [b64('leaf')] }, [cert('leaf')])).toBe('passed'); // a root given is trusted as it is, a leaf pinned too
    expect(reason({ x5c: [b64('leaf')] }, [cert('root')], now + 90 * 86400)).toMatch(/^x5c\[0\] \(CN=leaf\) is not valid now/);
    expect(reason({ x5c: [b64('leaf'), b64('leaf')] })).toBe('x5c[1] (CN=leaf) is not a CA allowed to sign certificates');
    expect(reason({ x5c: [b64('leaf'), b64('other')] })).toBe('x5c[0] is not signed by x5c[1]');
    expect(reason({ x5c: [b64('leaf')], 'x5t#S256': 'A'.repeat(43) })).toBe('x5t#S256 is not the thumbprint of the leaf certificate in x5c');
    expect(x5cCertificates([b64('leaf'), b64('root')])).toHaveLength(2);
  });

  it('key usage bits are read from the DER (openssl wrote them); an issuer without keyCertSign or a leaf without digitalSignature is refused', () => {
    const issue = (name: string, issuer: string, ext: string) => opensslCertificate(dir, name, { issuer, ext });
    issue('signer', 'root', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
    issue('encipher', 'root', 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n');
    issue('ca-no-certsign', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign\n');
    issue('under-it', 'ca-no-certsign', 'basicConstraints=CA:FALSE\n');
    expect(keyUsage(cert('signer').raw)).toEqual({ digitalSignature: true, keyCertSign: false });
    expect(keyUsage(cert('encipher').raw)).toEqual({ digitalSignature: false, keyCertSign: false });
    expect(keyUsage(cert('ca-no-certsign').raw)).toEqual({ digitalSignature: true, keyCertSign: false });
    expect(keyUsage(cert('leaf').raw)).toBeUndefined(); // no key usage extension: not constrained
    expect(keyUsage(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeUndefined();
    // after the certificates were made (their notBefore is the second openssl ran)
    const now = Math.floor(Date.now() / 1000) + 1;
    const reason = (header: Record<string, unknown>) => {
      const verdict = checkChain(header, [cert('root')], now);
      return 'finding' in verdict ? verdict.finding.message : 'passed';
    };
    expect(reason({ x5c: [b64('signer')] })).toBe('passed');
    expect(reason({ x5c: [b64('encipher')] })).toBe('x5c[0] (CN=encipher) may not sign: its key usage lacks digitalSignature');
    expect(reason({ x5c: [b64('under-it'), b64('ca-no-certsign')] })).toBe('x5c[1] (CN=ca-no-certsign) is not a CA allowed to sign certificates');
  });
});

describe('the man page (core/man-page.ts)', () => {
  it('roff: backslashes, minus signs, characters beyond ASCII and leading dots escaped; sections in order', () => {
    expect(roff('a\\b -x → .y\n.z')).toBe('a\\eb \\-x \\[u2192] .y\n\\&.z');
    const page = renderManPage({
      version: '1.2.3',
      date: '2026-12-07',
      description: 'tool',
      commands: [{ path: 'authctl x', help: 'Usage: authctl x [--flag]\n' }],
      exitCodes: [{ code: 2, meaning: 'usage', errors: ['invalid_argument'] }],
      environment: [{ name: 'AUTHCTL_X', meaning: 'x' }],
      files: [{ path: '~/.config/authctl/config.toml', meaning: 'profiles' }],
    });
    expect(page).toMatch(/^\.TH AUTHCTL 1 "2026-12-07" "authctl 1\.2\.3" "User Commands"\n/);
    expect(page.indexOf('.SH COMMANDS')).toBeLessThan(page.indexOf('.SH "EXIT STATUS"'));
    expect(page).toContain('.SS "authctl x"\n.nf\nUsage: authctl x [\\-\\-flag]\n.fi');
    expect(page).toContain('.B 2\nusage: invalid_argument');
  });
});
