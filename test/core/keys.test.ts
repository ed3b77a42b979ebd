import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, createPublicKey, X509Certificate } from 'node:crypto';
import { exportJWK, calculateJwkThumbprint } from 'jose';
import { algorithmsFor, assertAlgorithmFits, defaultAlgorithm, keyWeakness, minSecretBytes } from '../../src/core/keys/algorithms.js';
import { generateKey, privateJwk, privatePem, publicJwk, publicKeyOf, publicPem, secretText, thumbprint } from '../../src/core/keys/export.js';
import { jwkList, loadKey } from '../../src/core/keys/load.js';
import type { AuthctlError } from '../../src/errors.js';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return (error as AuthctlError).code;
  }
  return undefined;
};

describe('algorithms for a key: the algorithm-confusion guard', () => {
  it.each([
    [{ kty: 'RSA' as const }, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'], undefined],
    [{ kty: 'EC' as const, crv: 'P-256' }, ['ES256'], 'ES256'],
    [{ kty: 'EC' as const, crv: 'P-521' }, ['ES512'], 'ES512'],
    [{ kty: 'EC' as const, crv: 'secp256k1' }, [], undefined],
    [{ kty: 'OKP' as const, crv: 'Ed25519' }, ['EdDSA', 'Ed25519'], 'EdDSA'],
    [{ kty: 'OKP' as const, crv: 'X25519' }, [], undefined],
    [{ kty: 'oct' as const }, ['HS256', 'HS384', 'HS512'], undefined],
    [{ kty: 'RSA' as const, alg: 'PS384' }, ['PS384'], 'PS384'],
    [{ kty: 'AKP' as never }, [], undefined],
  ])('%j → %j pinned %s', (key, candidates, pinned) => {
    expect(algorithmsFor(key)).toEqual(pinned ? { candidates, pinned } : { candidates });
  });

  it('defaultAlgorithm: the pinned one or the first; none for a curve JWS has no algorithm for', () => {
    expect(defaultAlgorithm({ kty: 'RSA' })).toBe('RS256');
    expect(defaultAlgorithm({ kty: 'oct' })).toBe('HS256');
    expect(codeOf(() => defaultAlgorithm({ kty: 'EC', crv: 'secp256k1' }))).toBe('unsupported_key');
  });

  it.each([
    ['HS256', { kty: 'RSA' as const, kind: 'public' as const }, 'alg_key_mismatch'], // the classic confusion: an RSA public key as an HMAC secret
    ['RS256', { kty: 'oct' as const, kind: 'secret' as const }, 'alg_key_mismatch'],
    ['ES384', { kty: 'EC' as const, crv: 'P-256', kind: 'public' as const }, 'alg_key_mismatch'],
    ['none', { kty: 'oct' as const, kind: 'secret' as const }, 'unsupported_alg'],
    ['RS512', { kty: 'RSA' as const, alg: 'RS256', kind: 'public' as const }, 'alg_key_mismatch'],
    ['ES256', { kty: 'EC' as const, crv: 'P-256', kind: 'public' as const }, undefined],
  ])('assertAlgorithmFits(%s, %j) → %s', (alg, key, code) => {
    expect(codeOf(() => assertAlgorithmFits(alg, key))).toBe(code);
  });

  it('weak keys: RSA under 2048 bits, HMAC secrets shorter than the hash (RFC 7518 §3.2)', () => {
    expect(keyWeakness('RS256', { kty: 'RSA', bits: 1024 })).toMatch(/1024 bits is below 2048/);
    expect(keyWeakness('RS256', { kty: 'RSA', bits: 2048 })).toBeUndefined();
    expect(keyWeakness('HS512', { kty: 'oct', bits: 256 })).toMatch(/32 bytes is shorter than the 64 bytes HS512 needs/);
    expect(keyWeakness('HS256', { kty: 'oct', bits: 256 })).toBeUndefined();
    expect([minSecretBytes('HS256'), minSecretBytes('HS384'), minSecretBytes('HS512'), minSecretBytes('other')]).toEqual([32, 48, 64, 32]);
  });
});

describe('generate, export and load round trips', () => {
  it.each([
    [{ type: 'ec' as const }, 'EC', 'P-256'],
    [{ type: 'ec' as const, curve: 'P-384' }, 'EC', 'P-384'],
    [{ type: 'ed25519' as const }, 'OKP', 'Ed25519'],
    [{ type: 'rsa' as const, size: 2048 }, 'RSA', undefined],
  ])('%j: PEM and JWK out, the same key back in; thumbprint as jose computes it', async (spec, kty, crv) => {
    const key = await generateKey(spec);
    expect([key.kind, key.kty, key.crv]).toEqual(['private', kty, crv]);
    const fromPem = loadKey(privatePem(key));
    expect(fromPem.kind).toBe('private');
    expect(publicKeyOf(fromPem).equals(publicKeyOf(key))).toBe(true);
    const pub = loadKey(publicPem(key));
    expect([pub.kind, pub.source]).toEqual(['public', 'spki']);
    const jwk = await publicJwk(key, { kid: 'k', alg: defaultAlgorithm(key) });
    expect(jwk).toMatchObject({ kid: 'k', kty });
    expect('d' in jwk).toBe(false);
    expect(loadKey(JSON.stringify(jwk)).kid).toBe('k');
    const priv = await privateJwk(key);
    expect(loadKey(JSON.stringify(priv)).kind).toBe('private');
    expect(await thumbprint(key)).toBe(await calculateJwkThumbprint(await exportJWK(createPublicKey(key.key))));
    expect(await thumbprint(key, 'sha256', true)).toMatch(/^urn:ietf:params:oauth:jwk-thumbprint:sha-256:/);
  });

  it('HMAC secrets: 256 random bits by default (as base64url text, the bytes providers use), 512 on request; small RSA refused', async () => {
    const key = await generateKey({ type: 'oct' });
    expect(key.kind).toBe('secret');
    expect(secretText(key).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secretText(await generateKey({ type: 'oct', size: 512 })).trim()).toMatch(/^[A-Za-z0-9_-]{86}$/);
    await expect(generateKey({ type: 'rsa', size: 1024 })).rejects.toMatchObject({ code: 'weak_key' });
    expect((await privateJwk(key)).kty).toBe('oct');
  });

  it('an encrypted PKCS#8 key needs its passphrase; a wrong one is named', async () => {
    const key = await generateKey({ type: 'ec' });
    const pem = privatePem(key, 'correct horse');
    expect(pem).toMatch(/ENCRYPTED PRIVATE KEY/);
    expect(loadKey(pem, { passphrase: 'correct horse' }).source).toBe('pkcs8-encrypted');
    expect(() => loadKey(pem, { passphrase: 'wrong' })).toThrow(/wrong passphrase/);
    expect(codeOf(() => loadKey(pem))).toBe('invalid_key');
  });

  it('PKCS#1, SEC1 and X.509 as other tools write them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(loadKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string).source).toBe('pkcs1');
    expect(loadKey(rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string).source).toBe('pkcs1-public');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(loadKey(ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string)).toMatchObject({ source: 'sec1', crv: 'P-384' });
    expect(X509Certificate).toBeDefined();
  });

  it.each([
    ['', 'unrecognised key format'],
    ['-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'is not a key authctl can use'],
    ['{"kty":', 'not valid JSON'],
    ['{"foo":1}', 'neither a JWK'],
    ['{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}', 'cannot import the EC JWK'],
    ['{"kty":"oct"}', 'has no "k"'],
    ['{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"a"},{"kty":"oct","k":"c2VjcmV0","kid":"b"}]}', 'kid'],
    ['-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----', 'damaged or unsupported'],
  ])('refuses %j with invalid_key naming the problem', (text, reason) => {
    expect(() => loadKey(text)).toThrow(reason);
    expect(codeOf(() => loadKey(text))).toBe('invalid_key');
  });

  it('a JWKS: kid selects; a set of one needs none', () => {
    const set = JSON.stringify({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ', kid: 'a' },
        { kty: 'oct', k: 'b3RoZXItb3RoZXItb3RoZXI', kid: 'b' },
      ],
    });
    expect(loadKey(set, { kid: 'b' }).kid).toBe('b');
    expect(loadKey(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }] })).kty).toBe('oct');
    expect(jwkList({ keys: [null, 1, { kty: 'oct' }] })).toEqual({ keys: [{ kty: 'oct' }], isSet: true });
  });
});
