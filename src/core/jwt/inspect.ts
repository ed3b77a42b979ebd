import { validateClaims, passes } from '../claims/validate.js';
import type { ClaimsPolicy, Finding } from '../claims/types.js';
import { formatIsoTime, formatRelative } from '../duration.js';
import { CheckFailedError } from '../../errors.js';
import { parseToken, type ParsedToken } from './parse.js';
import { describeBare } from '../json.js';

const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'] as const;

export interface TimeView {
  value: number;
  iso?: string;
  relative: string;
}

export interface TokenReport {
  token?: ParsedToken;
  findings: Finding[];
  valid: boolean;
}

/** ISO and relative views of the token's time claims, for people. */
export function describeTimes(payload: Record<string, unknown>, now: number): Record<string, TimeView> {
  const times: Record<string, TimeView> = {};
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const iso = formatIsoTime(value);
    times[claim] = iso === undefined ? { value, relative: formatRelative(value, now) } : { value, iso, relative: formatRelative(value, now) };
  }
  return times;
}

/**
 * The finding for a line that could not be checked at all because authctl itself failed: in a
 * batch, every input line still gets exactly one result, and this one says it is a bug.
 */
export function unexpectedFinding(error: unknown): Finding {
  return {
    code: 'invalid_token',
    severity: 'error',
    message: `authctl could not check this token: unexpected ${error instanceof Error ? error.name : typeof error} (a bug: please report it with --debug)`,
  };
}

/**
 * Parses a token and runs the claims module over it; an unparseable token becomes a single
 * `invalid_token` finding instead of an exception, so bulk callers report it and go on.
 * Signatures are not checked here.
 *
 * @example inspectToken(jwt, BUILTIN_POLICIES.justgold, { now: 1735550200 }).valid
 */
export function inspectToken(
  input: string,
  policy: ClaimsPolicy,
  context: { now: number; strict?: boolean; seenJti?: { has(jti: string): boolean } },
): TokenReport {
  let token: ParsedToken;
  try {
    token = parseToken(input);
  } catch (error) {
    if (error instanceof CheckFailedError) {
      return { findings: [{ code: 'invalid_token', severity: 'error', message: error.message }], valid: false };
    }
    throw error;
  }
  if (token.kind === 'jwe') {
    // The claims are encrypted: nothing can vouch for them, so a check cannot pass.
    const message = `encrypted token (JWE, ${token.header.enc === undefined ? 'unknown enc' : describeBare(token.header.enc)}): its claims cannot be read or checked without the decryption key`;
    return { token, findings: [{ code: 'invalid_token', severity: 'error', message }], valid: false };
  }
  const findings = validateClaims(token.header, token.payload, policy, context);
  return { token, findings, valid: passes(findings, context.strict) };
}
