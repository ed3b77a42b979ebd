import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, sandbox } from '../helpers/cli.js';
import { opensslCertificate } from '../helpers/openssl.js';

/**
 * `verify --roots`: a token's x5c chain, made by openssl (a root, an intermediate CA, a leaf),
 * checked up to the roots given, then the signature with the leaf's key.
 */
let box: ReturnType<typeof sandbox>;
const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
/** A root (no issuer), or a certificate issued by `issuer`: a CA unless `ext` says otherwise. */
const ca = (name: string, issuer?: string, ext = `${CA_EXT.join('\n')}\n`) => opensslCertificate(box.dir, name, issuer ? { issuer, ext } : { rootExt: CA_EXT });
const chain = (...names: string[]) => names.map((n) => readFileSync(join(box.dir, `${n}.pem`), 'utf8')).join('');
const mint = async (key: string, cert: string) =>
  (await box.run(['token', 'mint', '--key', key, '--cert', cert, '--sub', 'x5c-user', '--aud', 'api', '--exp', '5m'])).stdout.trim();
const verify = async (args: string[], token: string) => {
  const r = await box.run(['verify', '--json', '--aud', 'api', ...args, token]);
  return { code: r.code, doc: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};

beforeAll(async () => {
  box = sandbox();
  ca('root');
  ca('other-root');
  ca('intermediate', 'root');
  ca('leaf', 'intermediate', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  ca('not-a-ca', 'root', 'basicConstraints=CA:FALSE\n');
  ca('enc-leaf', 'intermediate', 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n');
  ca('leaf-of-non-ca', 'not-a-ca', 'basicConstraints=CA:FALSE\n');
  writeFileSync(join(box.dir, 'chain.pem'), chain('leaf', 'intermediate'));
  writeFileSync(join(box.dir, 'bad-chain.pem'), chain('leaf-of-non-ca', 'not-a-ca'));
  writeFileSync(join(box.dir, 'enc-chain.pem'), chain('enc-leaf', 'intermediate'));
  writeFileSync(join(box.dir, 'roots.pem'), chain('other-root', 'root'));
}, 60_000);
afterAll(() => cleanupHomes());

describe('verify --roots: the x5c chain up to a root the user names', () => {
  it('a chain leading to a given root (one of a bundle) verifies with the leaf key; x5t#S256 matches', async () => {
    const token = await mint('leaf.key', 'chain.pem');
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header.x5c).toHaveLength(2);
    for (const roots of ['root.pem', 'roots.pem']) {
      const r = await verify(['--roots', roots], token);
      expect([r.code, r.doc.valid]).toEqual([0, true]);
    }
  });

  it('refuses a chain to another root, an issuer that is no CA, a token without x5c, a lying x5t#S256, and --roots beside --key', async () => {
    const token = await mint('leaf.key', 'chain.pem');
    const other = await verify(['--roots', 'other-root.pem'], token);
    expect(other.doc.findings).toEqual([
      expect.objectContaining({ code: 'invalid_signature', claim: 'header.x5c', message: 'the x5c chain leads to none of the roots given (--roots)' }),
    ]);
    const notCa = await verify(['--roots', 'root.pem'], await mint('leaf-of-non-ca.key', 'bad-chain.pem'));
    expect(notCa.doc.findings[0].message).toMatch(/^x5c\[1\] \(CN=not-a-ca\) is not a CA allowed to sign certificates$/);
    // a leaf whose key usage does not allow signatures (keyEncipherment only) signs no token
    const encipherOnly = await verify(['--roots', 'root.pem'], await mint('enc-leaf.key', 'enc-chain.pem'));
    expect(encipherOnly.doc.findings[0].message).toBe('x5c[0] (CN=enc-leaf) may not sign: its key usage lacks digitalSignature');
    const plain = (await box.run(['token', 'mint', '--key', 'leaf.key', '--sub', 's', '--aud', 'api', '--exp', '5m'])).stdout.trim();
    expect((await verify(['--roots', 'root.pem'], plain)).doc.findings[0].message).toBe('x5c must be a list of 1 to 10 certificates');
    const [h, p, s] = token.split('.');
    const lying = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h!, 'base64url').toString()), 'x5t#S256': 'A'.repeat(43) })).toString('base64url')}.${p}.${s}`;
    expect((await verify(['--roots', 'root.pem'], lying)).doc.findings[0].code).toBe('invalid_signature');
    const both = await box.run(['verify', '--roots', 'root.pem', '--key', 'leaf.key', token]);
    expect([both.code, both.stderr.split('\n')[0]]).toEqual([
      2,
      "authctl: error[conflicting_options]: --roots trusts the token's own x5c chain; --key names another key",
    ]);
  });

  it('decode describes the chain (subjects, issuers, expiry) and says it is not checked', async () => {
    const token = await mint('leaf.key', 'chain.pem');
    const json = JSON.parse((await box.run(['decode', '--json', token])).stdout);
    expect(json.x5c).toEqual([
      { subject: 'CN=leaf', issuer: 'CN=intermediate', notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { subject: 'CN=intermediate', issuer: 'CN=root', notAfter: expect.stringMatching(/^\d{4}-/) },
    ]);
    expect((await box.run(['decode', token])).stdout).toMatch(
      /Certificate chain \(x5c; not checked: verify --roots CA\.pem does\)\n {2}x5c\[0\] {2}CN=leaf {2}issued by CN=intermediate/,
    );
  });

  it('a signature the leaf did not make fails, though the chain holds', async () => {
    const token = await mint('leaf.key', 'chain.pem');
    const [h, p] = token.split('.');
    const forged = (await box.run(['token', 'mint', '--key', 'intermediate.key', '--sub', 'x5c-user', '--aud', 'api', '--exp', '5m'])).stdout
      .trim()
      .split('.')[2];
    const r = await verify(['--roots', 'root.pem'], `${h}.${p}.${forged}`);
    expect([r.code, r.doc.findings[0].code]).toEqual([1, 'invalid_signature']);
  });
});
