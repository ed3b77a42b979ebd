import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Finding } from '../claims/types.js';
import { finding } from '../claims/times.js';
import { describeBare, isJsonObject, parseJson } from '../json.js';
import { judgeClaims, parseForJudging, type Verdict } from '../jwt/judge.js';
import { signJwt } from '../jwt/mint.js';
import { signatureChecker } from '../jwt/verify.js';
import type { LoadedKey } from '../keys/load.js';

/**
 * DPoP (RFC 9449): proofs of possession of a key, made by a client for each request and judged
 * by a server (serve's token endpoint and development API) or by `verify --dpop-proof`. A proof
 * is a JWT, so it goes through the one judge (signature with the key its header carries, the
 * claims module with a freshness bound); what binds it to one request, one token and one key is
 * checked here on top.
 */

/** §4.2: asymmetric algorithms only (no `none`, no MAC); what serve advertises and accepts. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'];
/** How old a proof may be (its `iat`), beyond the clock tolerance (§11.1: a short window). */
export const PROOF_MAX_AGE = 300;
/** §8.1: a nonce is NQCHAR (printable ASCII but `"` and `\`); bounded so a server cannot make us carry megabytes. */
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]{1,1024}$/;

/** §4.2 `htu`: the request URI without query and fragment, normalized as the URL parser does (scheme, host, default port). */
export function htuOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** §4.2 `ath`: base64url SHA-256 of the access token's ASCII. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** What one proof is for: the request, and the token it presents when it goes to a resource. */
export interface ProofRequest {
  htm: string;
  htu: string;
  accessToken?: string;
  nonce?: string;
}

/** A proof for one request (§4.2), signed with the client's DPoP key; the header carries its public JWK. */
export function signProof(key: Pick<LoadedKey, 'key'>, alg: string, publicJwk: JWK, request: ProofRequest, iat: number, jti: string): Promise<string> {
  const claims = {
    jti,
    htm: request.htm.toUpperCase(),
    htu: htuOf(request.htu),
    iat,
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    ...(request.accessToken !== undefined ? { ath: accessTokenHash(request.accessToken) } : {}),
  };
  return signJwt(claims, { typ: 'dpop+jwt', jwk: publicJwk }, key, alg);
}

/** What a server expects of a proof. */
export interface ProofExpectation {
  htm: string;
  htu: string;
  now: number;
  /** At a resource: the token presented, whose hash `ath` must be. */
  accessToken?: string;
  /** The thumbprint the token (or the code, or the refresh token) is bound to. */
  jkt?: string;
  /** The nonce the server gave out, when it asks for one. */
  nonce?: string;
  /** Proof `jti` values already accepted (replay). */
  seenJti?: { has(jti: string): boolean };
}

export interface ProofVerdict extends Verdict {
  /** The RFC 7638 thumbprint of the proof's key, when it has a usable one. */
  jkt?: string;
}

/** What does not bind a proof to its request, token or key: CLI.md's invalid_token, the claim naming which part. */
const proofFinding = (message: string, claim?: string): Finding => finding('invalid_token', 'error', message, claim);

/**
 * One proof judged (§4.3): a JWS whose header names `typ: dpop+jwt`, an asymmetric `alg` and a
 * public `jwk` that verifies it; `jti`, `htm`, `htu` and `iat` present, `iat` recent; `htm` and
 * `htu` those of the request; `ath` the presented token's; the key the one the token is bound to;
 * the nonce the server gave (a finding on `nonce`: the server then answers `use_dpop_nonce`); the
 * `jti` not seen before. The findings use CLI.md's one vocabulary.
 */
export async function judgeProof(proof: string, expected: ProofExpectation): Promise<ProofVerdict> {
  const parsed = parseForJudging(proof);
  if ('finding' in parsed) return { findings: [proofFinding(`the DPoP proof: ${parsed.finding.message}`)], valid: false };
  const { token } = parsed;
  const jwk = token.header.jwk;
  if (!isJsonObject(jwk) || typeof jwk.kty !== 'string')
    return { token, findings: [proofFinding('the DPoP proof carries no public key (jwk) in its header', 'header.jwk')], valid: false };
  if ('d' in jwk || jwk.kty === 'oct')
    return { token, findings: [proofFinding('the DPoP proof carries a private or symmetric key in its header', 'header.jwk')], valid: false };
  const check = signatureChecker({ kind: 'jwks', jwks: { keys: [jwk as JWK] } }, DPOP_ALGORITHMS);
  const verdict = judgeClaims(
    token,
    await check(token),
    {
      typ: 'dpop+jwt',
      algorithms: DPOP_ALGORITHMS,
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      requireJti: true,
      maxAge: PROOF_MAX_AGE,
      claimTypes: { htm: 'string', htu: 'string', ath: 'string', nonce: 'string' },
    },
    { now: expected.now, seenJti: expected.seenJti },
  );
  const { payload } = token;
  const extra: Finding[] = [];
  if (typeof payload.htm === 'string' && payload.htm !== expected.htm.toUpperCase())
    extra.push(proofFinding(`the proof is for ${describeBare(payload.htm)}, not ${expected.htm.toUpperCase()}`, 'htm'));
  if (typeof payload.htu === 'string' && !sameHtu(payload.htu, expected.htu))
    extra.push(proofFinding(`the proof is for another URI than ${expected.htu.replace(/[?#].*$/s, '')}`, 'htu'));
  if (expected.accessToken !== undefined && payload.ath !== accessTokenHash(expected.accessToken))
    extra.push(
      proofFinding(payload.ath === undefined ? 'the proof has no ath for the access token it goes with' : 'the proof is for another access token (ath)', 'ath'),
    );
  let jkt: string | undefined;
  try {
    jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  } catch {
    extra.push(proofFinding('the key in the proof header is not a usable JWK', 'header.jwk'));
  }
  if (expected.jkt !== undefined && jkt !== expected.jkt)
    extra.push(proofFinding('the proof is signed by another key than the one the token is bound to', 'header.jwk'));
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce)
    extra.push(
      payload.nonce === undefined
        ? finding('missing_required_claim', 'error', 'the server asks for a nonce in the proof', 'nonce')
        : finding('invalid_token', 'error', 'the proof carries a stale nonce', 'nonce'),
    );
  const findings = [...verdict.findings, ...extra];
  return { ...verdict, findings, valid: !findings.some((f) => f.severity === 'error'), ...(jkt ? { jkt } : {}) };
}

/** Whether two `htu` values name the same URI (false when either is not one). */
function sameHtu(claimed: string, expected: string): boolean {
  try {
    return htuOf(claimed) === htuOf(expected);
  } catch {
    return false;
  }
}

/** A response, as much of it as the nonce rule reads. */
interface NonceResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
}

/** Whether a value is a well-formed nonce (§8.1). */
export function isDpopNonce(value: string): boolean {
  return NONCE.test(value);
}

/** The `DPoP-Nonce` header of a response, when it is one well-formed nonce (§8.1). */
export function nonceHeader(response: NonceResponse): string | undefined {
  const value = response.headers['dpop-nonce'];
  return typeof value === 'string' && NONCE.test(value) ? value : undefined;
}

/**
 * The nonce a server asks a proof to carry, when it refused one for lacking it: an authorization
 * server's 400 `use_dpop_nonce` (§8), a resource server's 401 whose DPoP challenge says
 * `error="use_dpop_nonce"` (§9); each with the nonce in `DPoP-Nonce`.
 */
export function askedNonce(response: NonceResponse): string | undefined {
  const nonce = nonceHeader(response);
  if (nonce === undefined) return undefined;
  if (response.status === 400 && response.body !== undefined) {
    try {
      const body = parseJson(typeof response.body === 'string' ? response.body : response.body.toString('utf8'));
      return isJsonObject(body) && body.error === 'use_dpop_nonce' ? nonce : undefined;
    } catch {
      return undefined;
    }
  }
  if (response.status !== 401) return undefined;
  const challenge = response.headers['www-authenticate'];
  const text = (Array.isArray(challenge) ? challenge.join(', ') : (challenge ?? '')).slice(0, 4096).toLowerCase();
  return /(^|[\s,])dpop\s/.test(text) && /error\s*=\s*"?use_dpop_nonce"?/.test(text) ? nonce : undefined;
}
