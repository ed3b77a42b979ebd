import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  buildAuthorizationUrl,
  buildDeviceAuthorizationRequest,
  parseCallback,
  parseDeviceAuthorization,
  pkcePair,
  pollVerdict,
} from '../../src/core/oauth/authorization.js';
import { buildTokenRequest } from '../../src/core/oauth/token.js';
import type { AuthctlError } from '../../src/errors.js';

const res = (status: number, body: unknown) => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)), url: 'https://as/x' });
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AuthctlError).code;
  }
  return undefined;
};

describe('authorization code with PKCE (RFC 7636, RFC 8252)', () => {
  it('the verifier is 43 base64url characters and the challenge its SHA-256', () => {
    const { verifier, challenge } = pkcePair(new Uint8Array(32).fill(7));
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('the authorization URL carries the PKCE, state and nonce parameters', () => {
    const url = new URL(
      buildAuthorizationUrl(
        { authorization_url: 'https://as/authorize?tenant=1' },
        { clientId: 'c', redirectUri: 'http://127.0.0.1:5/cb', scope: 'openid', state: 's', challenge: 'x', nonce: 'n' },
      ),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: '1',
      response_type: 'code',
      client_id: 'c',
      redirect_uri: 'http://127.0.0.1:5/cb',
      scope: 'openid',
      state: 's',
      code_challenge: 'x',
      code_challenge_method: 'S256',
      nonce: 'n',
    });
    expect(codeOf(() => buildAuthorizationUrl({}, { clientId: 'c', redirectUri: 'r', state: 's', challenge: 'x' }))).toBe('missing_endpoint');
  });

  it('the callback: a code when state matches; a foreign state, a refusal or no code are errors', () => {
    expect(parseCallback(new URLSearchParams('code=abc&state=s'), 's')).toBe('abc');
    expect(codeOf(() => parseCallback(new URLSearchParams('code=abc&state=other'), 's'))).toBe('access_denied');
    expect(codeOf(() => parseCallback(new URLSearchParams('error=access_denied&state=s'), 's'))).toBe('access_denied');
    expect(codeOf(() => parseCallback(new URLSearchParams('error=server_error&state=s'), 's'))).toBe('oauth_error');
    expect(codeOf(() => parseCallback(new URLSearchParams('state=s'), 's'))).toBe('oauth_error');
  });

  it('the code exchange sends the code, the redirect URI and the verifier, and no scope', () => {
    const request = buildTokenRequest(
      { token_url: 'https://as/token', client_id: 'c', client_auth: 'none', scope: 'openid' },
      { grant: 'authorization_code', code: 'abc', redirectUri: 'http://127.0.0.1:5/cb', codeVerifier: 'v' },
      {},
    );
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: 'http://127.0.0.1:5/cb',
      code_verifier: 'v',
      client_id: 'c',
    });
  });
});

describe('device authorization grant (RFC 8628)', () => {
  it('the request names the client; the answer needs its fields; interval defaults to 5', () => {
    const request = buildDeviceAuthorizationRequest({ device_authorization_url: 'https://as/device', client_id: 'c', client_auth: 'none' }, {}, 'openid');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ scope: 'openid', client_id: 'c' });
    expect(parseDeviceAuthorization(res(200, { device_code: 'd', user_code: 'ABCD-EFGH', verification_uri: 'https://as/device', expires_in: 600 }))).toEqual({
      deviceCode: 'd',
      userCode: 'ABCD-EFGH',
      verificationUri: 'https://as/device',
      expiresIn: 600,
      interval: 5,
    });
    expect(codeOf(() => parseDeviceAuthorization(res(200, { device_code: 'd' })))).toBe('invalid_response');
    expect(codeOf(() => parseDeviceAuthorization(res(401, { error: 'invalid_client' })))).toBe('invalid_client');
    expect(codeOf(() => buildDeviceAuthorizationRequest({}, {}, undefined))).toBe('missing_endpoint');
  });

  it('polling: pending and slow_down keep polling; anything else is the answer', () => {
    expect(pollVerdict(res(400, { error: 'authorization_pending' }))).toEqual({ kind: 'pending' });
    expect(pollVerdict(res(400, { error: 'slow_down' }))).toEqual({ kind: 'slow_down' });
    expect(pollVerdict(res(400, { error: 'access_denied' }))).toBeUndefined();
    expect(pollVerdict(res(200, { access_token: 'a' }))).toBeUndefined();
    expect(pollVerdict({ status: 400, headers: {}, body: Buffer.from('<html>'), url: 'u' })).toBeUndefined();
  });
});
