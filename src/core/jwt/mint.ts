import { createHash, type X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../duration.js';
import type { LoadedKey } from '../keys/load.js';
import { parseJson } from '../json.js';

/** Claim values as they arrive from flags (all optional; undefined means "not given"). */
export interface ClaimFlags {
  iss?: string;
  sub?: string;
  aud?: string[];
  exp?: string;
  nbf?: string;
  iat?: string;
  /** A value, or `auto` for a random UUID. */
  jti?: string;
  scope?: string;
  scopeFormat?: 'string' | 'array';
  /** `key=value` pairs; the value is JSON when it parses as JSON, else a string. */
  claim?: string[];
}

const TIME_KEYS = ['exp', 'nbf', 'iat'] as const;

/**
 * A time claim from text: a Unix time (`1735553700`), or a duration from now (`1h`, `+15m`,
 * `-1h` for tests of expired tokens).
 *
 * @example parseTimeSpec('1h', 1000) // 4600
 */
export function parseTimeSpec(text: string, now: number, claim: string): number {
  const trimmed = text.trim();
  if (/^\d{9,}$/.test(trimmed)) return Number(trimmed);
  const sign = trimmed.startsWith('-') ? -1 : 1;
  const seconds = parseDuration(trimmed.replace(/^[+-]/, ''));
  if (seconds === undefined || /^\d{1,8}$/.test(trimmed)) {
    throw new UsageError('invalid_argument', `--${claim} ${JSON.stringify(text)}: expected a duration from now (1h, 15m, -1h) or a Unix time`);
  }
  return now + sign * seconds;
}

function parseClaimPair(pair: string): [string, unknown] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError('invalid_argument', `--claim ${JSON.stringify(pair)}: expected key=value`);
  const raw = pair.slice(eq + 1);
  try {
    return [pair.slice(0, eq), parseJson(raw)];
  } catch {
    return [pair.slice(0, eq), raw];
  }
}

/**
 * The claims of a token to mint, in layers: a template (profile `mint` table, claims file),
 * then the flags. Time claims accept durations; `jti: auto` becomes a fresh UUID; `iat`
 * defaults to now. Pure: the clock and the id source are parameters.
 *
 * @example buildClaims({ aud: 'justgold-api', exp: '1h', jti: 'auto' }, { iss: 'p-1' }, 1000, () => 'u-1')
 * // { aud: 'justgold-api', exp: 4600, jti: 'u-1', iss: 'p-1', iat: 1000 }
 */
export function buildClaims(template: Record<string, unknown>, flags: ClaimFlags, now: number, newId: () => string): Record<string, unknown> {
  const { scope_format: templateScopeFormat, ...templateClaims } = template;
  const claims: Record<string, unknown> = { ...templateClaims };
  if (flags.iss !== undefined) claims.iss = flags.iss;
  if (flags.sub !== undefined) claims.sub = flags.sub;
  if (flags.aud?.length) claims.aud = flags.aud.length === 1 ? flags.aud[0] : flags.aud;
  for (const key of TIME_KEYS) if (flags[key] !== undefined) claims[key] = flags[key];
  if (flags.jti !== undefined) claims.jti = flags.jti;
  for (const [key, value] of (flags.claim ?? []).map(parseClaimPair)) claims[key] = value;

  const scopeFormat = flags.scopeFormat ?? (templateScopeFormat === 'array' || templateScopeFormat === 'string' ? templateScopeFormat : undefined);
  const scope = flags.scope ?? claims.scope;
  if (scope !== undefined) {
    const list = typeof scope === 'string' ? scope.split(/[\s,]+/).filter(Boolean) : Array.isArray(scope) ? scope : [scope];
    claims.scope = scopeFormat === 'array' || (scopeFormat === undefined && Array.isArray(scope)) ? list : list.join(' ');
  }
  if (claims.iat === undefined) claims.iat = now;
  for (const key of TIME_KEYS) {
    if (typeof claims[key] === 'string') claims[key] = parseTimeSpec(claims[key] as string, now, key);
  }
  if (claims.jti === 'auto') claims.jti = newId();
  return claims;
}

/** `x5c` and `x5t#S256` header parameters for a certificate chain (leaf first). */
export function certificateHeader(chain: readonly X509Certificate[]): Record<string, unknown> {
  if (!chain.length) return {};
  return {
    x5c: chain.map((c) => c.raw.toString('base64')),
    'x5t#S256': createHash('sha256').update(chain[0]!.raw).digest('base64url'),
  };
}

/** Signs the claims with jose. The caller has checked the algorithm fits the key. */
export async function signJwt(claims: Record<string, unknown>, header: Record<string, unknown>, key: Pick<LoadedKey, 'key'>, alg: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key.key);
}
