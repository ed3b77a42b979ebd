import { describe, expect, it } from 'vitest';
import { createSecretKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, SignJWT } from 'jose';
import { buildClaims, certificateHeader, parseTimeSpec, signJwt } from '../../src/core/jwt/mint.js';
import { allowedAlgorithms, signatureChecker, toJwks, type Verifier } from '../../src/core/jwt/verify.js';
import { describeTimes, inspectToken, unexpectedFinding } from '../../src/core/jwt/inspect.js';
import { decodeJwtUnverified, parseToken } from '../../src/core/jwt/parse.js';
import { describeKeyObject, type LoadedKey } from '../../src/core/keys/load.js';
import { BUILTIN_POLICIES } from '../../src/core/claims/policy.js';
import type { AuthctlError } from '../../src/errors.js';

const NOW = 1_800_000_000;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const loaded = (key: import('node:crypto').KeyObject, kind: LoadedKey['kind']): LoadedKey => ({ kind, key, ...describeKeyObject(key), source: 'pkcs8' });
const secret = createSecretKey(Buffer.from('a-secret-that-is-long-enough-for-hs256!'));
const jws = (token: string) => parseToken(token) as Extract<ReturnType<typeof parseToken>, { kind: 'jws' }>;

describe('minting: claims from a template and flags', () => {
  it.each([
    ['1h', NOW + 3600],
    ['+15m', NOW + 900],
    ['-1h', NOW - 3600],
    ['1735553700', 1735553700],
  ])('parseTimeSpec(%s)', (text, expected) => expect(parseTimeSpec(text, NOW, 'exp')).toBe(expected));

  it.each(['soon', '12', ''])('parseTimeSpec(%j) is invalid_argument', (text) => {
    expect(() => parseTimeSpec(text, NOW, 'exp')).toThrow(expect.objectContaining({ code: 'invalid_argument' }) as unknown as Error);
  });

  it('layers: template, then flags; time claims as durations; jti auto; iat defaults to now', () => {
    const claims = buildClaims(
      { aud: 'justgold-api', exp: '1h', jti: 'auto', scope_format: 'array' },
      { iss: 'p-1', sub: 's', scope: 'read, write', claim: ['n=42', 'o={"a":1}', 'raw=text'] },
      NOW,
      () => 'uuid-1',
    );
    expect(claims).toEqual({
      aud: 'justgold-api',
      exp: NOW + 3600,
      jti: 'uuid-1',
      iss: 'p-1',
      sub: 's',
      scope: ['read', 'write'],
      n: 42,
      o: { a: 1 },
      raw: 'text',
      iat: NOW,
    });
    expect(buildClaims({}, { aud: ['a', 'b'], scope: 'x y', scopeFormat: 'string' }, NOW, () => 'x')).toMatchObject({ aud: ['a', 'b'], scope: 'x y' });
    expect(() => buildClaims({}, { claim: ['novalue'] }, NOW, () => 'x')).toThrow(/expected key=value/);
  });

  it('x5c and x5t#S256 from a certificate chain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-cert-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-subj',
          '/CN=t',
          '-days',
          '1',
          '-keyout',
          join(dir, 'k.pem'),
          '-out',
          join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
      const cert = new X509Certificate(readFileSync(join(dir, 'c.pem')));
      const header = certificateHeader([cert]);
      expect(header.x5c).toEqual([cert.raw.toString('base64')]);
      expect(header['x5t#S256']).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(certificateHeader([])).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verification: signatures, and the algorithm-confusion guard', () => {
  it('a key verifies its own tokens; another key, another algorithm or alg none does not', async () => {
    const token = await signJwt({ sub: 's' }, { typ: 'JWT' }, { key: ec.privateKey }, 'ES256');
    const verifier: Verifier = { kind: 'key', key: loaded(ec.publicKey, 'public') };
    const algorithms = allowedAlgorithms(verifier, undefined);
    expect(algorithms).toEqual(['ES256']);
    expect(await signatureChecker(verifier, algorithms)(jws(token))).toBeUndefined();
    expect(await signatureChecker({ kind: 'key', key: loaded(other.publicKey, 'public') }, algorithms)(jws(token))).toMatchObject({
      code: 'invalid_signature',
    });
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"s"}').toString('base64url')}.`;
    expect((await signatureChecker(verifier, algorithms)(jws(unsigned)))?.code).toBe('alg_not_allowed');
  });

  it('an RSA key or an HMAC secret pins no algorithm: the list is required (alg_required), and must fit the key', () => {
    expect(() => allowedAlgorithms({ kind: 'key', key: loaded(rsa.publicKey, 'public') }, undefined)).toThrow(
      expect.objectContaining({ code: 'alg_required' }) as unknown as Error,
    );
    expect(() => allowedAlgorithms({ kind: 'key', key: loaded(secret, 'secret') }, undefined)).toThrow(
      expect.objectContaining({ code: 'alg_required' }) as unknown as Error,
    );
    // the classic confusion: an RSA public key offered for HS256 is refused outright
    expect(() => allowedAlgorithms({ kind: 'key', key: loaded(rsa.publicKey, 'public') }, ['HS256'])).toThrow(
      expect.objectContaining({ code: 'alg_key_mismatch' }) as unknown as Error,
    );
    // a policy may list algorithms for several key types: those this key fits are kept
    expect(allowedAlgorithms({ kind: 'key', key: loaded(rsa.publicKey, 'public') }, ['RS256', 'ES256'])).toEqual(['RS256']);
  });

  it('an HS256 token forged with an RSA public key as the secret fails against that RSA key', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const forged = await new SignJWT({ sub: 'attacker' }).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(pem));
    const finding = await signatureChecker({ kind: 'key', key: loaded(rsa.publicKey, 'public') }, ['RS256'])(jws(forged));
    expect(finding?.code).toBe('alg_not_allowed');
  });

  it('one HMAC secret across a batch: each allowed HS algorithm verifies, a wrong secret and an algorithm outside the list do not', async () => {
    const verifier: Verifier = { kind: 'key', key: loaded(secret, 'secret') };
    const check = signatureChecker(verifier, ['HS256', 'HS384']);
    const signed = (alg: string, key = secret) => new SignJWT({ sub: alg }).setProtectedHeader({ alg }).sign(key);
    for (let round = 0; round < 2; round++) {
      expect(await check(jws(await signed('HS256')))).toBeUndefined();
      expect(await check(jws(await signed('HS384')))).toBeUndefined();
    }
    expect(await check(jws(await signed('HS256', createSecretKey(Buffer.from('another-secret-that-is-long-enough-for-hs256')))))).toMatchObject({
      code: 'invalid_signature',
    });
    expect(await check(jws(await signed('HS512')))).toMatchObject({ code: 'alg_not_allowed' });
  });

  it('a JWKS: kid selects, a rotated-away kid is named, keys without alg need an explicit list', async () => {
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'k1', alg: 'ES256' };
    const jwks = toJwks({ keys: [jwk, { kty: 'oct', k: 'AAAA' }, { ...jwk, kid: 'enc', use: 'enc' }] });
    expect(jwks.keys.map((k) => k.kid)).toEqual(['k1', undefined]);
    const verifier: Verifier = { kind: 'jwks', jwks: { keys: [jwk] } };
    const good = await signJwt({ sub: 's' }, { kid: 'k1' }, { key: ec.privateKey }, 'ES256');
    const rotated = await signJwt({ sub: 's' }, { kid: 'k9' }, { key: ec.privateKey }, 'ES256');
    expect(await signatureChecker(verifier, allowedAlgorithms(verifier, undefined))(jws(good))).toBeUndefined();
    expect(await signatureChecker(verifier, ['ES256'])(jws(rotated))).toMatchObject({ code: 'invalid_signature', claim: 'header.kid' });
    const rsaJwk = await exportJWK(rsa.publicKey);
    expect(() => allowedAlgorithms({ kind: 'jwks', jwks: { keys: [rsaJwk as never] } }, undefined)).toThrow(/without "alg"/);
    expect(allowedAlgorithms({ kind: 'jwks', jwks: { keys: [rsaJwk as never] } }, ['PS256'])).toEqual(['PS256']);
    expect(() => allowedAlgorithms({ kind: 'jwks', jwks: { keys: [] } }, undefined)).toThrow(
      expect.objectContaining({ code: 'invalid_key' }) as unknown as Error,
    );
  });
});

describe('inspection: parse plus the claims module, never a throw for a bad token', () => {
  it('a JWT, a JWE, garbage', async () => {
    const token = await signJwt(
      { iss: 'p', sub: 's', aud: 'justgold-api', iat: NOW, exp: NOW + 600, jti: '0b8f3c9e-6d1a-4f7e-9a2b-3c4d5e6f7a8b' },
      {},
      { key: ec.privateKey },
      'ES256',
    );
    const report = inspectToken(token, BUILTIN_POLICIES.justgold!, { now: NOW });
    expect([report.valid, report.findings]).toEqual([true, []]);
    expect(report.token?.kind === 'jws' && describeTimes(report.token.payload, NOW).exp).toMatchObject({ value: NOW + 600, relative: 'in 10 min' });
    const jwe = inspectToken(`${Buffer.from('{"alg":"RSA-OAEP","enc":"A256GCM"}').toString('base64url')}.AAAA.AAAA.AAAA.AAAA`, {}, { now: NOW });
    expect([jwe.valid, jwe.findings[0]?.message]).toEqual([false, expect.stringMatching(/^encrypted token \(JWE, A256GCM\)/)]);
    expect(inspectToken('garbage', {}, { now: NOW }).findings[0]?.code).toBe('invalid_token');
    expect(describeTimes({ exp: 1e20, iat: 'x' }, NOW)).toEqual({ exp: { value: 1e20, relative: expect.any(String) } });
    expect(unexpectedFinding(new TypeError('x')).message).toMatch(/unexpected TypeError \(a bug/);
    expect(decodeJwtUnverified(token)?.sub).toBe('s');
    expect(decodeJwtUnverified('x.y')).toBeUndefined();
  });

  it('errors carry codes, not messages to match', () => {
    let code: string | undefined;
    try {
      parseToken('a.b');
    } catch (error) {
      code = (error as AuthctlError).code;
    }
    expect(code).toBe('invalid_token');
  });
});
