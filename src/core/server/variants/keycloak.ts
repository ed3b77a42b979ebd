import { ROUTES, type Routes } from '../protocol.js';

/**
 * Keycloak's paths under `/realms/NAME` (the compliance service's document): each realm is an
 * issuer of its own, `<issuer>/realms/NAME`, with its own discovery document, token, certs,
 * introspection, revocation, sign-in and device endpoints.
 */
export const KEYCLOAK_ROUTES: Routes = {
  ...ROUTES,
  openidConfiguration: '/.well-known/openid-configuration',
  authorizationServer: '/.well-known/oauth-authorization-server',
  jwks: '/protocol/openid-connect/certs',
  token: '/protocol/openid-connect/token',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  authorization: '/protocol/openid-connect/auth',
  pushedAuthorizationRequest: '/protocol/openid-connect/ext/par/request',
  deviceAuthorization: '/protocol/openid-connect/auth/device',
  device: '/protocol/openid-connect/device',
};

/** Keycloak's default access token lifespan, and what the compliance service's document says (`expires_in` 300). */
export const KEYCLOAK_ACCESS_TOKEN_LIFETIME = 300;

/** `/realms/NAME/rest` as the realm's name and the path inside it. */
export function realmPath(path: string): { realm: string; path: string } | undefined {
  const m = /^\/realms\/([A-Za-z0-9._-]+)(\/.*)$/.exec(path);
  return m ? { realm: m[1]!, path: m[2]! } : undefined;
}
