import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POLICIES,
  mergePolicies,
  parsePolicy,
  passes,
  scopesOf,
  validateClaims,
  type ClaimsPolicy,
  type Finding,
} from '../../src/core/claims/index.js';
import { UsageError } from '../../src/errors.js';

const NOW = 1_735_550_200; // frozen clock, seconds
const HS = { alg: 'HS256', typ: 'JWT' };
const codes = (findings: Finding[]) => findings.map((f) => `${f.severity}:${f.code}${f.claim ? `@${f.claim}` : ''}`).sort();

interface Case {
  name: string;
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
  policy?: ClaimsPolicy;
  seenJti?: string[];
  expected: string[];
}

const base = { sub: 'user-1', iat: NOW - 60, exp: NOW + 600 };

const cases: Case[] = [
  { name: 'a fresh token with no policy has no findings', payload: base, expected: [] },
  { name: 'expired beyond the default 60 s leeway', payload: { ...base, exp: NOW - 61 }, expected: ['error:token_expired@exp'] },
  { name: 'expired within the leeway still passes', payload: { ...base, exp: NOW - 59 }, expected: [] },
  { name: 'exactly at now minus leeway counts as expired', payload: { ...base, exp: NOW - 60 }, expected: ['error:token_expired@exp'] },
  {
    name: 'leeway of 0 makes a token expired a second ago fail',
    payload: { ...base, exp: NOW - 1 },
    policy: { clockTolerance: 0 },
    expected: ['error:token_expired@exp'],
  },
  { name: 'nbf in the future', payload: { ...base, nbf: NOW + 120 }, expected: ['error:not_yet_valid@nbf'] },
  { name: 'iat in the future', payload: { ...base, iat: NOW + 3600, exp: NOW + 4000 }, expected: ['error:iat_in_future@iat'] },
  { name: 'no exp is an RFC 8725 warning', payload: { sub: 'a' }, expected: ['warning:missing_required_claim@exp'] },
  {
    name: 'no exp is an error when exp is required',
    payload: { sub: 'a' },
    policy: { requiredClaims: ['exp'] },
    expected: ['error:missing_required_claim@exp'],
  },
  { name: 'exp as a string is a type error, not a time', payload: { ...base, exp: '1735550800' }, expected: ['error:invalid_claim_type@exp'] },
  { name: 'iss must be a string', payload: { ...base, iss: 42 }, expected: ['error:invalid_claim_type@iss'] },
  { name: 'aud array of non-strings', payload: { ...base, aud: [1] }, expected: ['error:invalid_claim_type@aud'] },
  { name: 'required claims', payload: base, policy: { requiredClaims: ['sub', 'tenant_id'] }, expected: ['error:missing_required_claim@tenant_id'] },
  { name: 'issuer matches', payload: { ...base, iss: 'https://idp' }, policy: { issuer: ['https://idp'] }, expected: [] },
  { name: 'issuer mismatch', payload: { ...base, iss: 'https://evil' }, policy: { issuer: ['https://idp'] }, expected: ['error:invalid_issuer@iss'] },
  { name: 'issuer missing', payload: base, policy: { issuer: ['https://idp'] }, expected: ['error:missing_required_claim@iss'] },
  { name: 'audience string matches', payload: { ...base, aud: 'api' }, policy: { audience: ['api'] }, expected: [] },
  { name: 'audience array contains one accepted', payload: { ...base, aud: ['other', 'api'] }, policy: { audience: ['api'] }, expected: [] },
  { name: 'audience mismatch', payload: { ...base, aud: ['other'] }, policy: { audience: ['api'] }, expected: ['error:invalid_audience@aud'] },
  { name: 'alg none refused by default', header: { alg: 'none' }, payload: base, expected: ['error:alg_not_allowed@header.alg'] },
  { name: 'alg NONE in any case refused', header: { alg: 'NoNe' }, payload: base, expected: ['error:alg_not_allowed@header.alg'] },
  { name: 'alg none allowed only when listed', header: { alg: 'none' }, payload: base, policy: { algorithms: ['none'] }, expected: [] },
  { name: 'alg outside the allow-list', payload: base, policy: { algorithms: ['RS256'] }, expected: ['error:alg_not_allowed@header.alg'] },
  { name: 'missing alg', header: { typ: 'JWT' }, payload: base, expected: ['error:invalid_token@header.alg'] },
  { name: 'lifetime over the maximum', payload: { ...base, exp: base.iat + 7200 }, policy: { maxLifetime: 3600 }, expected: ['error:lifetime_too_long@exp'] },
  { name: 'lifetime at the maximum passes', payload: { ...base, exp: base.iat + 3600 }, policy: { maxLifetime: 3600 }, expected: [] },
  { name: 'headroom: less time left than min_ttl asks', payload: base, policy: { minRemaining: 900 }, expected: ['error:token_expired@exp'] },
  { name: 'headroom: exactly min_ttl left passes', payload: base, policy: { minRemaining: 600 }, expected: [] },
  { name: 'headroom: no exp cannot show any', payload: { sub: 'a' }, policy: { minRemaining: 60 }, expected: ['error:missing_required_claim@exp'] },
  {
    name: 'headroom: a required exp that is missing is reported once',
    payload: { sub: 'a' },
    policy: { minRemaining: 60, requiredClaims: ['exp'] },
    expected: ['error:missing_required_claim@exp'],
  },
  {
    name: 'headroom: an expired token is expired once',
    payload: { ...base, exp: NOW - 120 },
    policy: { minRemaining: 60 },
    expected: ['error:token_expired@exp'],
  },
  {
    name: 'headroom: a mistyped exp is a type error only',
    payload: { ...base, exp: 'soon' },
    policy: { minRemaining: 60 },
    expected: ['error:invalid_claim_type@exp'],
  },
  { name: 'lifetime over 24 h warns without a policy', payload: { ...base, exp: base.iat + 90000 }, expected: ['warning:lifetime_too_long@exp'] },
  { name: 'jti required', payload: base, policy: { requireJti: true }, expected: ['error:missing_jti@jti'] },
  {
    name: 'jti required and listed: reported once, as missing_jti',
    payload: base,
    policy: { requireJti: true, requiredClaims: ['jti'] },
    expected: ['error:missing_jti@jti'],
  },
  { name: 'replayed jti', payload: { ...base, jti: 'j1' }, seenJti: ['j1'], expected: ['error:replayed_token@jti'] },
  { name: 'scope string grants', payload: { ...base, scope: 'read write' }, policy: { requiredScopes: ['write'] }, expected: [] },
  { name: 'scope array grants', payload: { ...base, scope: ['read', 'write'] }, policy: { requiredScopes: ['write'] }, expected: [] },
  {
    name: 'scope missing one',
    payload: { ...base, scope: 'read' },
    policy: { requiredScopes: ['read', 'admin'] },
    expected: ['error:insufficient_permissions@scope'],
  },
  {
    name: 'scope as string where the policy wants an array',
    payload: { ...base, scope: 'read' },
    policy: { scopeFormat: 'array' },
    expected: ['error:invalid_claim_type@scope'],
  },
  {
    name: 'scope as array where the policy wants a string',
    payload: { ...base, scope: ['read'] },
    policy: { scopeFormat: 'string' },
    expected: ['error:invalid_claim_type@scope'],
  },
  { name: 'crit not understood', header: { alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 }, payload: base, expected: ['error:unsupported_crit@header.crit'] },
  { name: 'crit understood by policy', header: { alg: 'HS256', crit: ['ext'], ext: 1 }, payload: base, policy: { understoodCrit: ['ext'] }, expected: [] },
  { name: 'crit must be an array', header: { alg: 'HS256', crit: 'b64' }, payload: base, expected: ['error:invalid_token@header.crit'] },
  {
    name: 'typ at+jwt matches application/at+jwt',
    header: { alg: 'RS256', typ: 'application/at+jwt' },
    payload: base,
    policy: { typ: 'at+jwt' },
    expected: [],
  },
  { name: 'typ mismatch', header: { alg: 'RS256', typ: 'JWT' }, payload: base, policy: { typ: 'at+jwt' }, expected: ['error:typ_mismatch@header.typ'] },
  {
    name: 'custom claim type',
    payload: { ...base, tenant_id: 7 },
    policy: { claimTypes: { tenant_id: 'string' } },
    expected: ['error:invalid_claim_type@tenant_id'],
  },
  {
    name: 'Gooclaim human token over 15 min',
    header: { alg: 'RS256' },
    payload: { sub: 'user-9', tenant_id: 't1', aud: 'gooclaim-api', scope: 'workflow:read', iat: NOW, exp: NOW + 1800 },
    policy: { ...BUILTIN_POLICIES.gooclaim, clientId: 'svc-client' },
    expected: ['error:lifetime_too_long@exp'],
  },
  {
    name: 'Gooclaim machine token of 1 h',
    header: { alg: 'RS256' },
    payload: { sub: 'svc-client', tenant_id: 't1', aud: 'gooclaim-api', scope: 'workflow:read audit:read', iat: NOW, exp: NOW + 3600 },
    policy: { ...BUILTIN_POLICIES.gooclaim, clientId: 'svc-client' },
    expected: [],
  },
  {
    name: 'JustGold token from the document passes at its issue time',
    header: { alg: 'RS256', typ: 'JWT' },
    payload: { iss: 'partner-123', sub: 'user-123', aud: 'justgold-api', iat: 1735550100, exp: 1735553700, jti: '46c6bf5d-2ec7-4a9b-9b1a-5ab2e77ed677' },
    policy: BUILTIN_POLICIES.justgold,
    expected: [],
  },
  {
    name: 'gamification token from the document, with scope array',
    payload: { sub: 'user_123', iss: 'your-tenant-id', aud: 'your-application-id', iat: NOW - 100, exp: NOW + 3500, scope: ['read', 'write'] },
    policy: BUILTIN_POLICIES.gamification,
    expected: [],
  },
];

describe('validateClaims', () => {
  it.each(cases)('$name', ({ header, payload, policy, seenJti, expected }) => {
    const findings = validateClaims(header ?? HS, payload, policy ?? {}, { now: NOW, seenJti: seenJti ? new Set(seenJti) : undefined });
    expect(codes(findings)).toEqual([...expected].sort());
    for (const f of findings) expect(f.message.length).toBeGreaterThan(5);
  });

  it('never reads the real clock: the same token flips with `now` alone', () => {
    const payload = { exp: 1000 };
    expect(passes(validateClaims(HS, payload, {}, { now: 900 }))).toBe(true);
    expect(passes(validateClaims(HS, payload, {}, { now: 2000 }))).toBe(false);
  });

  it('strict mode fails on warnings', () => {
    const findings = validateClaims(HS, { sub: 'a' }, {}, { now: NOW });
    expect(passes(findings)).toBe(true);
    expect(passes(findings, true)).toBe(false);
  });
});

describe('scopesOf', () => {
  it.each([
    [{ scope: 'a  b c' }, ['a', 'b', 'c']],
    [{ scope: ['a', 'b'] }, ['a', 'b']],
    [{ scp: ['x'] }, ['x']],
    [{}, []],
  ])('%j', (payload, expected) => expect(scopesOf(payload)).toEqual(expected));
});

describe('parsePolicy', () => {
  it('reads snake_case keys and durations, layered on a preset', () => {
    const policy = parsePolicy({ preset: 'justgold', issuer: 'partner-123', max_lifetime: '30m', leeway: 5, min_ttl: '2m' }, 'p.toml');
    expect(policy).toMatchObject({
      audience: ['justgold-api'],
      issuer: ['partner-123'],
      maxLifetime: 1800,
      clockTolerance: 5,
      requireJti: true,
      minRemaining: 120,
    });
  });

  it.each([
    [{ audiense: 'x' }, /unknown policy key "audiense"/],
    [{ max_lifetime: 'soon' }, /max_lifetime: expected a duration/],
    [{ preset: 'nope' }, /unknown preset/],
    [{ scope_format: 'csv' }, /scope_format/],
    [{ claim_types: { a: 'uuid' } }, /claim_types.a/],
    [{ require_jti: 'yes' }, /require_jti/],
  ])('rejects %j with invalid_policy', (table, message) => {
    try {
      parsePolicy(table as Record<string, unknown>, 'p.toml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).code).toBe('invalid_policy');
      expect((error as UsageError).message).toMatch(message);
    }
  });
});

describe('mergePolicies', () => {
  it('later layers replace scalars and extend requirement lists', () => {
    const merged = mergePolicies(
      { maxLifetime: 3600, requiredClaims: ['sub'], audience: ['a'] },
      { maxLifetime: 60, requiredClaims: ['jti', 'sub'], audience: undefined },
    );
    expect(merged).toEqual({ maxLifetime: 60, requiredClaims: ['sub', 'jti'], audience: ['a'] });
  });
});
