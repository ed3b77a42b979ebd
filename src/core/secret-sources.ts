/**
 * Kept free of imports, so help texts can name the sources without loading anything.
 */

/** What a stored secret is; the account of an entry is `<profile>/<kind>`. */
export const CREDENTIAL_KINDS = ['client_secret', 'password', 'refresh_token', 'hmac_secret', 'api_key', 'private_key', 'dpop_key'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Secrets authctl reads: every kind the store keeps, plus a private key's passphrase and a JWE's password (PBES2). */
export type SecretKind = CredentialKind | 'passphrase' | 'jwe_password';

/** Where one kind of secret comes from. Secrets are never flag values: a flag names a file or stdin. */
export interface SecretSource {
  /** What it is, for messages ("client secret"). */
  what: string;
  /** The environment variable that supplies it (CI works with these alone). */
  env: string;
  /** The flags naming a file or stdin as its source, where a command has them. */
  fileFlag?: string;
  stdinFlag?: string;
  /** Kept in the credential store as `<profile>/<kind>`. */
  stored: boolean;
  /** Asked for with a hidden prompt on a terminal when no other source has it. */
  prompt: boolean;
}

/**
 * THE credential table: every secret kind with its flags, environment variable, whether the
 * credential store keeps it and whether a prompt may ask for it. The one resolver
 * (services/secrets.ts) walks flag → environment → credential store → prompt from this table;
 * no other module names these environment variables.
 */
export const SECRET_SOURCES: Readonly<Record<SecretKind, SecretSource>> = {
  client_secret: {
    what: 'client secret',
    env: 'AUTHCTL_CLIENT_SECRET',
    fileFlag: '--client-secret-file',
    stdinFlag: '--client-secret-stdin',
    stored: true,
    prompt: true,
  },
  password: { what: 'password', env: 'AUTHCTL_PASSWORD', fileFlag: '--password-file', stdinFlag: '--password-stdin', stored: true, prompt: true },
  refresh_token: { what: 'refresh token', env: 'AUTHCTL_REFRESH_TOKEN', stored: true, prompt: false },
  hmac_secret: { what: 'HMAC secret', env: 'AUTHCTL_SECRET', fileFlag: '--secret-file', stdinFlag: '--secret-stdin', stored: true, prompt: false },
  // webMethods' application API key travels in the client-secret flags (it is the client's secret).
  api_key: { what: 'API key', env: 'AUTHCTL_API_KEY', fileFlag: '--client-secret-file', stdinFlag: '--client-secret-stdin', stored: true, prompt: true },
  private_key: { what: 'private key', env: 'AUTHCTL_PRIVATE_KEY', stored: true, prompt: false },
  // RFC 9449: the profile's DPoP key (PEM), made on first use and kept; never in the token cache.
  dpop_key: { what: 'DPoP key', env: 'AUTHCTL_DPOP_KEY', stored: true, prompt: false },
  passphrase: {
    what: 'passphrase',
    env: 'AUTHCTL_KEY_PASSPHRASE',
    fileFlag: '--passphrase-file',
    stdinFlag: '--passphrase-stdin',
    stored: false,
    prompt: false,
  },
  // RFC 7518 §4.8: a JWE encrypted to a password (token encrypt, and decode/lint/verify of one).
  jwe_password: { what: 'JWE password', env: 'AUTHCTL_JWE_PASSWORD', fileFlag: '--password-file', stdinFlag: '--password-stdin', stored: false, prompt: true },
};

/** "--client-secret-file or --client-secret-stdin", for hints. */
export function sourceFlags(kind: SecretKind): string | undefined {
  const source = SECRET_SOURCES[kind];
  return source.fileFlag && source.stdinFlag ? `${source.fileFlag} or ${source.stdinFlag}` : undefined;
}

/** The environment variables CI can use instead of a keychain, for the keychain-unavailable hint. */
export const CI_SECRET_ENV = [SECRET_SOURCES.client_secret.env, SECRET_SOURCES.password.env, SECRET_SOURCES.hmac_secret.env, SECRET_SOURCES.api_key.env];

/**
 * The environment a child process gets ($BROWSER, git): this one less every secret variable of
 * the table (and any other `AUTHCTL_*`, which only authctl reads), so a program authctl starts
 * never receives a secret it was not meant to.
 *
 * @example childEnvironment({ PATH: '/bin', AUTHCTL_CLIENT_SECRET: 's' }) // { PATH: '/bin' }
 */
export function childEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const secrets = new Set(Object.values(SECRET_SOURCES).map((source) => source.env));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !secrets.has(name) && !name.startsWith('AUTHCTL_')) out[name] = value;
  return out;
}
