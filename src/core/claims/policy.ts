import { UsageError } from '../../errors.js';
import { parseDuration } from '../duration.js';
import type { ClaimType, ClaimsPolicy } from './types.js';
import { lookup, describeValue } from '../json.js';

/**
 * Built-in policies for the documented rules of the providers in shared/seeds. A profile or a
 * policy file can start from one (`preset = "justgold"`) and add to it.
 */
export const BUILTIN_POLICIES: Readonly<Record<string, ClaimsPolicy>> = {
  // Gooclaim: RS256, aud always gooclaim-api, tenant_id on every token, space-separated scope,
  // machine tokens 1 h, human tokens 15 min.
  gooclaim: {
    algorithms: ['RS256'],
    audience: ['gooclaim-api'],
    requiredClaims: ['sub', 'tenant_id', 'iat', 'exp', 'aud'],
    claimTypes: { tenant_id: 'string' },
    scopeFormat: 'string',
    maxLifetime: 3600,
    humanMaxLifetime: 900,
  },
  // Gamification API: HS256 with the API secret; sub/iss/aud/iat/exp required; scope an array.
  gamification: {
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'iss', 'aud', 'iat', 'exp'],
    scopeFormat: 'array',
    maxLifetime: 24 * 3600,
  },
  // JustGold: partner-signed RS256/ES256, aud justgold-api, UUID jti, at most 1 h.
  justgold: {
    algorithms: ['RS256', 'ES256'],
    audience: ['justgold-api'],
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
    requireJti: true,
    jtiFormat: 'uuid',
    maxLifetime: 3600,
  },
  // Keycloak-backed compliance service: 300 s access tokens checked against the realm's JWKS.
  keycloak: {
    algorithms: ['RS256', 'PS256', 'ES256'],
    requiredClaims: ['iss', 'exp', 'iat'],
    maxLifetime: 300,
  },
  // webMethods API Gateway: sub is the application id; issuer and audience come from the profile.
  webmethods: {
    requiredClaims: ['sub', 'iss', 'exp'],
  },
};

const CLAIM_TYPES: readonly ClaimType[] = ['string', 'number', 'boolean', 'array', 'object', 'string-or-array'];

/** The keys a policy table may hold, as written in config and policy files (snake_case). */
export const POLICY_KEYS = [
  'preset',
  'issuer',
  'audience',
  'required_claims',
  'algorithms',
  'max_lifetime',
  'min_ttl',
  'human_max_lifetime',
  'require_jti',
  'jti_format',
  'required_scopes',
  'scope_format',
  'typ',
  'leeway',
  'understood_crit',
  'claim_types',
] as const;

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new UsageError('invalid_policy', `${where}: expected a string or a list of strings`);
}

function seconds(value: unknown, where: string): number {
  const parsed = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : typeof value === 'string' ? parseDuration(value) : undefined;
  if (parsed === undefined) throw new UsageError('invalid_policy', `${where}: expected a duration such as 300, "15m" or "1h"`);
  return parsed;
}

/**
 * Reads a policy table (from a policy file or a profile's `policy`) into a ClaimsPolicy,
 * naming the offending key on any error. `where` prefixes messages (a file and table path).
 *
 * @example parsePolicy({ audience: 'api', max_lifetime: '1h' }, 'policy.toml') // { audience: ['api'], maxLifetime: 3600 }
 */
export function parsePolicy(table: Record<string, unknown>, where: string): ClaimsPolicy {
  for (const key of Object.keys(table)) {
    if (!(POLICY_KEYS as readonly string[]).includes(key)) {
      throw new UsageError('invalid_policy', `${where}: unknown policy key "${key}"`, `known keys: ${POLICY_KEYS.join(', ')}`);
    }
  }
  let policy: ClaimsPolicy = {};
  if (table.preset !== undefined) {
    const name = table.preset;
    const preset = typeof name === 'string' ? lookup(BUILTIN_POLICIES, name) : undefined;
    if (!preset) {
      throw new UsageError(
        'invalid_policy',
        `${where}.preset: unknown preset ${describeValue(name)}`,
        `built-in presets: ${Object.keys(BUILTIN_POLICIES).join(', ')}`,
      );
    }
    policy = { ...preset };
  }
  const own: ClaimsPolicy = {};
  if (table.issuer !== undefined) own.issuer = stringList(table.issuer, `${where}.issuer`);
  if (table.audience !== undefined) own.audience = stringList(table.audience, `${where}.audience`);
  if (table.required_claims !== undefined) own.requiredClaims = stringList(table.required_claims, `${where}.required_claims`);
  if (table.algorithms !== undefined) own.algorithms = stringList(table.algorithms, `${where}.algorithms`);
  if (table.max_lifetime !== undefined) own.maxLifetime = seconds(table.max_lifetime, `${where}.max_lifetime`);
  if (table.min_ttl !== undefined) own.minRemaining = seconds(table.min_ttl, `${where}.min_ttl`);
  if (table.human_max_lifetime !== undefined) own.humanMaxLifetime = seconds(table.human_max_lifetime, `${where}.human_max_lifetime`);
  if (table.leeway !== undefined) own.clockTolerance = seconds(table.leeway, `${where}.leeway`);
  if (table.required_scopes !== undefined) own.requiredScopes = stringList(table.required_scopes, `${where}.required_scopes`);
  if (table.understood_crit !== undefined) own.understoodCrit = stringList(table.understood_crit, `${where}.understood_crit`);
  if (table.require_jti !== undefined) {
    if (typeof table.require_jti !== 'boolean') throw new UsageError('invalid_policy', `${where}.require_jti: expected true or false`);
    own.requireJti = table.require_jti;
  }
  if (table.jti_format !== undefined) {
    if (table.jti_format !== 'uuid') throw new UsageError('invalid_policy', `${where}.jti_format: expected "uuid"`);
    own.jtiFormat = table.jti_format;
  }
  if (table.scope_format !== undefined) {
    if (table.scope_format !== 'string' && table.scope_format !== 'array') {
      throw new UsageError('invalid_policy', `${where}.scope_format: expected "string" or "array"`);
    }
    own.scopeFormat = table.scope_format;
  }
  if (table.typ !== undefined) {
    if (typeof table.typ !== 'string') throw new UsageError('invalid_policy', `${where}.typ: expected a string`);
    own.typ = table.typ;
  }
  if (table.claim_types !== undefined) {
    const types = table.claim_types;
    if (types === null || typeof types !== 'object' || Array.isArray(types)) {
      throw new UsageError('invalid_policy', `${where}.claim_types: expected a table of claim = "type"`);
    }
    own.claimTypes = {};
    for (const [claim, type] of Object.entries(types)) {
      if (!CLAIM_TYPES.includes(type as ClaimType)) {
        throw new UsageError('invalid_policy', `${where}.claim_types.${claim}: expected one of ${CLAIM_TYPES.join(', ')}`);
      }
      own.claimTypes[claim] = type as ClaimType;
    }
  }
  return mergePolicies(policy, own);
}

/**
 * Layers policies: later layers replace scalar rules and extend lists of requirements
 * (required claims, required scopes, claim types), so ad-hoc flags add to a profile's policy.
 */
export function mergePolicies(...layers: ClaimsPolicy[]): ClaimsPolicy {
  const merged: ClaimsPolicy = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer) as [keyof ClaimsPolicy, unknown][]) {
      if (value === undefined) continue;
      if (key === 'requiredClaims' || key === 'requiredScopes' || key === 'understoodCrit') {
        merged[key] = [...new Set([...(merged[key] ?? []), ...(value as string[])])];
      } else if (key === 'claimTypes') {
        merged.claimTypes = { ...merged.claimTypes, ...(value as Record<string, ClaimType>) };
      } else {
        (merged as Record<string, unknown>)[key] = value;
      }
    }
  }
  return merged;
}

/** A profile's own policy table, plus its client id (checked against `client_id`/`azp` where present). */
export function profilePolicy(name: string, profile: { policy?: Record<string, unknown>; client_id?: string }): ClaimsPolicy {
  return mergePolicies(profile.policy ? parsePolicy(profile.policy, `profiles.${name}.policy`) : {}, profile.client_id ? { clientId: profile.client_id } : {});
}
