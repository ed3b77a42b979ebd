import { beforeEach, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import { AuthorizationServer, type ServerReply } from '../../src/core/server/authorization-server.js';
import { defaultServerSettings } from '../../src/core/server/settings.js';
import { DEV_DEFAULTS } from '../../src/core/server/defaults.js';
import { basicAuthorization } from '../../src/core/oauth/token.js';
import { signProof } from '../../src/core/oauth/dpop.js';

/** A person's sign-in, the device flow, Keycloak realms, JustGold ping and the development API, in-process with a frozen clock. */
const ISSUER = 'http://127.0.0.1:8400';
const T0 = 1_800_000_000;
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const partner = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let clock: number;
let counter: number;
let server: AuthorizationServer;

const basic = { authorization: basicAuthorization(DEV_DEFAULTS.clientId, DEV_DEFAULTS.clientSecret) };
const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  server.handle({ method: 'POST', path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(fields) });
const get = (path: string, query = '', headers: Record<string, string> = {}) => server.handle({ method: 'GET', path, query, headers, body: '' });
const body = (reply: ServerReply) => reply.body as Record<string, unknown>;
/** A person at a browser: the page first (its anti-CSRF field and cookie), then the form posted with them. */
async function submit(path: string, query: string, fields: Record<string, string>, address = '192.0.2.1'): Promise<ServerReply> {
  const shown = await server.handle({ method: 'GET', path, query, headers: {}, body: '', client: address });
  const csrf = /name="csrf" value="([^"]+)"/.exec(shown.html ?? '')?.[1] ?? '';
  const cookie = (shown.headers['set-cookie'] ?? '').split(';')[0]!;
  return server.handle({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: formBody({ ...fields, csrf }),
    client: address,
  });
}

beforeEach(async () => {
  clock = T0;
  counter = 0;
  const settings = defaultServerSettings();
  settings.clients.push({
    client_id: 'partner-123',
    auth: ['private_key_jwt'],
    grants: ['client_credentials'],
    scopes: [],
    public_keys: ['p.pem'],
    redirect_uris: [],
    token_format: 'jwt',
    claims: {},
  });
  const jwk = async (key: import('node:crypto').KeyObject, kid: string, alg: string): Promise<JWK> => ({ ...(await exportJWK(key)), kid, alg, use: 'sig' });
  const partnerJwk = await jwk(partner.publicKey, 'p1', 'ES256');
  server = new AuthorizationServer({
    issuer: ISSUER,
    settings,
    signingKeys: [
      { key: signer.privateKey, kid: 'k1', alg: 'ES256', publicJwk: await jwk(signer.publicKey, 'k1', 'ES256') },
      { key: rsa.privateKey, kid: 'k2', alg: 'RS256', publicJwk: await jwk(rsa.publicKey, 'k2', 'RS256') },
    ],
    clientKeys: async (id) => (id === 'partner-123' ? { keys: [partnerJwk] } : undefined),
    now: () => clock,
    newId: () => `id-${++counter}-${randomUUID()}`,
  });
});

describe('authorization code with PKCE', () => {
  const verifier = 'v'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const request = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: DEV_DEFAULTS.clientId,
      redirect_uri: 'http://127.0.0.1:51234/callback',
      scope: 'openid api:read',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      nonce: 'nn',
      ...extra,
    });

  it('shows a sign-in page, redirects back with a code and the state, and exchanges it once with the right verifier', async () => {
    const page = await get('/authorize', request().toString());
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<form method="post" action="http:\/\/127\.0\.0\.1:8400\/authorize">/);
    const signedIn = await submit('/authorize', request().toString(), {
      ...Object.fromEntries(request()),
      username: DEV_DEFAULTS.username,
      password: DEV_DEFAULTS.password,
      action: 'approve',
    });
    expect(signedIn.status).toBe(302);
    const back = new URL(signedIn.headers.location!);
    expect([back.origin, back.searchParams.get('state')]).toEqual(['http://127.0.0.1:51234', 'st']);
    const code = back.searchParams.get('code')!;
    const exchange = (fields: Record<string, string>) =>
      post('/token', { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:51234/callback', code_verifier: verifier, ...fields }, basic);
    const wrongVerifier = await exchange({ code_verifier: 'w'.repeat(43) });
    expect(body(wrongVerifier)).toMatchObject({ error: 'invalid_grant' });
    // the failed attempt used the code up
    expect(body(await exchange({})).error).toBe('invalid_grant');
  });

  it('a good exchange gives an access token, a refresh token and an ID token with the nonce', async () => {
    const signedIn = await submit('/authorize', request().toString(), {
      ...Object.fromEntries(request()),
      username: DEV_DEFAULTS.username,
      password: DEV_DEFAULTS.password,
    });
    const code = new URL(signedIn.headers.location!).searchParams.get('code')!;
    const reply = await post(
      '/token',
      { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:51234/callback', code_verifier: verifier },
      basic,
    );
    expect(reply.status).toBe(200);
    expect(body(reply)).toMatchObject({ token_type: 'Bearer', scope: 'openid api:read' });
    const idToken = JSON.parse(Buffer.from(String(body(reply).id_token).split('.')[1]!, 'base64url').toString());
    expect(idToken).toMatchObject({ iss: ISSUER, sub: DEV_DEFAULTS.username, aud: DEV_DEFAULTS.clientId, nonce: 'nn' });
    expect(body(reply).refresh_token).toBeTypeOf('string');
  });

  it.each([
    ['a foreign redirect URI', { redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
    ['no PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['another response type', { response_type: 'token' }, 'unsupported_response_type'],
    ['an unknown client', { client_id: 'nobody' }, 'invalid_request'],
  ])('refuses %s before showing anything', async (_name, extra, error) => {
    expect(body(await get('/authorize', request(extra).toString())).error).toBe(error);
  });

  it('DPoP (RFC 9449 §10): a proof with the pushed request binds the code to its key; only a proof by that key redeems it', async () => {
    const holder = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let jti = 0;
    const proof = async (pair: typeof holder, htu: string) =>
      signProof({ key: pair.privateKey }, 'ES256', await exportJWK(pair.publicKey), { htm: 'POST', htu }, clock, `proof-${++jti}`);
    const pushed = await post('/par', Object.fromEntries(request()), { ...basic, dpop: await proof(holder, `${ISSUER}/par`) });
    expect(pushed.status).toBe(201);
    const requestUri = String(body(pushed).request_uri);
    const query = new URLSearchParams({ client_id: DEV_DEFAULTS.clientId, request_uri: requestUri }).toString();
    // the page carries the pushed parameters (dpop_jkt among them) in its form, as a browser posts them back
    const shown = await server.handle({ method: 'GET', path: '/authorize', query, headers: {}, body: '', client: '192.0.2.1' });
    expect(shown.html).toContain(`name="dpop_jkt" value="${await calculateJwkThumbprint(await exportJWK(holder.publicKey))}"`);
    const hidden = Object.fromEntries([...(shown.html ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const cookie = (shown.headers['set-cookie'] ?? '').split(';')[0]!;
    const signedIn = await server.handle({
      method: 'POST',
      path: '/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: formBody({ ...hidden, username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password }),
      client: '192.0.2.1',
    });
    const code = new URL(signedIn.headers.location!).searchParams.get('code')!;
    const redeem = async (pair: typeof holder | undefined) =>
      post(
        '/token',
        { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:51234/callback', code_verifier: verifier },
        { ...basic, ...(pair ? { dpop: await proof(pair, `${ISSUER}/token`) } : {}) },
      );
    expect(body(await redeem(stranger))).toMatchObject({ error: 'invalid_dpop_proof' });
    // a code is used once, whatever happens next: the refusal spent it
    expect(body(await redeem(holder))).toMatchObject({ error: 'invalid_grant' });
  });

  it('deny sends access_denied back; a wrong password shows the page again', async () => {
    const denied = await submit('/authorize', request().toString(), { ...Object.fromEntries(request()), action: 'deny' });
    expect(new URL(denied.headers.location!).searchParams.get('error')).toBe('access_denied');
    const wrong = await submit('/authorize', request().toString(), { ...Object.fromEntries(request()), username: DEV_DEFAULTS.username, password: 'nope' });
    expect([wrong.status, wrong.html]).toEqual([401, expect.stringMatching(/Wrong username or password/)]);
  });

  it('a form this server did not show (no anti-CSRF token, or another browser’s) is refused', async () => {
    const fields = { ...Object.fromEntries(request()), username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password };
    expect((await post('/authorize', fields)).status).toBe(403);
    const shown = await get('/authorize', request().toString());
    const csrf = /name="csrf" value="([^"]+)"/.exec(shown.html!)![1]!;
    expect((await post('/authorize', { ...fields, csrf })).status).toBe(403); // the field without the cookie
    expect((await post('/authorize', { ...fields, csrf: 'guessed' }, { cookie: 'authctl_form=guessed' })).status).toBe(403);
    expect((await post('/authorize', { ...fields, action: 'deny' })).status).toBe(403);
  });

  it('pages are never framed: X-Frame-Options and CSP frame-ancestors', async () => {
    const shown = await get('/authorize', request().toString());
    expect(shown.headers).toMatchObject({ 'x-frame-options': 'DENY', 'content-security-policy': expect.stringContaining("frame-ancestors 'none'") });
    expect(shown.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get('/device')).headers['x-frame-options']).toBe('DENY');
  });

  it('a scope the client may not have is refused at /authorize, before anyone signs in', async () => {
    const refused = await get('/authorize', request({ scope: 'openid admin:all' }).toString());
    expect(refused.status).toBe(302);
    expect(Object.fromEntries(new URL(refused.headers.location!).searchParams)).toMatchObject({ error: 'invalid_scope', state: 'st' });
  });

  it('wrong passwords are throttled per user and per address, with a wait that grows', async () => {
    const attempt = (password: string, address = '192.0.2.7', username = DEV_DEFAULTS.username) =>
      submit('/authorize', request().toString(), { ...Object.fromEntries(request()), username, password }, address);
    const statuses = [];
    for (let i = 0; i < 300; i++) statuses.push((await attempt('wrong')).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.filter((s) => s === 401)).toHaveLength(4); // the rest wait; the clock has not moved
    const waiting = await attempt(DEV_DEFAULTS.password);
    expect([waiting.status, waiting.headers['retry-after']]).toEqual([429, '1']);
    // another address guessing the same user waits too; the waits double
    expect((await attempt('wrong', '192.0.2.8')).status).toBe(429);
    clock += 1;
    expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt(DEV_DEFAULTS.password)).headers['retry-after']).toBe('2');
    clock += 2;
    expect((await attempt(DEV_DEFAULTS.password)).status).toBe(302);
  });
});

describe('device authorization grant', () => {
  it('pending, slow_down, approval on the page, then the token; a second poll finds nothing', async () => {
    const started = body(await post('/device_authorization', { scope: 'api:read' }, basic));
    expect(started).toMatchObject({ verification_uri: `${ISSUER}/device`, interval: 1, expires_in: 600 });
    const poll = () => post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: String(started.device_code) }, basic);
    expect(body(await poll()).error).toBe('authorization_pending');
    expect(body(await poll()).error).toBe('slow_down');
    expect((await get('/device', `user_code=${started.user_code}`)).html).toMatch(/value="[A-Z]{4}-[A-Z]{4}"/);
    const approved = await submit('/device', '', {
      user_code: String(started.user_code).toLowerCase(),
      username: DEV_DEFAULTS.username,
      password: DEV_DEFAULTS.password,
      action: 'approve',
    });
    expect(approved.html).toMatch(/Device connected/);
    clock += 10;
    const token = await poll();
    expect(body(token)).toMatchObject({ token_type: 'Bearer', scope: 'api:read' });
    expect(body(await poll()).error).toBe('invalid_grant');
  });

  it('denied, expired, unknown codes', async () => {
    const started = body(await post('/device_authorization', {}, basic));
    // Deny, like approve, is for a signed-in person only.
    const stranger = await submit('/device', '', { user_code: String(started.user_code), action: 'deny' });
    expect(stranger.status).toBe(401);
    await submit('/device', '', { user_code: String(started.user_code), action: 'deny', username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password });
    expect(
      body(await post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: String(started.device_code) }, basic)).error,
    ).toBe('access_denied');
    const late = body(await post('/device_authorization', {}, basic));
    clock += 601;
    expect(body(await post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: String(late.device_code) }, basic)).error).toBe(
      'expired_token',
    );
    expect((await submit('/device', '', { user_code: 'ZZZZ-ZZZZ', username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password })).status).toBe(400);
  });
});

describe('Keycloak realms, the Gooclaim token shape, JustGold ping and the development API', () => {
  it('a realm is an issuer of its own with Keycloak paths; its tokens work on the root API', async () => {
    const discovery = body(await get('/realms/acme/.well-known/openid-configuration'));
    expect(discovery).toMatchObject({
      issuer: `${ISSUER}/realms/acme`,
      token_endpoint: `${ISSUER}/realms/acme/protocol/openid-connect/token`,
      jwks_uri: `${ISSUER}/realms/acme/protocol/openid-connect/certs`,
    });
    const answer = body(
      await post(
        '/realms/acme/protocol/openid-connect/token',
        { grant_type: 'password', username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password },
        basic,
      ),
    );
    // 300 s, as Keycloak by default and the compliance service's document (the keycloak policy's limit)
    expect(answer.expires_in).toBe(300);
    const token = String(answer.access_token);
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).iss).toBe(`${ISSUER}/realms/acme`);
    const api = await get('/compliance/v1/reports', '', { authorization: `Bearer ${token}` });
    expect(body(api)).toMatchObject({ path: '/compliance/v1/reports', sub: DEV_DEFAULTS.username });
    expect((await get('/api', '', { authorization: 'Bearer not-ours' })).status).toBe(401);
    expect((await get('/realms/nowhere/.well-known/openid-configuration')).status).toBe(404);
  });

  it('Gooclaim tokens are RS256, aud gooclaim-api, with a tenant_id', async () => {
    const reply = await server.handle({
      method: 'POST',
      path: '/v1/auth/token',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: DEV_DEFAULTS.clientId, client_secret: DEV_DEFAULTS.clientSecret }),
    });
    const [header, payload] = String(body(reply).access_token)
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    expect([header.alg, payload.aud, payload.tenant_id]).toEqual(['RS256', 'gooclaim-api', 'dev-tenant']);
  });

  it('JustGold ping: a partner-signed token passes once; a replay, a stranger and a bad audience are refused with the document codes', async () => {
    const mint = (claims: Record<string, unknown>) =>
      new SignJWT({ iss: 'partner-123', sub: 'user-1', aud: 'justgold-api', jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuedAt(clock)
        .setExpirationTime(clock + 600)
        .sign(partner.privateKey);
    const ping = (token: string) => get('/v1/ping', '', { authorization: `Bearer ${token}` });
    const token = await mint({});
    expect(body(await ping(token))).toEqual({ status: 'ok', partner: 'partner-123' });
    expect(body(await ping(token)).error).toBe('replayed_token');
    expect(body(await ping(await mint({ iss: 'stranger' }))).error).toBe('invalid_issuer');
    expect(body(await ping(await mint({ aud: 'elsewhere' }))).error).toBe('invalid_audience');
    const expired = await new SignJWT({ iss: 'partner-123', sub: 'u', aud: 'justgold-api', jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt(clock - 7200)
      .setExpirationTime(clock - 3600)
      .sign(partner.privateKey);
    expect(body(await ping(expired)).error).toBe('expired_token');
    expect((await get('/v1/ping')).status).toBe(401);
  });
});
