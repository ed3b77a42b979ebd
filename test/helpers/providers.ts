import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateKeyPairSync, randomUUID, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, jwtVerify, errors } from 'jose';
import { json, startServer, type FixtureServer } from './server.js';

/**
 * One loopback server that follows each seed document's API exactly where the provider
 * deviates from the RFCs: Gooclaim (JSON token body, Bearer + JSON introspection, 429 with
 * Retry-After), the gamification verify endpoint, webMethods getJsonWebToken (API key +
 * claimsSet), a Keycloak realm (password + refresh, JWKS, introspection, revocation), and
 * JustGold's ping. Test secrets are fixed here; tests hand them to authctl through env or files.
 */
export const SEED = {
  gooclaim: { clientId: 'gc-client', clientSecret: 'gc-secret-0123456789', tenant: 'tenant-42' },
  gamification: { secret: 'gamification-api-secret-0123456789' },
  webmethods: { apiKey: 'wm-api-key-0123456789', appId: 'app-7f3a' },
  keycloak: { clientId: 'compliance-cli', clientSecret: 'kc-secret-0123456789', username: 'alice', password: 'alice-password' },
};

export interface ProviderFixture extends FixtureServer {
  /** Next N Gooclaim token requests get 429 with this Retry-After. */
  rateLimit: { remaining: number; retryAfter: string };
  tokenRequests: { path: string; contentType: string; body: string; headers: IncomingMessage['headers'] }[];
  justgoldPublicKey?: KeyObject;
  revoked: Set<string>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `profile add NAME` for the Gooclaim stand-in at `url`, its issuer pinned (the document requires it). */
export function addGooclaim(name: string, url: string): string[] {
  return [
    'profile',
    'add',
    name,
    '--provider',
    'gooclaim',
    '--base-url',
    `${url}/gooclaim`,
    '--client-id',
    SEED.gooclaim.clientId,
    '--expect-iss',
    `${url}/gooclaim`,
  ];
}

export async function startProviders(): Promise<ProviderFixture> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'fixture-rs256', alg: 'RS256', use: 'sig' };
  const gamifKey = new TextEncoder().encode(SEED.gamification.secret);
  const refreshTokens = new Map<string, string>();
  const state = {
    rateLimit: { remaining: 0, retryAfter: '1' },
    tokenRequests: [] as ProviderFixture['tokenRequests'],
    revoked: new Set<string>(),
    justgoldPublicKey: undefined as KeyObject | undefined,
  };
  let base = '';
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, lifetime: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'fixture-rs256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(now() + lifetime)
      .setJti(randomUUID())
      .sign(privateKey);
  const realm = () => `${base}/realms/acme`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const raw = req.method === 'POST' ? await body(req) : '';
    const contentType = String(req.headers['content-type'] ?? '');
    if (url.pathname.endsWith('/token') || url.pathname.endsWith('getJsonWebToken'))
      state.tokenRequests.push({ path: url.pathname, contentType, body: raw, headers: req.headers });

    // --- Gooclaim ---------------------------------------------------------------------------
    if (url.pathname === '/gooclaim/v1/auth/token' && req.method === 'POST') {
      if (state.rateLimit.remaining > 0) {
        state.rateLimit.remaining--;
        res.writeHead(429, { 'retry-after': state.rateLimit.retryAfter });
        return void res.end();
      }
      if (!contentType.startsWith('application/json')) return json(res, { error: 'invalid_request', error_description: 'JSON body required' }, {}, 400);
      const b = JSON.parse(raw || '{}');
      if (b.grant_type !== 'client_credentials') return json(res, { error: 'unsupported_grant_type' }, {}, 400);
      if (b.client_id !== SEED.gooclaim.clientId || b.client_secret !== SEED.gooclaim.clientSecret)
        return json(res, { error: 'invalid_client', error_description: 'unknown client or wrong secret' }, {}, 401);
      const scope = 'workflow:read audit:read';
      const token = await sign({ sub: b.client_id, tenant_id: SEED.gooclaim.tenant, scope, aud: 'gooclaim-api', iss: `${base}/gooclaim` }, 3600);
      return json(res, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope });
    }
    if (url.pathname === '/gooclaim/v1/auth/introspect' && req.method === 'POST') {
      const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      try {
        await jwtVerify(bearer, publicKey, { audience: 'gooclaim-api' });
      } catch {
        return json(res, { error: 'invalid_token' }, {}, 401);
      }
      const { token } = JSON.parse(raw || '{}');
      try {
        const { payload } = await jwtVerify(String(token), publicKey, { audience: 'gooclaim-api' });
        return json(res, { active: true, sub: payload.sub, tenant_id: payload.tenant_id, scope: payload.scope, exp: payload.exp });
      } catch {
        return json(res, { active: false });
      }
    }

    // --- gamification API -------------------------------------------------------------------
    if (url.pathname === '/gamif/v1/auth/verify' && req.method === 'GET') {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      try {
        const { payload } = await jwtVerify(token, gamifKey, { algorithms: ['HS256'] });
        for (const claim of ['sub', 'iss', 'aud', 'iat', 'exp'])
          if (!(claim in payload)) return json(res, { error: 'missing_required_claim', message: `claim ${claim} is required` }, {}, 401);
        return json(res, { valid: true, sub: payload.sub, tenant: payload.iss, application: payload.aud, scope: payload.scope });
      } catch (error) {
        const code =
          error instanceof errors.JWTExpired ? 'token_expired' : error instanceof errors.JWSSignatureVerificationFailed ? 'invalid_signature' : 'invalid_token';
        return json(res, { error: code, message: String((error as Error).message) }, {}, 401);
      }
    }

    // --- webMethods API Gateway ----------------------------------------------------------------
    if (url.pathname === '/gateway/security/getJsonWebToken' && req.method === 'POST') {
      if (req.headers['x-gateway-apikey'] !== SEED.webmethods.apiKey) {
        res.writeHead(401);
        return void res.end();
      }
      const { claimsSet } = JSON.parse(raw || '{}');
      const token = await sign({ ...claimsSet, sub: SEED.webmethods.appId, iss: 'webmethods-gateway', aud: `${SEED.webmethods.appId}-api` }, 1800);
      return json(res, { jwt: token });
    }

    // --- Keycloak realm -----------------------------------------------------------------------
    if (url.pathname === '/realms/acme/.well-known/openid-configuration') {
      return json(res, {
        issuer: realm(),
        token_endpoint: `${realm()}/protocol/openid-connect/token`,
        jwks_uri: `${realm()}/protocol/openid-connect/certs`,
        introspection_endpoint: `${realm()}/protocol/openid-connect/token/introspect`,
        revocation_endpoint: `${realm()}/protocol/openid-connect/revoke`,
      });
    }
    if (url.pathname === '/realms/acme/protocol/openid-connect/certs') return json(res, { keys: [publicJwk] });
    if (url.pathname.startsWith('/realms/acme/protocol/openid-connect/') && req.method === 'POST') {
      if (!contentType.startsWith('application/x-www-form-urlencoded')) return json(res, { error: 'invalid_request' }, {}, 400);
      const form = new URLSearchParams(raw);
      if (form.get('client_id') !== SEED.keycloak.clientId || form.get('client_secret') !== SEED.keycloak.clientSecret)
        return json(res, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' }, {}, 401);
      if (url.pathname.endsWith('/token/introspect')) {
        const token = form.get('token') ?? '';
        if (state.revoked.has(token)) return json(res, { active: false });
        try {
          const { payload } = await jwtVerify(token, publicKey, { issuer: realm() });
          return json(res, { active: true, ...payload, client_id: SEED.keycloak.clientId });
        } catch {
          return json(res, { active: false });
        }
      }
      if (url.pathname.endsWith('/revoke')) {
        state.revoked.add(form.get('token') ?? '');
        refreshTokens.delete(form.get('token') ?? '');
        res.writeHead(200);
        return void res.end();
      }
      const issue = async (username: string) => {
        const access = await sign(
          { iss: realm(), sub: `user-${username}`, preferred_username: username, azp: SEED.keycloak.clientId, scope: 'openid profile', typ: 'Bearer' },
          300,
        );
        const refresh = randomUUID();
        refreshTokens.set(refresh, username);
        return json(res, {
          access_token: access,
          expires_in: 300,
          refresh_expires_in: 1800,
          refresh_token: refresh,
          token_type: 'Bearer',
          scope: 'openid profile',
        });
      };
      if (form.get('grant_type') === 'password') {
        if (form.get('username') !== SEED.keycloak.username || form.get('password') !== SEED.keycloak.password)
          return json(res, { error: 'invalid_grant', error_description: 'Invalid user credentials' }, {}, 401);
        return issue(SEED.keycloak.username);
      }
      if (form.get('grant_type') === 'refresh_token') {
        const username = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!username) return json(res, { error: 'invalid_grant', error_description: 'Invalid refresh token' }, {}, 400);
        refreshTokens.delete(form.get('refresh_token') ?? ''); // rotated: a new one comes back
        return issue(username);
      }
      return json(res, { error: 'unsupported_grant_type' }, {}, 400);
    }

    // --- JustGold -----------------------------------------------------------------------------
    if (url.pathname === '/justgold/v1/ping' && req.method === 'GET') {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!state.justgoldPublicKey) return json(res, { error: 'invalid_token', message: 'no public key uploaded' }, {}, 401);
      try {
        await jwtVerify(token, state.justgoldPublicKey, { audience: 'justgold-api', algorithms: ['RS256', 'ES256'] });
        return json(res, { status: 'ok' });
      } catch (error) {
        const code =
          error instanceof errors.JWTExpired
            ? 'expired_token'
            : error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud'
              ? 'invalid_audience'
              : 'invalid_signature';
        return json(res, { error: code, message: 'Token expired or signature invalid', timestamp: now() }, {}, 401);
      }
    }
    json(res, { error: 'not_found' }, {}, 404);
  }

  const server = await startServer((req, res, b) => {
    base = b;
    handle(req, res).catch((error) => json(res, { error: 'fixture_error', message: String(error) }, {}, 500));
  });
  base = server.url;
  return Object.assign(server, state, { setJustgoldKey: (pem: string) => (state.justgoldPublicKey = createPublicKey(pem)) }) as ProviderFixture & {
    setJustgoldKey(pem: string): KeyObject;
  };
}
