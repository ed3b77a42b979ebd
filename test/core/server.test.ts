import { beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, jwtVerify, createLocalJWKSet, decodeJwt, type JWK } from 'jose';
import { AuthorizationServer, type ServerReply } from '../../src/core/server/authorization-server.js';
import { defaultServerSettings, parseServerSettings, plainServerSettings, type ServerSettings } from '../../src/core/server/settings.js';
import { DEV_DEFAULTS, RECIPE_CLIENTS } from '../../src/core/server/defaults.js';
import { basicAuthorization } from '../../src/core/oauth/token.js';
import type { AuthctlError } from '../../src/errors.js';

const ISSUER = 'http://127.0.0.1:8400';
const T0 = 1_800_000_000;
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let clock: number;
let counter: number;
let server: AuthorizationServer;

async function makeServer(settings: ServerSettings): Promise<AuthorizationServer> {
  const publicJwk: JWK = { ...(await exportJWK(signer.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const clientJwk: JWK = { ...(await exportJWK(client.publicKey)), kid: 'c1', alg: 'ES256' };
  return new AuthorizationServer({
    issuer: ISSUER,
    settings,
    signingKeys: [{ key: signer.privateKey, kid: 'k1', alg: 'ES256', publicJwk }],
    clientKeys: async (id: string) => (id === 'keyed' ? { keys: [clientJwk] } : undefined),
    now: () => clock,
    newId: () => `id-${++counter}`,
  });
}

function settings(): ServerSettings {
  const base = defaultServerSettings();
  base.clients.push(
    {
      client_id: 'keyed',
      auth: ['private_key_jwt'],
      grants: ['client_credentials', 'jwt_bearer'],
      scopes: ['api:read'],
      public_keys: ['unused'],
      redirect_uris: [],
      token_format: 'opaque',
      claims: { tenant_id: 't-1' },
    },
    { client_id: 'public', auth: ['none'], grants: ['password'], scopes: [], public_keys: [], redirect_uris: [], token_format: 'jwt', claims: {} },
  );
  return base;
}

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  path: '/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const basic = { authorization: basicAuthorization(DEV_DEFAULTS.clientId, DEV_DEFAULTS.clientSecret) };
const body = (reply: ServerReply) => reply.body as Record<string, unknown>;

async function assertion(claims: Record<string, unknown>, aud = `${ISSUER}/token`): Promise<string> {
  return new SignJWT({ jti: `jti-${++counter}`, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'c1' })
    .setAudience(aud)
    .setIssuedAt(clock)
    .setExpirationTime(clock + 60)
    .sign(client.privateKey);
}
const clientAssertion = async (jwt?: string) => ({
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: jwt ?? (await assertion({ iss: 'keyed', sub: 'keyed' })),
});

beforeEach(async () => {
  clock = T0;
  counter = 0;
  server = await makeServer(settings());
});

describe('RFC 6749 errors for bad requests', () => {
  const cases: [string, () => Promise<ReturnType<typeof form>>, number, string][] = [
    ['unknown client', async () => form({ grant_type: 'client_credentials' }, { authorization: basicAuthorization('nobody', 'x') }), 401, 'invalid_client'],
    [
      'wrong secret (Basic)',
      async () => form({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(DEV_DEFAULTS.clientId, 'wrong') }),
      401,
      'invalid_client',
    ],
    [
      'wrong secret (post)',
      async () => form({ grant_type: 'client_credentials', client_id: DEV_DEFAULTS.clientId, client_secret: 'wrong' }),
      401,
      'invalid_client',
    ],
    ['no client authentication', async () => form({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
    [
      'two authentication methods',
      async () => form({ grant_type: 'client_credentials', client_id: DEV_DEFAULTS.clientId, client_secret: DEV_DEFAULTS.clientSecret }, basic),
      400,
      'invalid_request',
    ],
    ['unsupported grant', async () => form({ grant_type: 'implicit' }, basic), 400, 'unsupported_grant_type'],
    ['authorization code that was never issued', async () => form({ grant_type: 'authorization_code', code: 'nope' }, basic), 400, 'invalid_grant'],
    ['missing grant_type', async () => form({}, basic), 400, 'invalid_request'],
    [
      'grant not allowed for the client',
      async () => form({ grant_type: 'password', username: 'alice', password: 'alice-password', ...(await clientAssertion()) }),
      400,
      'unauthorized_client',
    ],
    ['scope not allowed', async () => form({ grant_type: 'client_credentials', scope: 'admin' }, basic), 400, 'invalid_scope'],
    ['unknown audience', async () => form({ grant_type: 'client_credentials', audience: 'https://elsewhere' }, basic), 400, 'invalid_target'],
    ['wrong password', async () => form({ grant_type: 'password', username: 'alice', password: 'nope' }, basic), 400, 'invalid_grant'],
    ['unknown refresh token', async () => form({ grant_type: 'refresh_token', refresh_token: 'nope' }, basic), 400, 'invalid_grant'],
    ['repeated parameter', async () => ({ ...form({}, basic), body: 'grant_type=client_credentials&grant_type=password' }), 400, 'invalid_request'],
    [
      'client assertion with a wrong audience',
      async () => form({ grant_type: 'client_credentials', ...(await clientAssertion(await assertion({ iss: 'keyed', sub: 'keyed' }, 'https://other'))) }),
      401,
      'invalid_client',
    ],
    [
      'client assertion from an unknown issuer',
      async () => form({ grant_type: 'client_credentials', ...(await clientAssertion(await assertion({ iss: 'stranger', sub: 'stranger' }))) }),
      401,
      'invalid_client',
    ],
  ];
  it.each(cases)('%s', async (_name, request, status, error) => {
    const reply = await server.handle(await request());
    expect(reply.status).toBe(status);
    expect(body(reply).error).toBe(error);
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('a malformed body: JSON sent to the form endpoint', async () => {
    const reply = await server.handle({
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/json', ...basic },
      body: '{"grant_type":"client_credentials"}',
    });
    expect([reply.status, body(reply).error]).toEqual([400, 'invalid_request']);
  });

  it('Basic failures carry WWW-Authenticate (RFC 6749 §5.2)', async () => {
    const reply = await server.handle(form({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(DEV_DEFAULTS.clientId, 'wrong') }));
    expect(reply.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('a replayed client assertion is refused the second time', async () => {
    const jwt = await assertion({ iss: 'keyed', sub: 'keyed' });
    expect((await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion(jwt)) }))).status).toBe(200);
    const replay = await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion(jwt)) }));
    expect([replay.status, body(replay).error, body(replay).error_description]).toEqual([
      401,
      'invalid_client',
      'the assertion was already used (replayed jti)',
    ]);
  });

  it('a client assertion that expires more than 10 minutes ahead is refused; one at 10 minutes passes', async () => {
    const lasting = (seconds: number) =>
      new SignJWT({ jti: `jti-${++counter}`, iss: 'keyed', sub: 'keyed' })
        .setProtectedHeader({ alg: 'ES256', kid: 'c1' })
        .setAudience(`${ISSUER}/token`)
        .setIssuedAt(clock)
        .setExpirationTime(clock + seconds)
        .sign(client.privateKey);
    const far = await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion(await lasting(24 * 3600))) }));
    expect([far.status, body(far).error, body(far).error_description]).toEqual([401, 'invalid_client', expect.stringMatching(/more than 10 minutes/)]);
    expect((await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion(await lasting(600))) }))).status).toBe(200);
  });

  it('the wrong method on an endpoint is 405 with Allow', async () => {
    const reply = await server.handle({ method: 'GET', path: '/token', headers: {}, body: '' });
    expect([reply.status, reply.headers.allow]).toEqual([405, 'POST']);
  });
});

describe('tokens', () => {
  it('client_credentials gives an RFC 9068 JWT that verifies with the JWKS', async () => {
    const reply = await server.handle(form({ grant_type: 'client_credentials', scope: 'api:read' }, basic));
    expect(reply.status).toBe(200);
    expect(body(reply)).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'api:read' });
    expect(body(reply).refresh_token).toBeUndefined();
    const jwks = body(await server.handle({ method: 'GET', path: '/jwks', headers: {}, body: '' }));
    const { payload, protectedHeader } = await jwtVerify(String(body(reply).access_token), createLocalJWKSet(jwks as never), {
      issuer: ISSUER,
      audience: 'authctl-dev-api',
      currentDate: new Date(T0 * 1000),
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: DEV_DEFAULTS.clientId, client_id: DEV_DEFAULTS.clientId, scope: 'api:read', iat: T0, exp: T0 + 3600 });
  });

  it('password grant with a refresh token that rotates: each works once', async () => {
    const first = body(await server.handle(form({ grant_type: 'password', username: 'alice', password: 'alice-password' }, basic)));
    expect(decodeJwt(String(first.access_token)).sub).toBe('alice');
    const second = await server.handle(form({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) }, basic));
    expect(second.status).toBe(200);
    expect(body(second).refresh_token).not.toBe(first.refresh_token);
    const again = await server.handle(form({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) }, basic));
    expect(body(again).error).toBe('invalid_grant');
  });

  it('a public client authenticates with client_id alone (auth "none")', async () => {
    const reply = await server.handle(form({ grant_type: 'password', client_id: 'public', username: 'alice', password: 'alice-password' }));
    expect(reply.status).toBe(200);
  });

  it('RFC 7523 JWT bearer grant: the assertion subject becomes the token subject', async () => {
    const reply = await server.handle(
      form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await assertion({ iss: 'keyed', sub: 'user-7' }, ISSUER) }),
    );
    expect(reply.status).toBe(200);
    const introspected = body(await server.handle({ ...form({ token: String(body(reply).access_token), ...(await clientAssertion()) }), path: '/introspect' }));
    expect(introspected).toMatchObject({ active: true, sub: 'user-7', client_id: 'keyed', tenant_id: 't-1' });
  });
});

describe('introspection and revocation', () => {
  const introspect = async (token: string) => body(await server.handle({ ...form({ token }, basic), path: '/introspect' }));

  it('JWT: active, then inactive after revocation; expired is inactive', async () => {
    const token = String(body(await server.handle(form({ grant_type: 'client_credentials' }, basic))).access_token);
    expect(await introspect(token)).toMatchObject({ active: true, client_id: DEV_DEFAULTS.clientId, token_type: 'Bearer' });
    expect((await server.handle({ ...form({ token }, basic), path: '/revoke' })).status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
    const other = String(body(await server.handle(form({ grant_type: 'client_credentials' }, basic))).access_token);
    clock += 3601 + 60;
    expect(await introspect(other)).toEqual({ active: false });
  });

  it('opaque tokens: active with their claims, inactive after revocation; another client may not revoke them', async () => {
    const token = String(body(await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion()) }))).access_token);
    expect(token).toMatch(/^id-/);
    expect(await introspect(token)).toMatchObject({ active: true, client_id: 'keyed', tenant_id: 't-1', exp: T0 + 3600 });
    const foreign = await server.handle({ ...form({ token }, basic), path: '/revoke' });
    expect(body(foreign).error).toBe('unauthorized_client');
    expect((await server.handle({ ...form({ token, ...(await clientAssertion()) }), path: '/revoke' })).status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('one expiry rule for opaque tokens and JWTs: active until the second before exp, inactive at exp', async () => {
    const jwt = String(body(await server.handle(form({ grant_type: 'client_credentials' }, basic))).access_token);
    const opaque = String(body(await server.handle(form({ grant_type: 'client_credentials', ...(await clientAssertion()) }))).access_token);
    clock = T0 + 3599;
    expect([(await introspect(jwt)).active, (await introspect(opaque)).active]).toEqual([true, true]);
    clock = T0 + 3600;
    expect([(await introspect(jwt)).active, (await introspect(opaque)).active]).toEqual([false, false]);
  });

  it('revoking an unknown token is not an error (RFC 7009 §2.2); introspection needs a client', async () => {
    expect((await server.handle({ ...form({ token: 'never-issued' }, basic), path: '/revoke' })).status).toBe(200);
    expect(body(await server.handle({ ...form({ token: 'x' }), path: '/introspect' })).error).toBe('invalid_client');
  });
});

describe('provider variants', () => {
  it('Gooclaim: JSON token body, then Bearer + JSON introspection', async () => {
    const json = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
      server.handle({ method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
    const token = String(
      body(await json('/v1/auth/token', { grant_type: 'client_credentials', client_id: DEV_DEFAULTS.clientId, client_secret: DEV_DEFAULTS.clientSecret }))
        .access_token,
    );
    expect(body(await json('/v1/auth/introspect', { token }, { authorization: `Bearer ${token}` }))).toMatchObject({ active: true });
    expect((await json('/v1/auth/introspect', { token }, { authorization: 'Bearer junk' })).status).toBe(401);
    expect(body(await server.handle({ ...form({ grant_type: 'client_credentials' }, basic), path: '/v1/auth/token' })).error).toBe('invalid_request');
  });

  it('webMethods: a wrong API key is an empty 401; the right one returns {jwt} with the claimsSet', async () => {
    const call = (key: string) =>
      server.handle({
        method: 'POST',
        path: '/gateway/security/getJsonWebToken',
        headers: { 'x-gateway-apikey': key, 'content-type': 'application/json' },
        body: JSON.stringify({ claimsSet: { department: 'ops', sub: 'ignored' } }),
      });
    const refused = await call('wrong');
    expect([refused.status, refused.body]).toEqual([401, undefined]);
    const claims = decodeJwt(String(body(await call(DEV_DEFAULTS.apiKey)).jwt));
    expect(claims).toMatchObject({ department: 'ops', sub: DEV_DEFAULTS.clientId });
  });

  it('gamification: GET /v1/auth/verify checks HS256 with the shared secret and the required claims', async () => {
    const hs = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(DEV_DEFAULTS.hmacSecret));
    const verify = async (token: string) => server.handle({ method: 'GET', path: '/v1/auth/verify', headers: { authorization: `Bearer ${token}` }, body: '' });
    const good = await verify(await hs({ sub: 'player-1', iss: 'tenant', aud: 'app', iat: T0, exp: T0 + 600 }));
    expect([good.status, body(good)]).toEqual([200, { valid: true, sub: 'player-1', tenant: 'tenant', application: 'app' }]);
    const missing = await verify(await hs({ sub: 'player-1', iss: 'tenant', iat: T0, exp: T0 + 600 }));
    expect([missing.status, body(missing).error]).toEqual([401, 'missing_required_claim']);
    const expired = await verify(await hs({ sub: 'p', iss: 't', aud: 'a', iat: T0 - 7200, exp: T0 - 3600 }));
    expect(body(expired).error).toBe('token_expired');
    const forged = await verify(
      await new SignJWT({ sub: 'p', iss: 't', aud: 'a', iat: T0, exp: T0 + 60 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('another-secret-of-enough-length-000')),
    );
    expect(body(forged).error).toBe('invalid_signature');
  });

  it("JustGold: the portal's stand-in takes a partner's public PEM, and /v1/ping then accepts its tokens", async () => {
    const plain = await makeServer(plainServerSettings());
    const partner = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = (key: KeyObject, type: 'spki' | 'pkcs8') => key.export({ format: 'pem', type }) as string;
    const upload = (text: string, partnerId = 'partner-123', type = 'application/x-pem-file') =>
      plain.handle({ method: 'POST', path: '/portal/jwt-keys', query: `partner_id=${partnerId}`, headers: { 'content-type': type }, body: text });
    const ping = async () => {
      const token = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('partner-123')
        .setSubject('user-1')
        .setAudience('justgold-api')
        .setIssuedAt(clock)
        .setExpirationTime(clock + 300)
        .sign(partner.privateKey);
      return plain.handle({ method: 'GET', path: '/v1/ping', headers: { authorization: `Bearer ${token}` }, body: '' });
    };
    expect((await ping()).status).toBe(401); // no key yet
    // A page elsewhere cannot post it (a type a form cannot send), nor a private key, a weak key, or one for no partner.
    expect((await upload(pem(partner.publicKey, 'spki'), 'partner-123', 'text/plain')).status).toBe(415);
    expect(body(await upload(pem(partner.privateKey, 'pkcs8'))).message).toMatch(/private key: upload its public half/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(body(await upload(pem(weak.publicKey, 'spki'))).message).toMatch(/RSA of 2048 bits or more, or EC P-256/);
    expect((await upload(pem(partner.publicKey, 'spki'), 'svc-client')).status).toBe(404);
    expect((await upload('not a key')).status).toBe(400);
    const uploaded = await upload(pem(partner.publicKey, 'spki'));
    expect(uploaded.status).toBe(201);
    expect(body(uploaded)).toMatchObject({ partner_id: 'partner-123', kty: 'EC' });
    expect(await ping()).toMatchObject({ status: 200, body: { status: 'ok', partner: 'partner-123' } });
    const listed = await plain.handle({ method: 'GET', path: '/portal/jwt-keys', query: 'partner_id=partner-123', headers: {}, body: '' });
    expect((body(listed).keys as JWK[]).map((k) => k.kid)).toEqual([body(uploaded).kid]);
  });

  it('plain serve knows every recipe client (defaults.ts RECIPE_CLIENTS)', () => {
    const ids = plainServerSettings().clients.map((c) => c.client_id);
    expect(ids).toEqual([DEV_DEFAULTS.clientId, ...Object.values(RECIPE_CLIENTS).map((c) => ('clientId' in c ? c.clientId : c.partnerId))]);
  });

  it('token exchange (RFC 8693): a token of this server for a narrower scope, with act for an actor; refusals by code', async () => {
    const subject = body(await server.handle(form({ grant_type: 'client_credentials', scope: 'api:read api:write' }, basic))).access_token as string;
    const exchange = (fields: Record<string, string>) =>
      server.handle(
        form(
          { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', ...fields },
          basic,
        ),
      );
    const r = await exchange({ subject_token: subject, scope: 'api:read', actor_token: subject, actor_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
    expect(body(r)).toMatchObject({ issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'api:read', token_type: 'Bearer' });
    expect(body(r).refresh_token).toBeUndefined();
    expect(decodeJwt(body(r).access_token as string)).toMatchObject({ sub: DEV_DEFAULTS.clientId, scope: 'api:read', act: { sub: DEV_DEFAULTS.clientId } });
    const code = async (fields: Record<string, string>) => body(await exchange(fields)).error;
    expect(await code({ subject_token: subject, scope: 'api:admin' })).toBe('invalid_scope');
    expect(await code({ subject_token: 'not-ours' })).toBe('invalid_request');
    expect(await code({ subject_token: subject, subject_token_type: 'urn:x' })).toBe('invalid_request');
    expect(await code({ subject_token: subject, requested_token_type: 'urn:ietf:params:oauth:token-type:saml2' })).toBe('invalid_request');
    expect(await code({ subject_token: subject, audience: 'elsewhere' })).toBe('invalid_target');
    expect(await code({ subject_token: subject, actor_token: subject })).toBe('invalid_request'); // no actor_token_type
  });

  it('pushed authorization requests (RFC 9126): 201 with a request_uri, used once by /authorize; a bad push is refused', async () => {
    const push = (fields: Record<string, string>) => server.handle({ ...form(fields, basic), path: '/par' });
    const good = {
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/cb',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
      state: 's',
      scope: 'api:read',
    };
    const pushed = await push(good);
    expect(pushed.status).toBe(201);
    const uri = body(pushed).request_uri as string;
    expect(uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const page = () =>
      server.handle({
        method: 'GET',
        path: '/authorize',
        query: `client_id=${DEV_DEFAULTS.clientId}&request_uri=${encodeURIComponent(uri)}`,
        headers: {},
        body: '',
      });
    const shown = await page();
    expect([shown.status, shown.html]).toEqual([200, expect.stringContaining('value="http://127.0.0.1:9/cb"')]);
    expect((await page()).status).toBe(400);
    expect(body(await push({ ...good, scope: 'api:admin' })).error).toBe('invalid_scope');
    expect(body(await push({ ...good, request_uri: 'urn:x' })).error).toBe('invalid_request');
    expect(body(await push({ ...good, code_challenge_method: 'plain' })).error).toBeDefined();
    expect(server.metadata()).toMatchObject({ pushed_authorization_request_endpoint: `${ISSUER}/par`, require_pushed_authorization_requests: false });
  });

  it('metadata names every endpoint under the issuer', () => {
    expect(server.metadata()).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/jwks`,
      introspection_endpoint: `${ISSUER}/introspect`,
      revocation_endpoint: `${ISSUER}/revoke`,
    });
  });
});

describe('serve --settings files', () => {
  const codeOf = (text: string) => {
    try {
      parseServerSettings(text, 'serve.toml');
      return undefined;
    } catch (error) {
      return `${(error as AuthctlError).code}: ${(error as AuthctlError).message}`;
    }
  };

  it('defaults fill in what is not written', () => {
    const parsed = parseServerSettings('access_token_lifetime = "15m"\n[[clients]]\nclient_id = "ci"\nclient_secret = "s"\n', 'serve.toml');
    expect(parsed).toMatchObject({ access_token_lifetime: 900, refresh_token_lifetime: 86400, audiences: ['authctl-dev-api'], users: [] });
    expect(parsed.clients[0]).toMatchObject({ auth: ['client_secret_basic', 'client_secret_post'], grants: ['client_credentials'], token_format: 'jwt' });
  });

  it.each([
    ['nonsense = 1\n', 'serve.toml:1: unknown setting "nonsense"'],
    ['access_token_lifetime = "soon"\n', 'serve.toml:1: access_token_lifetime must be a duration'],
    ['[[clients]]\nclient_id = "x"\n', 'neither a client_secret nor public_keys'],
    ['[[clients]]\nclient_id = "x"\nauth = ["private_key_jwt"]\n', 'uses private_key_jwt but has no public_keys'],
    ['[[clients]]\nclient_id = "x"\nclient_secret = "s"\ngrants = ["implicit"]\n', '"implicit" is not one of'],
    ['[[clients]]\nclient_id = "x"\nclient_secret = "s"\n[[clients]]\nclient_id = "x"\nclient_secret = "t"\n', 'listed twice'],
    ['a = = 1\n', 'serve.toml:1: malformed TOML'],
  ])('%j is refused', (text, message) => {
    expect(codeOf(text)).toMatch(/^settings_invalid: /);
    expect(codeOf(text)).toContain(message);
  });
});
