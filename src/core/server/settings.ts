import { parse as parseToml, TomlError } from 'smol-toml';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../duration.js';
import { lineOf } from '../config.js';
import { DEV_DEFAULTS, RECIPE_CLIENTS } from './defaults.js';

const SERVER_GRANTS = ['client_credentials', 'password', 'refresh_token', 'jwt_bearer', 'authorization_code', 'device_code', 'token_exchange'] as const;
const SERVER_CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type ServerGrant = (typeof SERVER_GRANTS)[number];
export type ServerClientAuth = (typeof SERVER_CLIENT_AUTH)[number];

/** A client the development server knows. Its secrets live in the server's own settings file. */
export interface ServerClient {
  client_id: string;
  client_secret?: string;
  /** Accepted authentication methods; default: the secret methods when it has a secret, private_key_jwt when it has keys. */
  auth: ServerClientAuth[];
  grants: ServerGrant[];
  /** Scopes it may ask for; the default grant is all of them. */
  scopes: string[];
  /** Public keys for private_key_jwt and RFC 7523 assertions (file paths, read at the edge). */
  public_keys: string[];
  /** Exact redirect URIs for the authorization code grant; none: any loopback URI (RFC 8252 §7.3). */
  redirect_uris: string[];
  /** The webMethods-style API key for `POST /gateway/security/getJsonWebToken`. */
  api_key?: string;
  /** `jwt` (RFC 9068) or `opaque` access tokens. */
  token_format: 'jwt' | 'opaque';
  /** Extra claims in its access tokens, e.g. `tenant_id` for Gooclaim-style tokens. */
  claims: Record<string, unknown>;
  /** RFC 9449 §5.2: its access tokens are always DPoP-bound (a token request without a proof is refused). */
  dpop_bound_access_tokens?: boolean;
}

export interface ServerUser {
  username: string;
  password: string;
  claims: Record<string, unknown>;
}

export interface ServerSettings {
  /** Fixed issuer URL; default: the address it listens on. */
  issuer?: string;
  access_token_lifetime: number;
  refresh_token_lifetime: number;
  /** Audiences a client may ask for (`audience`, `resource`); the first is the default `aud`. */
  audiences: string[];
  /** Signing keys (private key files from `authctl keygen`); generated at start when empty. */
  keys: string[];
  /** Shared secret for HS256 tokens checked by `GET /v1/auth/verify` (the gamification variant). */
  hmac_secret?: string;
  clients: ServerClient[];
  users: ServerUser[];
  /** Keycloak-style realms served under `/realms/NAME`, each its own issuer. */
  realms: string[];
  /** RFC 9126 §5: sign-ins must push their authorization request first. */
  require_pushed_authorization_requests: boolean;
  /** RFC 9449 §8, §9: DPoP proofs must carry a nonce the server gave out (token endpoint and API). */
  dpop_nonce: boolean;
}

/**
 * The settings with no file at all: one confidential client, one user, loopback only. These
 * values are public on purpose (they are in `authctl serve --help`); the edge refuses to serve
 * them on a non-loopback address.
 */

export function defaultServerSettings(): ServerSettings {
  return {
    access_token_lifetime: 3600,
    refresh_token_lifetime: 86400,
    audiences: ['authctl-dev-api'],
    keys: [],
    hmac_secret: DEV_DEFAULTS.hmacSecret,
    clients: [
      {
        client_id: DEV_DEFAULTS.clientId,
        client_secret: DEV_DEFAULTS.clientSecret,
        auth: ['client_secret_basic', 'client_secret_post'],
        grants: ['client_credentials', 'password', 'refresh_token', 'authorization_code', 'device_code', 'token_exchange'],
        scopes: ['api:read', 'api:write'],
        public_keys: [],
        redirect_uris: [],
        api_key: DEV_DEFAULTS.apiKey,
        token_format: 'jwt',
        claims: {},
      },
    ],
    users: [{ username: DEV_DEFAULTS.username, password: DEV_DEFAULTS.password, claims: {} }],
    realms: ['acme'],
    require_pushed_authorization_requests: false,
    dpop_nonce: false,
  };
}

/** With no settings file, the README's recipes' clients too (defaults.ts RECIPE_CLIENTS). */
export function plainServerSettings(): ServerSettings {
  const settings = defaultServerSettings();
  const { gooclaim, keycloak, webmethods, justgold } = RECIPE_CLIENTS;
  const client = (fields: Partial<ServerClient> & Pick<ServerClient, 'client_id' | 'auth' | 'grants'>): ServerClient => ({
    scopes: [],
    public_keys: [],
    redirect_uris: [],
    token_format: 'jwt',
    claims: {},
    ...fields,
  });
  settings.clients.push(
    client({
      client_id: gooclaim.clientId,
      client_secret: gooclaim.clientSecret,
      auth: ['client_secret_basic', 'client_secret_post'],
      grants: ['client_credentials'],
      scopes: [...gooclaim.scopes],
      claims: { tenant_id: gooclaim.tenantId },
    }),
    client({
      client_id: keycloak.clientId,
      client_secret: keycloak.clientSecret,
      auth: ['client_secret_basic', 'client_secret_post'],
      grants: ['password', 'refresh_token', 'authorization_code', 'device_code'],
    }),
    client({ client_id: webmethods.clientId, auth: ['none'], grants: ['client_credentials'], api_key: webmethods.apiKey }),
    // A partner's keys are uploaded while the server runs (POST /portal/jwt-keys, the partner portal's stand-in).
    client({ client_id: justgold.partnerId, auth: ['private_key_jwt'], grants: ['client_credentials'] }),
  );
  return settings;
}

type Raw = Record<string, unknown>;

/**
 * Parses a `serve --settings` TOML file. Unknown keys and wrong types are `settings_invalid`
 * (exit 2) naming the file and line. Relative key paths stay as written; the edge resolves
 * them against the file's directory.
 *
 * @example parseServerSettings('[[clients]]\nclient_id = "ci"\nclient_secret = "s"\n', 'serve.toml').clients[0].auth
 * // ['client_secret_basic', 'client_secret_post']
 */
export function parseServerSettings(text: string, file: string): ServerSettings {
  const fail = (message: string, key?: string): never => {
    const line = key ? lineOf(text, undefined, key) : undefined;
    throw new UsageError('settings_invalid', `${line ? `${file}:${line}` : file}: ${message}`);
  };
  let raw: Raw;
  try {
    raw = parseToml(text) as Raw;
  } catch (error) {
    if (error instanceof TomlError)
      throw new UsageError(
        'settings_invalid',
        `${file}:${error.line}: malformed TOML: ${error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`,
      );
    throw error;
  }
  const known = [
    'issuer',
    'access_token_lifetime',
    'refresh_token_lifetime',
    'audiences',
    'keys',
    'hmac_secret',
    'clients',
    'users',
    'realms',
    'require_pushed_authorization_requests',
    'dpop_nonce',
  ];
  for (const key of Object.keys(raw)) if (!known.includes(key)) fail(`unknown setting "${key}" (known: ${known.join(', ')})`, key);

  const str = (value: unknown, key: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !value) fail(`${key} must be a non-empty string`, key);
    return value as string;
  };
  const strList = (value: unknown, key: string, allowed?: readonly string[]): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(`${key} must be a list of strings`, key);
    const list = value as string[];
    const bad = allowed && list.find((v) => !allowed.includes(v));
    if (bad) fail(`${key}: "${bad}" is not one of ${allowed!.join(', ')}`, key);
    return list;
  };
  const lifetime = (value: unknown, key: string, fallback: number): number => {
    if (value === undefined) return fallback;
    const seconds = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value) : undefined;
    if (seconds === undefined || !Number.isInteger(seconds) || seconds <= 0) fail(`${key} must be a duration such as "15m" or "1h"`, key);
    return seconds!;
  };
  const flag = (value: unknown, key: string): boolean => {
    if (value === undefined) return false;
    if (typeof value !== 'boolean') fail(`${key} must be true or false`, key);
    return value as boolean;
  };
  const table = (value: unknown, key: string): Record<string, unknown> => {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${key} must be a table`, key);
    return value as Record<string, unknown>;
  };
  const entries = (value: unknown, key: string): Raw[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v)))
      fail(`${key} must be written as [[${key}]] tables`, key);
    return value as Raw[];
  };

  const defaults = defaultServerSettings();
  const clients = entries(raw.clients, 'clients').map((c): ServerClient => {
    for (const key of Object.keys(c)) {
      if (
        ![
          'client_id',
          'client_secret',
          'auth',
          'grants',
          'scopes',
          'public_keys',
          'redirect_uris',
          'api_key',
          'token_format',
          'claims',
          'dpop_bound_access_tokens',
        ].includes(key)
      )
        fail(`unknown client setting "${key}"`, key);
    }
    const clientId = str(c.client_id, 'client_id') ?? fail('every [[clients]] entry needs a client_id');
    const secret = str(c.client_secret, 'client_secret');
    const publicKeys = strList(c.public_keys, 'public_keys') ?? [];
    const auth = (strList(c.auth, 'auth', SERVER_CLIENT_AUTH) as ServerClientAuth[] | undefined) ?? [
      ...(secret ? (['client_secret_basic', 'client_secret_post'] as const) : []),
      ...(publicKeys.length ? (['private_key_jwt'] as const) : []),
    ];
    if (!auth.length) fail(`client "${clientId}" has neither a client_secret nor public_keys; say auth = ["none"] for a public client`, 'client_id');
    if (auth.some((m) => m.startsWith('client_secret')) && !secret) fail(`client "${clientId}" uses ${auth.join(', ')} but has no client_secret`, 'auth');
    if (auth.includes('private_key_jwt') && !publicKeys.length) fail(`client "${clientId}" uses private_key_jwt but has no public_keys`, 'auth');
    const format = c.token_format ?? 'jwt';
    if (format !== 'jwt' && format !== 'opaque') fail('token_format must be "jwt" or "opaque"', 'token_format');
    return {
      client_id: clientId,
      ...(secret ? { client_secret: secret } : {}),
      auth,
      grants: (strList(c.grants, 'grants', SERVER_GRANTS) as ServerGrant[] | undefined) ?? ['client_credentials'],
      scopes: strList(c.scopes, 'scopes') ?? [],
      public_keys: publicKeys,
      redirect_uris: strList(c.redirect_uris, 'redirect_uris') ?? [],
      ...(c.api_key !== undefined ? { api_key: str(c.api_key, 'api_key')! } : {}),
      token_format: format as ServerClient['token_format'],
      claims: table(c.claims, 'claims'),
      ...(flag(c.dpop_bound_access_tokens, 'dpop_bound_access_tokens') ? { dpop_bound_access_tokens: true } : {}),
    };
  });
  const ids = clients.map((c) => c.client_id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) fail(`client_id "${duplicate}" is listed twice`, 'client_id');
  const users = entries(raw.users, 'users').map((u): ServerUser => {
    for (const key of Object.keys(u)) if (!['username', 'password', 'claims'].includes(key)) fail(`unknown user setting "${key}"`, key);
    return {
      username: str(u.username, 'username') ?? fail('every [[users]] entry needs a username'),
      password: str(u.password, 'password') ?? fail('every [[users]] entry needs a password'),
      claims: table(u.claims, 'claims'),
    };
  });
  const issuer = str(raw.issuer, 'issuer');
  if (issuer && !/^https?:\/\/[^/]+/.test(issuer)) fail('issuer must be an http(s) URL', 'issuer');
  const hmac = str(raw.hmac_secret, 'hmac_secret');
  return {
    ...(issuer ? { issuer: issuer.replace(/\/+$/, '') } : {}),
    access_token_lifetime: lifetime(raw.access_token_lifetime, 'access_token_lifetime', defaults.access_token_lifetime),
    refresh_token_lifetime: lifetime(raw.refresh_token_lifetime, 'refresh_token_lifetime', defaults.refresh_token_lifetime),
    audiences: strList(raw.audiences, 'audiences') ?? defaults.audiences,
    keys: strList(raw.keys, 'keys') ?? [],
    ...(hmac ? { hmac_secret: hmac } : {}),
    clients,
    users,
    realms: strList(raw.realms, 'realms') ?? defaults.realms,
    require_pushed_authorization_requests: flag(raw.require_pushed_authorization_requests, 'require_pushed_authorization_requests'),
    dpop_nonce: flag(raw.dpop_nonce, 'dpop_nonce'),
  };
}
