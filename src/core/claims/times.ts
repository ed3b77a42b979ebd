import { formatRelative, formatSpan } from '../duration.js';
import type { ClaimsPolicy, Finding, FindingCode, Severity } from './types.js';

/**
 * The claims module's time rules (exp, nbf, iat, lifetime, headroom), with the clock a
 * parameter; validate.ts runs them with the rest.
 */

export const DEFAULT_CLOCK_TOLERANCE = 60;
/** RFC 8725 §3.10 style advice: long-lived bearer tokens deserve a warning even without a policy. */
export const LONG_LIFETIME_WARNING = 24 * 3600;

export function finding(code: FindingCode, severity: Severity, message: string, claim?: string): Finding {
  return claim === undefined ? { code, severity, message } : { code, severity, claim, message };
}

/** The time claims of a payload whose well-typed claims are known (validate.ts checkTypes). */
export function checkTimes(payload: Record<string, unknown>, wellTyped: Set<string>, policy: ClaimsPolicy, now: number): Finding[] {
  const out: Finding[] = [];
  const tolerance = policy.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  const exp = wellTyped.has('exp') ? (payload.exp as number) : undefined;
  const nbf = wellTyped.has('nbf') ? (payload.nbf as number) : undefined;
  const iat = wellTyped.has('iat') ? (payload.iat as number) : undefined;

  if (exp !== undefined && exp <= now - tolerance) {
    out.push(finding('token_expired', 'error', `expired ${formatRelative(exp, now)}`, 'exp'));
  }
  if (nbf !== undefined && nbf > now + tolerance) {
    out.push(finding('not_yet_valid', 'error', `not valid until ${formatRelative(nbf, now)}`, 'nbf'));
  }
  if (iat !== undefined && iat > now + tolerance) {
    out.push(finding('iat_in_future', 'error', `issued ${formatRelative(iat, now)}: "iat" is in the future`, 'iat'));
  }
  if (policy.maxAge !== undefined && iat !== undefined && iat < now - policy.maxAge - tolerance) {
    out.push(finding('token_expired', 'error', `issued ${formatRelative(iat, now)}: older than the ${formatSpan(policy.maxAge)} it may be`, 'iat'));
  }
  // Once per token: not over an expired one, a mistyped exp or a missing one the policy requires.
  const said = out.some((f) => f.code === 'token_expired') || ('exp' in payload ? exp === undefined : policy.requiredClaims?.includes('exp'));
  const headroom = said ? undefined : remainingLifetime(exp, now, policy.minRemaining);
  if (headroom) out.push(headroom);
  // A token bounded by its age (maxAge) needs no exp.
  else if (!('exp' in payload) && !policy.requiredClaims?.includes('exp') && policy.maxAge === undefined) {
    out.push(finding('missing_required_claim', 'warning', 'no "exp": the token never expires (RFC 8725 advises against it)', 'exp'));
  }

  if (exp !== undefined) {
    const start = iat ?? nbf ?? now;
    const lifetime = exp - start;
    const machine = policy.clientId !== undefined && payload.sub === policy.clientId;
    const isHuman = policy.humanMaxLifetime !== undefined && policy.clientId !== undefined && !machine;
    const limit = isHuman ? policy.humanMaxLifetime : policy.maxLifetime;
    if (limit !== undefined && lifetime > limit) {
      const who = isHuman ? ' for a human token' : '';
      out.push(finding('lifetime_too_long', 'error', `lifetime ${formatSpan(lifetime)} is over the ${formatSpan(limit)} maximum${who}`, 'exp'));
    } else if (limit === undefined && lifetime > LONG_LIFETIME_WARNING) {
      out.push(finding('lifetime_too_long', 'warning', `lifetime ${formatSpan(lifetime)} is over 24 h; prefer short-lived tokens`, 'exp'));
    }
  }
  return out;
}

/**
 * The headroom rule (policy `minRemaining`): a token with less time left than asked is as good as
 * expired for the job, and one that states no expiry cannot show it has enough. Also applied by
 * `check` to an opaque token's `expires_in`.
 */
export function remainingLifetime(exp: number | undefined, now: number, minRemaining: number | undefined): Finding | undefined {
  if (!minRemaining) return undefined;
  if (exp === undefined)
    return finding('missing_required_claim', 'error', `the token states no expiry, and at least ${formatSpan(minRemaining)} left is asked`, 'exp');
  if (exp - now >= minRemaining) return undefined;
  return finding('token_expired', 'error', `${formatSpan(Math.max(0, exp - now))} left, less than the ${formatSpan(minRemaining)} asked`, 'exp');
}
