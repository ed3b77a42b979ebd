import { describe, expect, it } from 'vitest';
import { allowedOrigins, canonicalOrigin, targetUrl } from '../../src/core/origin.js';
import { parseConfig } from '../../src/core/config.js';
import { childEnvironment } from '../../src/core/secret-sources.js';
import { pollInterval } from '../../src/core/oauth/authorization.js';
import { validateClaims } from '../../src/core/claims/validate.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
};

describe('the origin rule', () => {
  const allowed = allowedOrigins({ base_url: 'https://api.example.com/v1', api_origins: ['https://files.example.com:8443'] }, ['http://127.0.0.1:9000/']);

  it('a profile’s origins: base_url’s, api_origins and --allow-origin, canonical', () => {
    expect([...allowed]).toEqual(['https://api.example.com', 'https://files.example.com:8443', 'http://127.0.0.1:9000']);
    expect(canonicalOrigin('HTTPS://API.Example.com:443/', 'x')).toBe('https://api.example.com');
    for (const bad of ['api.example.com', 'ftp://a', 'https://u:p@a', 'https://a/path', 'https://a/?q'])
      expect(codeOf(() => canonicalOrigin(bad, 'x'))).toBe('invalid_argument');
  });

  it('paths go below the base_url’s own path', () => {
    expect(targetUrl('/workflows/1', 'https://api.example.com/v1', allowed).href).toBe('https://api.example.com/v1/workflows/1');
    expect(targetUrl('workflows/1', 'https://api.example.com/v1/', allowed).href).toBe('https://api.example.com/v1/workflows/1');
    expect(targetUrl('https://files.example.com:8443/f', undefined, allowed).href).toBe('https://files.example.com:8443/f');
  });

  it.each([
    'https://evil.example/x',
    'https://api.example.com.evil.example/x',
    'https://api.example.com:444/x',
    'http://api.example.com/x',
    'HTTP://evil.example/x',
    'https://api.example.com@evil.example/x',
    'https://user:pw@api.example.com/x',
    '\\\\evil.example/x',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\/evil.example/x',
    'https:evil.example/x',
    'javascript:alert(1)',
    'file:///etc/passwd',
  ])('refuses %s', (url) => expect(codeOf(() => targetUrl(url, 'https://api.example.com/v1', allowed))).toBe('untrusted_origin'));

  it('without a base_url, nothing is allowed but what is named', () => {
    expect(codeOf(() => targetUrl('https://api.example.com/x', undefined, allowedOrigins({}, [])))).toBe('untrusted_origin');
    expect(codeOf(() => targetUrl('/x', undefined, allowedOrigins({}, [])))).toBe('invalid_argument');
  });

  it('api_origins in the config must be origins', () => {
    expect(parseConfig('[profiles.a]\napi_origins = ["https://x.example"]\n', 'c.toml').profiles.a!.api_origins).toEqual(['https://x.example']);
    expect(codeOf(() => parseConfig('[profiles.a]\napi_origins = ["https://x.example/path"]\n', 'c.toml'))).toBe('config_invalid');
    expect(codeOf(() => parseConfig('[profiles.a]\napi_origins = "https://x.example"\n', 'c.toml'))).toBe('config_invalid');
  });
});

describe('what a child process gets', () => {
  it('the environment less every secret variable and every AUTHCTL_* one', () => {
    const env = {
      PATH: '/bin',
      HOME: '/home/me',
      AUTHCTL_CLIENT_SECRET: 's',
      AUTHCTL_PASSWORD: 'p',
      AUTHCTL_SECRET: 'h',
      AUTHCTL_API_KEY: 'k',
      AUTHCTL_REFRESH_TOKEN: 'r',
      AUTHCTL_PRIVATE_KEY: 'pk',
      AUTHCTL_KEY_PASSPHRASE: 'pp',
      AUTHCTL_PROFILE: 'x',
      UNSET: undefined,
    };
    expect(childEnvironment(env)).toEqual({ PATH: '/bin', HOME: '/home/me' });
  });
});

describe('the device flow’s polling interval', () => {
  it('stays within 1 and 60 seconds; slow_down adds 5', () => {
    expect([pollInterval(0.001), pollInterval(5), pollInterval(1e7), pollInterval(5, true), pollInterval(58, true)]).toEqual([1, 5, 60, 10, 60]);
  });
});

describe('an ID token’s authorized party (OpenID Connect Core §3.1.3.7)', () => {
  const base = { iss: 'https://as', sub: 'p', exp: 2000, iat: 1000 };
  const judge = (payload: Record<string, unknown>) =>
    validateClaims({ alg: 'ES256' }, payload, { audience: ['cli'], authorizedParty: 'cli' }, { now: 1500 }).filter((f) => f.claim === 'azp');
  it('azp must name the client, and a token for several audiences must carry one', () => {
    expect(judge({ ...base, aud: 'cli' })).toEqual([]);
    expect(judge({ ...base, aud: ['cli', 'api'], azp: 'cli' })).toEqual([]);
    expect(judge({ ...base, aud: 'cli', azp: 'other' })).toEqual([expect.objectContaining({ code: 'invalid_audience', severity: 'error' })]);
    expect(judge({ ...base, aud: ['cli', 'api'] })).toEqual([expect.objectContaining({ code: 'invalid_audience' })]);
  });
});
