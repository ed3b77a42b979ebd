// The development server's well-known credentials (printed by `serve --help`, so dependency-free).

export const DEV_DEFAULTS = {
  clientId: 'dev-client',
  clientSecret: 'dev-client-secret',
  apiKey: 'dev-api-key',
  username: 'alice',
  password: 'alice-password',
  hmacSecret: 'dev-hmac-secret-0123456789abcdef-0123',
} as const;

/**
 * The development clients of the README's five recipes, which plain `authctl serve` knows too:
 * public values, like the ones above, served on loopback only.
 */
export const RECIPE_CLIENTS = {
  gooclaim: { clientId: 'svc-client', clientSecret: 'gooclaim-client-secret-0123456789', tenantId: 'tenant-42', scopes: ['workflow:read', 'audit:read'] },
  keycloak: { clientId: 'compliance-cli', clientSecret: 'kc-client-secret-0123456789' },
  webmethods: { clientId: 'app-7f3a', apiKey: 'webmethods-api-key-0123456789' },
  justgold: { partnerId: 'partner-123' },
} as const;
