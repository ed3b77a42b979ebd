import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

/**
 * The certified oidc-provider as the standards peer on 127.0.0.1: client_credentials,
 * refresh_token, introspection, revocation, JWT access tokens (for a resource indicator),
 * private_key_jwt, a password grant registered with registerGrantType, PAR, the device flow, and
 * DPoP with nonces (its userinfo endpoint, /me, is a resource that checks every proof).
 */
export const PEER = {
  basic: { clientId: 'peer-basic', clientSecret: 'peer-basic-secret-0123456789abcdef' },
  post: { clientId: 'peer-post', clientSecret: 'peer-post-secret-0123456789abcdef' },
  pkjwt: { clientId: 'peer-pkjwt' },
  /** A native public client for the sign-in flows: PKCE, loopback redirects on any port (RFC 8252), the device flow. */
  native: { clientId: 'peer-native' },
  user: { username: 'bob', password: 'bob-password' },
  resource: 'https://api.example.test',
};

export interface Peer {
  issuer: string;
  /**
   * An opaque client_credentials access token of the basic client, issued and stored by
   * oidc-provider itself, with the value given (so a test can pin one that begins with "-",
   * which random tokens do one time in 64).
   */
  issueOpaque(value: string): Promise<string>;
  close(): Promise<void>;
}

export async function startPeer(clientPublicJwk: JWK): Promise<Peer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signing = { ...(await exportJWK(privateKey)), kid: 'peer-rs256', alg: 'RS256', use: 'sig' };

  const common = { redirect_uris: [], response_types: [], grant_types: ['client_credentials', 'password', 'refresh_token'] };
  const provider = new Provider(issuer, {
    clients: [
      { ...common, client_id: PEER.basic.clientId, client_secret: PEER.basic.clientSecret, token_endpoint_auth_method: 'client_secret_basic' },
      { ...common, client_id: PEER.post.clientId, client_secret: PEER.post.clientSecret, token_endpoint_auth_method: 'client_secret_post' },
      { ...common, client_id: PEER.pkjwt.clientId, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [clientPublicJwk] } },
      {
        client_id: PEER.native.clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      },
    ],
    jwks: { keys: [signing] },
    scopes: ['openid', 'offline_access', 'api:read'],
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    features: {
      // The built-in login and consent pages: a scripted user agent fills them in (test/helpers/user-agent.mjs).
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      // RFC 9449 with server nonces (every DPoP request must carry the one it hands out).
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      pushedAuthorizationRequests: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => ({
          scope: 'api:read',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { AccessToken: 300, ClientCredentials: 600, RefreshToken: 3600, Grant: 3600 },
  } as never);

  provider.registerGrantType(
    'password',
    async (ctx: any) => {
      const { username, password } = ctx.oidc.params;
      if (username !== PEER.user.username || password !== PEER.user.password) throw new errors.InvalidGrant('invalid resource owner credentials');
      const { client } = ctx.oidc;
      const grant = new ctx.oidc.provider.Grant({ accountId: username, clientId: client.clientId });
      grant.addOIDCScope('openid offline_access');
      const grantId = await grant.save();
      const accessToken = new ctx.oidc.provider.AccessToken({ accountId: username, client, grantId, scope: 'openid offline_access', gty: 'password' });
      const refreshToken = new ctx.oidc.provider.RefreshToken({ accountId: username, client, grantId, scope: 'openid offline_access', gty: 'password' });
      ctx.body = {
        access_token: await accessToken.save(),
        expires_in: accessToken.expiration,
        token_type: 'Bearer',
        refresh_token: await refreshToken.save(),
        scope: 'openid offline_access',
      };
    },
    ['username', 'password', 'scope'],
  );
  server.on('request', provider.callback());
  return {
    issuer,
    async issueOpaque(value) {
      const client = await (provider as any).Client.find(PEER.basic.clientId);
      const token = new (provider as any).ClientCredentials({ client, jti: value, scope: 'api:read' });
      token.format = 'opaque'; // set by oidc-provider only when it generates the value itself
      return token.save();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
