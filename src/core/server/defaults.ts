// The development server's well-known credentials (printed by `serve --help`, so dependency-free).

export const DEV_DEFAULTS = {
  clientId: 'dev-client',
  clientSecret: 'dev-client-secret',
  apiKey: 'dev-api-key',
  username: 'alice',
  password: 'alice-password',
  hmacSecret: 'dev-hmac-secret-0123456789abcdef-0123',
} as const;
