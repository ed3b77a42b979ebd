import { describe, expect, it } from 'vitest';
import { checksPass, neededCredentials, toJunit, type CheckResult } from '../../src/core/check.js';

describe('neededCredentials', () => {
  it.each([
    [{ token_url: 'https://a/token' }, ['client_secret']],
    [{ token_url: 'https://a/token', grant: 'password' as const }, ['client_secret', 'password']],
    [{ token_url: 'https://a/token', client_auth: 'api_key' as const }, ['api_key']],
    [{ token_url: 'https://a/token', client_auth: 'private_key_jwt' as const, private_key: 'k.pem' }, []],
    [{ token_url: 'https://a/token', client_auth: 'private_key_jwt' as const }, ['private_key']],
    [{ token_url: 'https://a/token', client_auth: 'none' as const, grant: 'refresh_token' as const }, ['refresh_token']],
    [{ alg: 'HS256', mint: { iss: 'me' } }, ['hmac_secret']],
    [{ private_key: 'k.pem' }, []],
  ])('%j needs %j', (profile, kinds) => {
    expect(neededCredentials(profile).map((c) => c.kind)).toEqual(kinds);
  });
  it('every needed credential names its environment variable from the one table (AUTHCTL_REFRESH_TOKEN too)', () => {
    expect(neededCredentials({ token_url: 'x', grant: 'refresh_token' })).toEqual([
      { kind: 'client_secret', envVar: 'AUTHCTL_CLIENT_SECRET' },
      { kind: 'refresh_token', envVar: 'AUTHCTL_REFRESH_TOKEN' },
    ]);
  });
});

describe('reports', () => {
  const results: CheckResult[] = [
    { profile: 'a&b', check: 'token', status: 'fail', message: 'server said <"no">', code: 'invalid_client' },
    { profile: 'a&b', check: 'credentials', status: 'warn', message: 'old', code: 'rotation_due' },
    { profile: 'c', check: 'claims', status: 'skip', message: 'no token' },
  ];
  it('warnings fail only with --strict', () => {
    expect(checksPass(results.slice(1), false)).toBe(true);
    expect(checksPass(results.slice(1), true)).toBe(false);
    expect(checksPass(results, false)).toBe(false);
  });
  it('JUnit XML escapes names and messages and counts per suite', () => {
    const xml = toJunit(results, true, '2026-11-24T00:00:00.000Z');
    expect(xml).toContain('<testsuites name="authctl check" tests="3" failures="2" errors="0" skipped="1">');
    expect(xml).toContain('<testsuite name="a&amp;b" tests="2" failures="2" errors="0" skipped="0" timestamp="2026-11-24T00:00:00.000Z">');
    expect(xml).toContain('<failure message="server said &lt;&quot;no&quot;&gt;" type="invalid_client"/>');
    expect(toJunit(results, false, 'T')).toContain('<system-out>warning: old</system-out>');
  });
});
