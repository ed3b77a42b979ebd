import { describe, expect, it } from 'vitest';
import { basicAuthorization, buildTokenRequest, parseTokenResponse, reusableUntil } from '../../src/core/oauth/token.js';
import { nextDelay, retryAfterMs, DEFAULT_RETRY } from '../../src/core/oauth/retry.js';
import { cacheSeconds, discoveryUrls } from '../../src/core/oauth/discovery.js';
import { buildIntrospectionRequest, parseBearerResponse, toFindingCode } from '../../src/core/oauth/endpoints.js';
import type { AuthctlError } from '../../src/errors.js';

const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  url: 'https://as.example/token',
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return [(error as AuthctlError).code, (error as AuthctlError).exitCode];
  }
  return undefined;
};

describe('token requests', () => {
  it('RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64', () => {
    expect(basicAuthorization('a:b', 'p%s s')).toBe(`Basic ${Buffer.from('a%3Ab:p%25s+s').toString('base64')}`);
  });

  it('client_secret_basic, form body, scope, audience and several resources', () => {
    const req = buildTokenRequest(
      { token_url: 'https://as/token', client_id: 'c' },
      { grant: 'client_credentials', scope: 'a b', audience: 'api', resource: ['https://r1', 'https://r2'] },
      { clientSecret: 's' },
    );
    expect(req.headers.authorization).toBe(basicAuthorization('c', 's'));
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe('grant_type=client_credentials&scope=a+b&audience=api&resource=https%3A%2F%2Fr1&resource=https%3A%2F%2Fr2');
  });

  it('Gooclaim: client_secret_post in a JSON body', () => {
    const req = buildTokenRequest(
      { token_url: 'https://g/v1/auth/token', client_id: 'c', client_auth: 'client_secret_post', body_format: 'json' },
      { grant: 'client_credentials' },
      { clientSecret: 's' },
    );
    expect(JSON.parse(req.body!)).toEqual({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' });
    expect(req.headers.authorization).toBeUndefined();
  });

  it('webMethods: API key header and the claimsSet body, no grant_type', () => {
    const req = buildTokenRequest(
      {
        token_url: 'https://wm/gateway/security/getJsonWebToken',
        client_auth: 'api_key',
        api_key_header: 'x-Gateway-APIKey',
        body_format: 'json',
        extra_body: { claimsSet: { name: 'n' } },
      },
      { grant: 'client_credentials' },
      { apiKey: 'k' },
    );
    expect(req.headers['x-gateway-apikey']).toBe('k');
    expect(JSON.parse(req.body!)).toEqual({ claimsSet: { name: 'n' } });
  });

  it('private_key_jwt carries the assertion and its type', () => {
    const req = buildTokenRequest(
      { token_url: 'https://as/token', client_id: 'c', client_auth: 'private_key_jwt' },
      { grant: 'client_credentials' },
      { clientAssertion: 'a.b.c' },
    );
    const form = new URLSearchParams(req.body);
    expect(form.get('client_assertion')).toBe('a.b.c');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  });

  it('password grant needs a username', () => {
    expect(
      codeOf(() => buildTokenRequest({ token_url: 'https://as/token', client_auth: 'none', client_id: 'c' }, { grant: 'password', password: 'p' }, {})),
    ).toEqual(['missing_client_setting', 2]);
  });
});

describe('token responses', () => {
  it.each([
    [
      response(200, { access_token: 'at', expires_in: 300, refresh_token: 'rt', token_type: 'Bearer' }),
      { access_token: 'at', expires_in: 300, refresh_token: 'rt', token_type: 'Bearer' },
    ],
    [response(200, { jwt: 'h.p.s' }), { access_token: 'h.p.s', token_type: 'Bearer' }],
    [response(200, 'h.p.s'), { access_token: 'h.p.s', token_type: 'Bearer' }],
    [response(200, { access_token: 'at', expires_in: '60' }), { access_token: 'at', token_type: 'Bearer', expires_in: 60 }],
  ])('parses %#', (res, expected) => expect(parseTokenResponse(res)).toEqual(expected));

  it.each([
    [response(400, { error: 'invalid_grant', error_description: 'expired' }), 'invalid_grant', 4],
    [response(401, { error: 'invalid_client' }), 'invalid_client', 4],
    [response(401, ''), 'unauthorized', 4],
    [response(403, ''), 'forbidden', 4],
    // a 400 without an OAuth error code is no refusal of the client: a server or URL problem
    [response(400, ''), 'http_error', 3],
    [response(404, { error: 'not_found' }), 'not_found', 3],
    [response(405, ''), 'method_not_allowed', 3],
    [response(200, 'null'), 'invalid_response', 3],
    [response(500, '<html>oops</html>'), 'server_error', 3],
    [response(429, ''), 'rate_limited', 3],
    [response(200, '<html>login</html>'), 'invalid_response', 3],
    [response(200, { token_type: 'Bearer' }), 'invalid_response', 3],
  ])('refuses %# with its code and exit code', (res, code, exit) => expect(codeOf(() => parseTokenResponse(res))).toEqual([code, exit]));

  it('a refusal fits the request: a bare 400 to a refresh is the refresh token refused; a refused secret names where it came from', () => {
    expect(codeOf(() => parseTokenResponse(response(400, ''), 'client_secret_basic', { grant: 'refresh_token' }))).toEqual(['invalid_grant', 4]);
    expect(codeOf(() => parseTokenResponse(response(400, ''), 'client_secret_basic', { grant: 'client_credentials' }))).toEqual(['http_error', 3]);
    let hint: string | undefined;
    try {
      parseTokenResponse(response(401, { error: 'invalid_client' }), 'client_secret_basic', { secretOrigin: 'the Secret Service' });
    } catch (error) {
      hint = (error as AuthctlError).hint;
    }
    expect(hint).toMatch(/; the one sent came from the Secret Service$/);
  });
});

describe('retries', () => {
  const now = Date.parse('2026-11-24T00:00:00Z');
  it('Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 24 Nov 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
  it('429/503 honour Retry-After within the budget; 400/401 never retry', () => {
    expect(nextDelay({ status: 429, retryAfter: '2' }, 1, 0, DEFAULT_RETRY, now)).toBe(2000);
    expect(nextDelay({ status: 503 }, 2, 0, DEFAULT_RETRY, now)).toBe(2000);
    expect(nextDelay({ status: 429, retryAfter: '40' }, 1, 0, DEFAULT_RETRY, now)).toBeUndefined();
    expect(nextDelay({ status: 429, retryAfter: '1' }, 4, 0, DEFAULT_RETRY, now)).toBeUndefined();
    expect(nextDelay({ status: 401 }, 1, 0, DEFAULT_RETRY, now)).toBeUndefined();
    expect(nextDelay({ status: 400 }, 1, 0, DEFAULT_RETRY, now)).toBeUndefined();
    expect(nextDelay({ connectionFailed: true }, 2, 0, DEFAULT_RETRY, now)).toBe(500);
  });
});

describe('cache and discovery rules', () => {
  it('reuse until expiry minus max(30 s, 10 %)', () => {
    expect(reusableUntil(1000, 300)).toBe(1270);
    expect(reusableUntil(1000, 3600)).toBe(4240);
    expect(reusableUntil(1000, undefined)).toBeUndefined();
  });
  it('Cache-Control', () => {
    expect(cacheSeconds({ 'cache-control': 'public, max-age=3600' })).toBe(3600);
    expect(cacheSeconds({ 'cache-control': 'no-store' })).toBe(0);
    expect(cacheSeconds({})).toBe(300);
  });
  it('OpenID and RFC 8414 metadata locations', () => {
    expect(discoveryUrls('https://idp/realms/a/')).toEqual([
      'https://idp/realms/a/.well-known/openid-configuration',
      'https://idp/.well-known/oauth-authorization-server/realms/a',
    ]);
  });
});

describe('provider variants', () => {
  it('Gooclaim introspection: Bearer of the caller and a JSON body', () => {
    const req = buildIntrospectionRequest({ introspection_url: 'https://g/v1/auth/introspect', introspection_style: 'bearer-json' }, 'tok', {
      bearer: 'mine',
      credentials: {},
    });
    expect(req.headers.authorization).toBe('Bearer mine');
    expect(JSON.parse(req.body!)).toEqual({ token: 'tok' });
  });
  it('provider error codes map onto the shared vocabulary', () => {
    expect(toFindingCode('expired_token', 401)).toBe('token_expired');
    expect(toFindingCode('missing_required_claim', 401)).toBe('missing_required_claim');
    expect(toFindingCode(undefined, 403)).toBe('insufficient_permissions');
    expect(parseBearerResponse({ ...response(401, { error: 'invalid_signature', message: 'bad' }) }).findings[0]).toMatchObject({ code: 'invalid_signature' });
  });
});
