import { CheckFailedError } from '../../errors.js';
import { validateClaims } from '../claims/validate.js';
import type { ClaimsPolicy, Finding, ValidationContext } from '../claims/types.js';
import { parseToken, type ParsedToken } from './parse.js';
import { signatureChecker, type Verifier } from './verify.js';

/**
 * THE judge: one token, one verdict, as jose's jwtVerify is compactVerify then the claims set for
 * every caller. Parse, the signature through one checker, the claims through the claims module,
 * and one list of findings merged one way. `verify` (one token or a stream), `check`, both
 * sign-ins' ID-token check and `serve` (its tokens, client assertions, the providers' variants)
 * ask it; none pairs a signature with claims itself.
 */

export type JwsToken = Extract<ParsedToken, { kind: 'jws' }>;

/** A signature check (jwt/verify.ts signatureChecker): a finding when it fails. */
export type SignatureCheck = (token: JwsToken) => Promise<Finding | undefined>;

export interface Verdict {
  /** The parsed token, when it is a JWS. */
  token?: JwsToken;
  /** The signature's finding, when it failed. */
  signature?: Finding;
  /** Signature first, then the claims; one finding per code and claim. */
  findings: Finding[];
  /** No error among the findings (warnings allowed). */
  valid: boolean;
}

/**
 * The parsing half, shared with decode and lint: a JWS to judge, or the finding that says why
 * there is none (not a token, an encrypted one).
 */
export function parseForJudging(input: string | ParsedToken): { token: JwsToken } | { finding: Finding } {
  let token: ParsedToken;
  try {
    token = typeof input === 'string' ? parseToken(input) : input;
  } catch (error) {
    if (!(error instanceof CheckFailedError)) throw error;
    return { finding: { code: 'invalid_token', severity: 'error', message: error.message } };
  }
  if (token.kind === 'jwe')
    return { finding: { code: 'invalid_token', severity: 'error', message: 'an encrypted token (JWE) has no signature to verify here' } };
  return { token };
}

/**
 * The claims half, for a token whose signature was already checked (a stream checks signatures
 * concurrently and claims in input order): the claims module, then the one merge.
 */
export function judgeClaims(token: JwsToken, signature: Finding | undefined, policy: ClaimsPolicy, context: ValidationContext): Verdict {
  const findings = validateClaims(token.header, token.payload, policy, context);
  if (signature && !findings.some((f) => f.code === signature.code && f.claim === signature.claim)) findings.unshift(signature);
  return { token, ...(signature ? { signature } : {}), findings, valid: !findings.some((f) => f.severity === 'error') };
}

/**
 * A whole verdict: parse, signature, claims. Without a signature check (a client that cannot have
 * the keys), the claims alone are judged, and the verdict says so by having no signature to show.
 *
 * @example (await judgeToken(jwt, signatureChecker(verifier, ['ES256']), { audience: ['api'] }, { now })).valid
 */
export async function judgeToken(
  input: string | ParsedToken,
  check: SignatureCheck | undefined,
  policy: ClaimsPolicy,
  context: ValidationContext,
): Promise<Verdict> {
  const parsed = parseForJudging(input);
  if ('finding' in parsed) return { findings: [parsed.finding], valid: false };
  return judgeClaims(parsed.token, check ? await check(parsed.token) : undefined, policy, context);
}

/** The first error of a verdict, for callers that refuse on one (a server, a sign-in). */
export function firstError(verdict: Verdict): Finding | undefined {
  return verdict.findings.find((f) => f.severity === 'error');
}

/**
 * A JWT a server accepts or refuses (serve's tokens, client assertions, the providers' variants):
 * the whole verdict with the server's own keys, then its payload or the first error.
 */
export async function checkJwt(
  token: string,
  verifier: Verifier,
  algorithms: string[],
  policy: ClaimsPolicy,
  now: number,
  seenJti?: { has(jti: string): boolean },
): Promise<{ payload: Record<string, unknown> } | { error: string; code: string }> {
  const verdict = await judgeToken(token, signatureChecker(verifier, algorithms), { ...policy, algorithms }, { now, seenJti });
  const error = firstError(verdict);
  return error ? { code: error.code, error: error.message } : { payload: verdict.token!.payload };
}
