import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { firstError, judgeToken } from '../../src/core/jwt/judge.js';
import { signatureChecker } from '../../src/core/jwt/verify.js';
import type { LoadedKey } from '../../src/core/keys/load.js';

/** The one judge: parse, signature, claims, one merged list, with a frozen clock. */
const NOW = 1_800_000_000;
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = (k: typeof signer): LoadedKey => ({ kind: 'public', kty: 'EC', crv: 'P-256', key: k.publicKey }) as unknown as LoadedKey;
const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(signer.privateKey);
const check = (k: typeof signer) => signatureChecker({ kind: 'key', key: key(k) }, ['ES256']);
const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('judgeToken', () => {
  it('a good signature and good claims: valid, no findings', async () => {
    const verdict = await judgeToken(await sign({ aud: 'api', exp: NOW + 60 }), check(signer), { audience: ['api'] }, { now: NOW });
    expect([verdict.valid, verdict.findings, verdict.signature]).toEqual([true, [], undefined]);
  });

  it('signature first, then the claims, in one list; the signature finding is also named on its own', async () => {
    const verdict = await judgeToken(await sign({ aud: 'other', exp: NOW - 3600 }), check(other), { audience: ['api'] }, { now: NOW });
    expect(verdict.findings.map((f) => f.code)).toEqual(['invalid_signature', 'token_expired', 'invalid_audience']);
    expect(verdict.signature?.code).toBe('invalid_signature');
    expect([verdict.valid, firstError(verdict)?.code]).toEqual([false, 'invalid_signature']);
  });

  it('without a signature check, the claims alone (a client has no keys for an access token)', async () => {
    const verdict = await judgeToken(await sign({ aud: 'api', exp: NOW - 3600 }), undefined, { audience: ['api'] }, { now: NOW });
    expect(verdict.findings.map((f) => f.code)).toEqual(['token_expired']);
  });

  it('what is not a JWS is one invalid_token finding: garbage, or an encrypted token', async () => {
    expect((await judgeToken('garbage', check(signer), {}, { now: NOW })).findings).toEqual([
      expect.objectContaining({ code: 'invalid_token', severity: 'error' }),
    ]);
    const jwe = [seg({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }), 'k', 'iv', 'ct', 'tag'].join('.');
    expect((await judgeToken(jwe, check(signer), {}, { now: NOW })).findings[0]!.message).toMatch(/encrypted/);
  });
});
