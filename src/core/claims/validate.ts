import type { ClaimType, ClaimsPolicy, Finding, ValidationContext } from './types.js';
import { checkTimes, finding } from './times.js';
import { describeValue } from '../json.js';

export { DEFAULT_CLOCK_TOLERANCE, LONG_LIFETIME_WARNING } from './times.js';

/** `crit` parameters jose (and so authctl) implements. */
const BUILTIN_CRIT = new Set(['b64']);

/** RFC 9562 text form, any version (case-insensitive). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const REGISTERED_TYPES: Record<string, ClaimType> = {
  exp: 'number',
  nbf: 'number',
  iat: 'number',
  iss: 'string',
  sub: 'string',
  jti: 'string',
  aud: 'string-or-array',
  scope: 'string-or-array',
};
const REGISTERED_ENTRIES = Object.entries(REGISTERED_TYPES);

function hasType(value: unknown, type: ClaimType): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'string-or-array':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  }
}

/**
 * The token's scopes, from a space-separated `scope` string (RFC 8693, RFC 9068) or a JSON
 * array (as some providers send), falling back to `scp`.
 *
 * @example scopesOf({ scope: 'read write' }) // ['read', 'write']
 */
export function scopesOf(payload: Record<string, unknown>): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/** `aud` as a list, whether the token carries a string or an array. */
function audiencesOf(payload: Record<string, unknown>): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function checkHeader(header: Record<string, unknown>, policy: ClaimsPolicy): Finding[] {
  const out: Finding[] = [];
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '') {
    out.push(finding('invalid_token', 'error', 'the header has no "alg"', 'header.alg'));
  } else {
    const allowed = policy.algorithms;
    if (alg.toLowerCase() === 'none' && !allowed?.includes('none')) {
      out.push(finding('alg_not_allowed', 'error', 'alg "none": the token is unsigned and must not be trusted', 'header.alg'));
    } else if (allowed && !allowed.includes(alg)) {
      out.push(finding('alg_not_allowed', 'error', `alg "${alg}" is not in the allowed list (${allowed.join(', ')})`, 'header.alg'));
    }
  }

  if ('crit' in header) {
    const crit = header.crit;
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) {
      out.push(finding('invalid_token', 'error', '"crit" must be a non-empty array of header parameter names', 'header.crit'));
    } else {
      const understood = new Set([...BUILTIN_CRIT, ...(policy.understoodCrit ?? [])]);
      for (const name of crit as string[]) {
        if (!understood.has(name)) {
          out.push(finding('unsupported_crit', 'error', `critical header parameter "${name}" is not understood`, 'header.crit'));
        } else if (!(name in header)) {
          out.push(finding('invalid_token', 'error', `"crit" lists "${name}" but the header does not carry it`, 'header.crit'));
        }
      }
    }
  }

  if (policy.typ !== undefined) {
    const typ = header.typ;
    if (typeof typ !== 'string') {
      out.push(finding('typ_mismatch', 'error', `the header has no "typ"; expected "${policy.typ}"`, 'header.typ'));
    } else if (normalizeTyp(typ) !== normalizeTyp(policy.typ)) {
      out.push(finding('typ_mismatch', 'error', `typ "${typ}" is not the expected "${policy.typ}"`, 'header.typ'));
    }
  }
  return out;
}

function checkTypes(payload: Record<string, unknown>, policy: ClaimsPolicy): { findings: Finding[]; wellTyped: Set<string> } {
  const findings: Finding[] = [];
  const wellTyped = new Set<string>();
  // (a new list only when the policy adds types: this runs for every token of a batch)
  const expected =
    policy.claimTypes || policy.scopeFormat
      ? Object.entries({ ...REGISTERED_TYPES, ...policy.claimTypes, ...(policy.scopeFormat && { scope: policy.scopeFormat }) })
      : REGISTERED_ENTRIES;
  for (const [claim, type] of expected) {
    if (!(claim in payload)) continue;
    if (hasType(payload[claim], type)) {
      wellTyped.add(claim);
    } else {
      const what =
        claim === 'scope' && policy.scopeFormat
          ? `${type === 'array' ? 'a JSON array' : 'a space-separated string'} as this policy requires`
          : describeType(type);
      findings.push(finding('invalid_claim_type', 'error', `"${claim}" must be ${what}, found ${describeValue(payload[claim])}`, claim));
    }
  }
  return { findings, wellTyped };
}

function describeType(type: ClaimType): string {
  return {
    number: 'a number (seconds since the epoch for times)',
    string: 'a string',
    boolean: 'true or false',
    array: 'a JSON array',
    object: 'a JSON object',
    'string-or-array': 'a string or an array of strings',
  }[type];
}

function checkIdentity(payload: Record<string, unknown>, wellTyped: Set<string>, policy: ClaimsPolicy): Finding[] {
  const out: Finding[] = [];
  if (policy.issuer?.length) {
    if (!('iss' in payload)) {
      out.push(finding('missing_required_claim', 'error', `no "iss"; expected ${policy.issuer.join(' or ')}`, 'iss'));
    } else if (wellTyped.has('iss') && !policy.issuer.includes(payload.iss as string)) {
      out.push(finding('invalid_issuer', 'error', `issuer ${describeValue(payload.iss)} is not ${policy.issuer.map((i) => `"${i}"`).join(' or ')}`, 'iss'));
    }
  }
  if (policy.audience?.length) {
    if (!('aud' in payload)) {
      out.push(finding('missing_required_claim', 'error', `no "aud"; expected ${policy.audience.join(' or ')}`, 'aud'));
    } else if (wellTyped.has('aud')) {
      const auds = audiencesOf(payload);
      if (!auds.some((a) => policy.audience!.includes(a))) {
        out.push(
          finding(
            'invalid_audience',
            'error',
            `audience ${describeValue(payload.aud)} does not include ${policy.audience.map((a) => `"${a}"`).join(' or ')}`,
            'aud',
          ),
        );
      }
    }
  }
  return out;
}

/**
 * THE claims check. Every command that judges a token (decode, lint, verify, introspect,
 * token get, check, scan) calls this and nothing else. Pure: the clock is `context.now`.
 * It does not check signatures; `verify` adds `invalid_signature` itself.
 *
 * @example
 * validateClaims({ alg: 'HS256' }, { sub: 'a', exp: 100 }, { audience: ['api'] }, { now: 1000 })
 * // [{ code: 'token_expired', … }, { code: 'missing_required_claim', claim: 'aud', … }]
 */
export function validateClaims(header: Record<string, unknown>, payload: Record<string, unknown>, policy: ClaimsPolicy, context: ValidationContext): Finding[] {
  const findings = checkHeader(header, policy);
  const types = checkTypes(payload, policy);
  findings.push(...types.findings);

  for (const claim of policy.requiredClaims ?? []) {
    if (claim === 'jti' && policy.requireJti) continue; // reported below as the more specific missing_jti
    if (!(claim in payload)) findings.push(finding('missing_required_claim', 'error', `required claim "${claim}" is missing`, claim));
  }
  findings.push(...checkTimes(payload, types.wellTyped, policy, context.now));
  findings.push(...checkIdentity(payload, types.wellTyped, policy));

  if (policy.requireJti && !('jti' in payload)) {
    findings.push(finding('missing_jti', 'error', 'no "jti": this policy needs a unique token id for replay protection', 'jti'));
  }
  if (policy.nonce !== undefined && payload.nonce !== policy.nonce) {
    findings.push(
      finding(
        'invalid_token',
        'error',
        payload.nonce === undefined ? 'no "nonce": the ID token does not answer this sign-in' : 'the nonce is not the one the sign-in sent',
        'nonce',
      ),
    );
  }
  if (policy.authorizedParty !== undefined) {
    const several = Array.isArray(payload.aud) && payload.aud.length > 1;
    if ('azp' in payload ? payload.azp !== policy.authorizedParty : several) {
      findings.push(
        finding(
          'invalid_audience',
          'error',
          'azp' in payload
            ? `"azp" is ${describeValue(payload.azp)}, not this client (${policy.authorizedParty})`
            : 'no "azp" in a token for several audiences: which client it was issued to is unknown',
          'azp',
        ),
      );
    }
  }
  if (policy.jtiFormat === 'uuid' && types.wellTyped.has('jti') && !UUID.test(payload.jti as string)) {
    findings.push(
      finding('invalid_claim_type', 'error', `"jti" must be a UUID (RFC 9562) as this policy requires, found ${describeValue(payload.jti)}`, 'jti'),
    );
  }
  if (types.wellTyped.has('jti') && context.seenJti?.has(payload.jti as string)) {
    findings.push(finding('replayed_token', 'error', `jti ${describeValue(payload.jti)} was already used`, 'jti'));
  }
  if (policy.requiredScopes?.length) {
    const granted = new Set(scopesOf(payload));
    const missing = policy.requiredScopes.filter((s) => !granted.has(s));
    if (missing.length) {
      findings.push(finding('insufficient_permissions', 'error', `missing scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, 'scope'));
    }
  }
  return dedupe(findings);
}

/** A required claim that is also checked by a more specific rule is reported once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.claim ?? ''}|${f.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** True when no finding is an error (or, with `strict`, no finding at all). */
export function passes(findings: readonly Finding[], strict = false): boolean {
  return findings.every((f) => f.severity === 'warning' && !strict);
}
