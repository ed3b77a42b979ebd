import { parse as parseToml, stringify as stringifyToml, TomlError } from 'smol-toml';
import { UsageError } from '../errors.js';
import { parsePolicy } from './claims/policy.js';
import { lookup } from './json.js';
import { canonicalOrigin, isHttpUrl } from './origin.js';
import {
  BODY_FORMATS,
  CLIENT_AUTH_METHODS,
  CREDENTIAL_STORES,
  GRANTS,
  INTROSPECTION_STYLES,
  PAR_MODES,
  PROFILE_NAME,
  TOKEN_CACHE_MODES,
} from './config-values.js';

/**
 * A named provider profile, exactly as it is written in the config file (snake_case keys),
 * so the file is the documentation of the type. It never holds a secret.
 */
export interface Profile {
  provider?: string;
  base_url?: string;
  issuer?: string;
  token_url?: string;
  /** The authorization endpoint (authorization_code grant), usually from discovery. */
  authorization_url?: string;
  /** The RFC 8628 device authorization endpoint (device_code grant), usually from discovery. */
  device_authorization_url?: string;
  /** RFC 9126 pushed authorization request endpoint (discovery fills it). */
  par_url?: string;
  /** Push the authorization request: when the server requires it (auto, the default), or always. */
  par?: (typeof PAR_MODES)[number];
  /** RFC 9449: bind the profile's tokens to its DPoP key (a proof with every token request and API call). */
  dpop?: boolean;
  /** A fixed redirect URI for servers that need an exact one; default: a loopback listener on a free port. */
  redirect_uri?: string;
  introspection_url?: string;
  introspection_style?: (typeof INTROSPECTION_STYLES)[number];
  revocation_url?: string;
  verify_url?: string;
  jwks_uri?: string;
  health_url?: string;
  grant?: (typeof GRANTS)[number];
  client_id?: string;
  client_auth?: (typeof CLIENT_AUTH_METHODS)[number];
  api_key_header?: string;
  body_format?: (typeof BODY_FORMATS)[number];
  username?: string;
  scope?: string;
  audience?: string;
  resource?: string;
  /** Path of the private key used for private_key_jwt or for minting. */
  private_key?: string;
  /** Client certificate and its key (PEM files) for mutual TLS (RFC 8705). */
  tls_client_cert?: string;
  tls_client_key?: string;
  kid?: string;
  alg?: string;
  /** `aud` of client assertions: "token_url" (default), "issuer", or a literal value. */
  assertion_audience?: string;
  /** Origins besides base_url's that `authctl api` may send the profile's token to (core/origin.ts). */
  api_origins?: string[];
  /** Extra request body fields, e.g. webMethods' `claimsSet`. */
  extra_body?: Record<string, unknown>;
  /** Claims template for `token mint --profile` (JustGold, gamification). */
  mint?: Record<string, unknown>;
  /** The claims policy table (see parsePolicy). */
  policy?: Record<string, unknown>;
}

export interface Config {
  default_profile?: string;
  credential_store?: (typeof CREDENTIAL_STORES)[number];
  token_cache?: (typeof TOKEN_CACHE_MODES)[number];
  profiles: Record<string, Profile>;
}

/** Keys that hold a URL: an empty or malformed one is refused where it is written, not when used. */
export const URL_KEYS = [
  'base_url',
  'issuer',
  'token_url',
  'authorization_url',
  'device_authorization_url',
  'par_url',
  'redirect_uri',
  'introspection_url',
  'revocation_url',
  'verify_url',
  'jwks_uri',
  'health_url',
] as const;
const STRING_KEYS = [
  'provider',
  ...URL_KEYS,
  'client_id',
  'api_key_header',
  'username',
  'scope',
  'audience',
  'resource',
  'private_key',
  'tls_client_cert',
  'tls_client_key',
  'kid',
  'alg',
  'assertion_audience',
] as const;

const ENUM_KEYS: Record<string, readonly string[]> = {
  par: PAR_MODES,
  grant: GRANTS,
  client_auth: CLIENT_AUTH_METHODS,
  body_format: BODY_FORMATS,
  introspection_style: INTROSPECTION_STYLES,
};
const TABLE_KEYS = ['extra_body', 'mint', 'policy'] as const;
const BOOLEAN_KEYS = ['dpop'] as const;
const LIST_KEYS = ['api_origins'] as const;
/** Keys that name files; relative ones are taken from the config file's directory. */
export const PROFILE_PATH_KEYS = ['private_key', 'tls_client_cert', 'tls_client_key'] as const;
const PROFILE_KEYS: readonly string[] = [...STRING_KEYS, ...Object.keys(ENUM_KEYS), ...TABLE_KEYS, ...LIST_KEYS, ...BOOLEAN_KEYS];

/** Key names that would put a secret in the config file; refused wherever they appear. */
const SECRET_KEY = /^(client_secret|secret|password|api_key|apikey|refresh_token|access_token|private_key_pem|hmac_secret|token)$/i;

/** The 1-based line where `[profiles.NAME]` or a key inside it is written, for error messages. */
export function lineOf(text: string, profile?: string, key?: string): number | undefined {
  const lines = text.split('\n');
  let start = 0;
  if (profile !== undefined) {
    const header = lines.findIndex((l) => l.replace(/\s|"/g, '') === `[profiles.${profile}]`);
    if (header === -1) return undefined;
    start = header;
    if (key === undefined) return header + 1;
  }
  if (key === undefined) return undefined;
  for (let i = start + (profile ? 1 : 0); i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (profile !== undefined && i > start && line.startsWith('[') && !line.replace(/\s|"/g, '').startsWith(`[profiles.${profile}.`)) break;
    if (new RegExp(`^"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*=`).test(line) || line.replace(/\s|"/g, '') === `[profiles.${profile}.${key}]`)
      return i + 1;
  }
  return undefined;
}

function findSecretKey(value: unknown, path: string[]): string[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && typeof child === 'string') return [...path, key];
    const found = findSecretKey(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Parses and checks the config file's text. Every error is `config_invalid` (exit 2) naming
 * the file and, where it can be found, the line.
 *
 * @example parseConfig('[profiles.x]\ntoken_url = "https://a/token"\n', 'config.toml').profiles.x.token_url
 */
export function parseConfig(text: string, file: string): Config {
  const at = (line: number | undefined) => (line ? `${file}:${line}` : file);
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new UsageError(
        'config_invalid',
        `${at(error.line)}: malformed TOML: ${reason}`,
        'fix the file by hand or restore it; authctl will not overwrite it',
      );
    }
    throw error;
  }

  const secretPath = findSecretKey(raw, []);
  if (secretPath) {
    const [, profile, ...rest] = secretPath;
    throw new UsageError(
      'config_invalid',
      `${at(lineOf(text, secretPath[0] === 'profiles' ? profile : undefined, rest[0] ?? secretPath[0]))}: "${secretPath.join('.')}" looks like a secret; the config file never holds secrets`,
      'remove it and store it with `authctl credentials set`, or pass it through the environment',
    );
  }

  for (const key of Object.keys(raw)) {
    if (!['default_profile', 'credential_store', 'token_cache', 'profiles'].includes(key)) {
      throw new UsageError(
        'config_invalid',
        `${at(lineOf(text, undefined, key))}: unknown setting "${key}"`,
        'known settings: default_profile, credential_store, token_cache, [profiles.NAME]',
      );
    }
  }
  if (raw.default_profile !== undefined && typeof raw.default_profile !== 'string') {
    throw new UsageError('config_invalid', `${at(lineOf(text, undefined, 'default_profile'))}: default_profile must be a string`);
  }
  if (raw.credential_store !== undefined && !(CREDENTIAL_STORES as readonly unknown[]).includes(raw.credential_store)) {
    throw new UsageError(
      'config_invalid',
      `${at(lineOf(text, undefined, 'credential_store'))}: credential_store must be one of ${CREDENTIAL_STORES.join(', ')}`,
    );
  }
  if (raw.token_cache !== undefined && !(TOKEN_CACHE_MODES as readonly unknown[]).includes(raw.token_cache)) {
    throw new UsageError('config_invalid', `${at(lineOf(text, undefined, 'token_cache'))}: token_cache must be one of ${TOKEN_CACHE_MODES.join(', ')}`);
  }
  const profiles = raw.profiles ?? {};
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new UsageError('config_invalid', `${at(lineOf(text, undefined, 'profiles'))}: "profiles" must be a table of [profiles.NAME]`);
  }
  for (const [name, profile] of Object.entries(profiles)) {
    checkProfile(name, profile, (key) => at(lineOf(text, name, key)));
  }
  return raw as unknown as Config;
}

function checkProfile(name: string, profile: unknown, at: (key?: string) => string): asserts profile is Profile {
  if (!PROFILE_NAME.test(name)) throw new UsageError('config_invalid', `${at()}: profile name "${name}" may only use letters, digits, ".", "_" and "-"`);
  if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) {
    throw new UsageError('config_invalid', `${at()}: profiles.${name} must be a table`);
  }
  for (const [key, value] of Object.entries(profile)) {
    // The line is looked up only for an error: an eager lookup per key made parsing quadratic.
    const fail = (problem: string, hint?: string) => new UsageError('config_invalid', `${at(key)}: profiles.${name}.${key}${problem}`, hint);
    const choices = lookup(ENUM_KEYS, key);
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') throw fail(' must be a string');
      if ((URL_KEYS as readonly string[]).includes(key) && !isHttpUrl(value)) throw fail(` must be an http or https URL, not ${JSON.stringify(value)}`);
    } else if (choices) {
      if (!choices.includes(value as string)) throw fail(` must be one of ${choices.join(', ')}`);
    } else if ((TABLE_KEYS as readonly string[]).includes(key)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(' must be a table');
    } else if ((BOOLEAN_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw fail(' must be true or false');
    } else if ((LIST_KEYS as readonly string[]).includes(key)) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail(' must be a list of strings');
      for (const origin of value) {
        try {
          canonicalOrigin(origin, 'entry');
        } catch (error) {
          throw fail(`: ${(error as Error).message}`);
        }
      }
    } else {
      throw fail(': unknown key', `known keys: ${PROFILE_KEYS.join(', ')}`);
    }
  }
  const policy = (profile as Profile).policy;
  if (policy) {
    try {
      parsePolicy(policy, `profiles.${name}.policy`);
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError('config_invalid', `${at('policy')}: ${error.message}`, error.hint);
      throw error;
    }
  }
}

/** The config as TOML text, stable key order, ready for an atomic write. */
export function serializeConfig(config: Config): string {
  const { profiles, ...settings } = config;
  const sorted = Object.fromEntries(
    Object.keys(profiles)
      .sort()
      .map((name) => [name, profiles[name]]),
  );
  return `# authctl configuration: profiles and settings, never secrets.\n${stringifyToml({ ...settings, profiles: sorted })}\n`;
}
