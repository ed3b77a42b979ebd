import type { Profile } from './config.js';
import type { CredentialKind } from './credentials.js';

/**
 * Profile templates for the provider flows in shared/seeds, plus generic OAuth 2.0. `profile
 * add --provider NAME --base-url URL` fills the endpoints from these; everything stays editable.
 */
export interface ProviderTemplate {
  description: string;
  /** The profile for a server at `base`: the issuer for templates built on discovery (`fromIssuer`), else the base URL. */
  build(base: string | undefined): Profile;
  /** Built from `--issuer` when given (the server's discovery fills the rest), not from `--base-url`, the API's. */
  fromIssuer?: boolean;
  /** Why `verify` refuses a profile of this provider that pins no issuer (the document asks for the check). */
  pinsIssuer?: string;
  /** Set when the provider's document publishes no keys to verify its tokens with: how to check one instead. */
  noPublishedKeys?: string;
  /** The secret a profile of this provider needs, for the hint after `profile add`. */
  secret?: CredentialKind;
}

const join = (base: string | undefined, path: string) => (base ? `${base.replace(/\/+$/, '')}${path}` : undefined);
const defined = (profile: Profile): Profile => Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined)) as Profile;

export const PROVIDERS: Readonly<Record<string, ProviderTemplate>> = {
  oauth2: {
    description: 'generic OAuth 2.0 / OpenID Connect server (RFC 6749, 7662, 7009, 8414)',
    build: (base) => defined({ provider: 'oauth2', issuer: base, grant: 'client_credentials', client_auth: 'client_secret_basic', body_format: 'form' }),
    fromIssuer: true,
    secret: 'client_secret',
  },
  gooclaim: {
    description: 'Gooclaim: client_credentials with a JSON body, Bearer + JSON introspection, RS256',
    build: (base) =>
      defined({
        provider: 'gooclaim',
        base_url: base,
        token_url: join(base, '/v1/auth/token'),
        introspection_url: join(base, '/v1/auth/introspect'),
        introspection_style: 'bearer-json',
        grant: 'client_credentials',
        client_auth: 'client_secret_post',
        body_format: 'json',
        policy: { preset: 'gooclaim' },
      }),
    pinsIssuer: 'the Gooclaim document says to always verify the iss claim (it does not name the value: pin the one your tenant sees)',
    noPublishedKeys: 'the Gooclaim document publishes no signing keys and offers introspection instead: authctl introspect --profile NAME TOKEN',
    secret: 'client_secret',
  },
  gamification: {
    description: 'gamification API: HS256 tokens minted with the API secret, GET /v1/auth/verify',
    build: (base) =>
      defined({
        provider: 'gamification',
        base_url: base,
        verify_url: join(base, '/v1/auth/verify'),
        alg: 'HS256',
        mint: { exp: '1h', scope_format: 'array' },
        policy: { preset: 'gamification' },
      }),
    secret: 'hmac_secret',
  },
  webmethods: {
    description: 'webMethods API Gateway: getJsonWebToken with the application API key and a claimsSet',
    build: (base) =>
      defined({
        provider: 'webmethods',
        base_url: base,
        token_url: join(base, '/gateway/security/getJsonWebToken'),
        client_auth: 'api_key',
        api_key_header: 'x-Gateway-APIKey',
        body_format: 'json',
        extra_body: { claimsSet: {} },
        policy: { preset: 'webmethods' },
      }),
    secret: 'api_key',
  },
  keycloak: {
    description: 'Keycloak realm: password grant with client id and secret (form), refresh, JWKS',
    build: (base) =>
      defined({
        provider: 'keycloak',
        // The realm's discovery document fills the endpoints (token, certs, introspection,
        // revocation, sign-in, device): nothing is guessed from Keycloak's path conventions.
        issuer: base,
        grant: 'password',
        client_auth: 'client_secret_post',
        body_format: 'form',
        policy: base ? { preset: 'keycloak', issuer: base } : { preset: 'keycloak' },
      }),
    fromIssuer: true,
    secret: 'client_secret',
  },
  justgold: {
    description: 'JustGold: partner-signed RS256/ES256 tokens (aud justgold-api, UUID jti, <= 1 h), GET /v1/ping',
    build: (base) =>
      defined({
        provider: 'justgold',
        base_url: base,
        health_url: join(base, '/v1/ping'),
        alg: 'RS256',
        mint: { aud: 'justgold-api', exp: '1h', jti: 'auto' },
        policy: { preset: 'justgold' },
      }),
  },
};
