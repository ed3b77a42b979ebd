// The closed vocabularies of the config file. Dependency-free on purpose: help texts and option
// choices import them, and `authctl --help` must not load the TOML parser (src/core/config.ts).

/** Seconds an HTTP request may take, for every command that makes one (--timeout changes it). */
export const DEFAULT_TIMEOUT_SECONDS = 15;

/** RFC 9126 pushed authorization requests: when the server requires them (auto), or always. */
export const PAR_MODES = ['auto', 'always'] as const;

export const GRANTS = ['client_credentials', 'password', 'refresh_token', 'jwt_bearer', 'authorization_code', 'device_code'] as const;
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'none',
  'api_key',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
export const BODY_FORMATS = ['form', 'json'] as const;
export const INTROSPECTION_STYLES = ['rfc7662', 'bearer-json'] as const;
export const CREDENTIAL_STORES = ['keychain', 'file'] as const;
/** Where cached access tokens live: files under the cache directory (default), the credential store, or nowhere. */
export const TOKEN_CACHE_MODES = ['file', 'keychain', 'off'] as const;
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
