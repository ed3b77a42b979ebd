import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, calculateJwkThumbprint, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { accessTokenHash, askedNonce, htuOf, judgeProof, nonceHeader, PROOF_MAX_AGE, signProof } from '../../src/core/oauth/dpop.js';
import { DpopGuard } from '../../src/core/server/dpop.js';
import { defaultServerSettings } from '../../src/core/server/settings.js';
import type { ServerContext } from '../../src/core/server/protocol.js';

const NOW = 1_800_000_000;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = await exportJWK(publicKey);
const jkt = await calculateJwkThumbprint(jwk);
const url = 'https://api.example.com/v1/items?page=2#top';
const proofFor = (request: Partial<Parameters<typeof signProof>[3]> = {}, iat = NOW, jti = 'p-1') =>
  signProof({ key: privateKey }, 'ES256', jwk, { htm: 'get', htu: url, ...request }, iat, jti);
const codes = (verdict: { findings: { code: string; claim?: string }[] }) => verdict.findings.map((f) => `${f.code}:${f.claim ?? ''}`);

describe('DPoP proofs (core/oauth/dpop.ts)', () => {
  it('a proof carries typ dpop+jwt, the public jwk, htm upper-cased, htu without query and fragment, ath of the token', async () => {
    const proof = await proofFor({ accessToken: 'tok' });
    const [header, payload] = proof
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk });
    expect(payload).toEqual({ jti: 'p-1', htm: 'GET', htu: 'https://api.example.com/v1/items', iat: NOW, ath: accessTokenHash('tok') });
    // RFC 9449 §7.1's example access token and its ath
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
    expect(htuOf('HTTPS://API.example.com:443/a/b?x#y')).toBe('https://api.example.com/a/b');
  });

  it('a good proof passes and names its key; each binding that does not hold is its own finding', async () => {
    const good = await judgeProof(await proofFor({ accessToken: 'tok' }), {
      htm: 'GET',
      htu: 'https://api.example.com/v1/items',
      now: NOW,
      accessToken: 'tok',
      jkt,
    });
    expect(good.findings).toEqual([]);
    expect(good.jkt).toBe(jkt);
    const bad = await judgeProof(await proofFor({ accessToken: 'tok' }), {
      htm: 'POST',
      htu: 'https://api.example.com/other',
      now: NOW,
      accessToken: 'another',
      jkt: 'not-this-key',
      nonce: 'n-1',
    });
    expect(codes(bad)).toEqual(['invalid_token:htm', 'invalid_token:htu', 'invalid_token:ath', 'invalid_token:header.jwk', 'missing_required_claim:nonce']);
    expect(bad.valid).toBe(false);
    // a request URI that is no URI (a server's odd path) is a finding, never a throw
    expect(codes(await judgeProof(await proofFor(), { htm: 'GET', htu: 'http://[bad', now: NOW }))).toEqual(['invalid_token:htu']);
  });

  it('the one judge refuses what is not a fresh proof signed by its own key: replay, age, typ, alg, a private or missing jwk, a foreign signature', async () => {
    const expectation = { htm: 'GET', htu: url, now: NOW };
    expect(codes(await judgeProof(await proofFor(), { ...expectation, seenJti: new Set(['p-1']) }))).toEqual(['replayed_token:jti']);
    expect(codes(await judgeProof(await proofFor({}, NOW - PROOF_MAX_AGE - 120), expectation))).toEqual(['token_expired:iat']);
    expect(codes(await judgeProof(await proofFor({}, NOW + 3600), expectation))).toEqual(['iat_in_future:iat']);
    const sign = (header: Record<string, unknown>, key = privateKey, claims: Record<string, unknown> = { jti: 'x', htm: 'GET', htu: url, iat: NOW }) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...header } as never).sign(key);
    expect(codes(await judgeProof(await sign({ typ: 'JWT', jwk }), expectation))).toEqual(['typ_mismatch:header.typ']);
    expect(codes(await judgeProof(await sign({ typ: 'dpop+jwt' }), expectation))).toEqual(['invalid_token:header.jwk']);
    expect(codes(await judgeProof(await sign({ typ: 'dpop+jwt', jwk: await exportJWK(privateKey) }), expectation))).toEqual(['invalid_token:header.jwk']);
    expect(codes(await judgeProof(await sign({ typ: 'dpop+jwt', jwk }, other.privateKey), expectation))).toEqual(['invalid_signature:']);
    expect(codes(await judgeProof(await sign({ typ: 'dpop+jwt', jwk }, privateKey, { htm: 'GET', htu: url, iat: NOW }), expectation))).toEqual([
      'missing_jti:jti',
    ]);
    const hmac = await new SignJWT({ jti: 'x', htm: 'GET', htu: url, iat: NOW })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } } as never)
      .sign(new TextEncoder().encode('secret'));
    expect(codes(await judgeProof(hmac, expectation))).toEqual(['invalid_token:header.jwk']);
    expect(codes(await judgeProof('not a jwt', expectation))).toEqual(['invalid_token:']);
    // an embedded key that names another algorithm than the header does not verify it (as jose's EmbeddedJWK)
    expect(codes(await judgeProof(await sign({ typ: 'dpop+jwt', jwk: { ...jwk, alg: 'ES384' } }), expectation))).toEqual(['invalid_signature:header.kid']);
  });

  it('nonce challenges: a 400 use_dpop_nonce, a 401 DPoP challenge; a malformed nonce is none', () => {
    const nonce = { 'dpop-nonce': 'eyJ7S_zG.eyJH0-Z.HX4w-7v' };
    expect(askedNonce({ status: 400, headers: nonce, body: '{"error":"use_dpop_nonce"}' })).toBe(nonce['dpop-nonce']);
    expect(askedNonce({ status: 400, headers: nonce, body: '{"error":"invalid_grant"}' })).toBeUndefined();
    expect(askedNonce({ status: 401, headers: { ...nonce, 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="x"' } })).toBe(
      nonce['dpop-nonce'],
    );
    expect(askedNonce({ status: 401, headers: { ...nonce, 'www-authenticate': 'Bearer error="invalid_token"' } })).toBeUndefined();
    expect(askedNonce({ status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"' } })).toBeUndefined();
    expect(nonceHeader({ status: 200, headers: { 'dpop-nonce': 'has "quote' } })).toBeUndefined();
    expect(nonceHeader({ status: 200, headers: { 'dpop-nonce': 'x'.repeat(1025) } })).toBeUndefined();
    expect(askedNonce({ status: 400, headers: nonce, body: 'not json' })).toBeUndefined();
  });
});

describe("serve's DPoP guard (core/server/dpop.ts)", () => {
  const context = (dpopNonce: boolean, now = () => NOW): ServerContext => {
    let id = 0;
    return {
      issuer: 'https://api.example.com',
      settings: { ...defaultServerSettings(), dpop_nonce: dpopNonce },
      signingKeys: [],
      clientKeys: async () => undefined,
      now,
      newId: () => `id-${++id}`,
    };
  };
  const request = (proof: string | undefined) => ({ method: 'GET', path: '/v1/items', headers: proof === undefined ? {} : { dpop: proof }, body: '' });

  it('takes a proof once (a replay is refused), and answers at a resource with a DPoP challenge', async () => {
    const guard = new DpopGuard(context(false));
    expect(await guard.check(request(await proofFor({ accessToken: 'tok' })), 'resource', { accessToken: 'tok', jkt })).toBe(jkt);
    await expect(guard.check(request(await proofFor({ accessToken: 'tok' })), 'resource', { accessToken: 'tok', jkt })).rejects.toMatchObject({
      error: 'invalid_dpop_proof',
      status: 401,
      headers: { 'www-authenticate': expect.stringMatching(/^DPoP algs="ES256 .*", error="invalid_dpop_proof"/) },
    });
    await expect(guard.check(request(undefined), 'token')).rejects.toMatchObject({ error: 'invalid_dpop_proof', status: 400 });
  });

  it('forgets a jti once no proof carrying it could pass any more (pruned from the oldest end)', async () => {
    let now = NOW;
    const guard = new DpopGuard(context(false, () => now));
    const at = (iat: number) => signProof({ key: privateKey }, 'ES256', jwk, { htm: 'GET', htu: 'https://api.example.com/v1/items' }, iat, 'same-jti');
    expect(await guard.check(request(await at(now)), 'token')).toBe(jkt);
    now += PROOF_MAX_AGE + 60; // within the window a proof with that jti still passes the age check: replay
    await expect(guard.check(request(await at(now)), 'token')).rejects.toMatchObject({ description: expect.stringMatching(/already used/) });
    now += 120; // past it: the jti is forgotten, and a proof made now is fresh
    expect(await guard.check(request(await at(now)), 'token')).toBe(jkt);
  });

  it('with dpop_nonce: a proof without the nonce gets use_dpop_nonce and the nonce; with it, it passes; the nonce rotates', async () => {
    let now = NOW;
    const guard = new DpopGuard(context(true, () => now));
    const refusal = await guard.check(request(await proofFor({}, NOW, 'a')), 'token').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ error: 'use_dpop_nonce', status: 400 });
    const nonce = (refusal as { headers: Record<string, string> }).headers['dpop-nonce']!;
    expect(await guard.check(request(await proofFor({ nonce }, NOW, 'b')), 'token')).toBe(jkt);
    now += PROOF_MAX_AGE;
    expect(guard.nonce()).not.toBe(nonce);
  });
});
