import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError, UsageError } from '../errors.js';
import { SECRET_SOURCES } from '../core/secret-sources.js';
import { decryptJwe, encryptJwe, passwordKey } from '../core/jwt/jwe.js';
import { parseToken, unwrapPastedToken } from '../core/jwt/parse.js';
import type { LoadedKey } from '../core/keys/load.js';
import { parseJson } from '../core/json.js';
import { loadKeyFile } from '../io/key-file.js';

/** A JWE's recipient or decryption key: a key file (PEM, JWK, JWKS with --kid), or - for stdin; never a flag's value. */
export async function jweKey(path: string, deps: Deps, kid?: string): Promise<LoadedKey> {
  return loadKeyFile(path, kid ? { kid } : {}, deps.io);
}

/** Where a JWE's key comes from: a key file or stdin, the profile's stored private key, or a password (PBES2). */
export interface JweKeyFlags {
  /** `--key` of token encrypt, `--decrypt-key` of decode, lint and verify. */
  keyFile?: string;
  kid?: string;
  /** `--decrypt-stored`: the profile's private_key credential (AUTHCTL_PRIVATE_KEY, then the credential store). */
  stored?: boolean;
  passwordFile?: string;
  passwordStdin?: boolean;
}

/** The flags naming a JWE's decryption key (decode, lint, verify): one source, never a value. */
export interface DecryptFlags {
  decryptKey?: string;
  decryptStored?: boolean;
  passwordFile?: string;
  passwordStdin?: boolean;
  kid?: string;
}

/** The decryption key of decode, lint and verify, from the one source their flags name. */
export function decryptionKey(flags: DecryptFlags, deps: Deps, globals: GlobalOptions): Promise<LoadedKey> {
  const { decryptKey, decryptStored, ...rest } = flags;
  return resolveJweKey({ ...rest, keyFile: decryptKey, stored: decryptStored }, deps, globals, '--decrypt-key');
}

/**
 * The one key a JWE command was given, from exactly one source: a key file, the profile's stored
 * private key (through the one resolver: the environment, then the store), or a password for
 * PBES2 (its file, stdin, AUTHCTL_JWE_PASSWORD, or a hidden prompt on a terminal).
 */
export async function resolveJweKey(flags: JweKeyFlags, deps: Deps, globals: GlobalOptions, keyFlag: string): Promise<LoadedKey> {
  const password = flags.passwordFile !== undefined || flags.passwordStdin;
  const given = [flags.keyFile !== undefined, Boolean(flags.stored), Boolean(password)].filter(Boolean).length;
  if (given > 1)
    throw new UsageError(
      'conflicting_options',
      keyFlag === '--key'
        ? 'give the recipient key (--key) or a password (--password-file, --password-stdin), not both'
        : `give one of ${keyFlag}, --decrypt-stored or a password (--password-file, --password-stdin)`,
    );
  if (flags.keyFile !== undefined) return jweKey(flags.keyFile, deps, flags.kid);
  const { requireSecret, storeAccess } = await import('./secrets.js');
  if (flags.stored) {
    const { selectProfile } = await import('../io/config-store.js');
    const selected = selectProfile(await deps.config(globals), globals.profile, true);
    if (!selected && deps.io.env[SECRET_SOURCES.private_key.env] === undefined)
      throw new AuthError(
        'credential_missing',
        "--decrypt-stored decrypts with a profile's stored private key, and no profile is selected",
        `pass --profile NAME (its key: authctl credentials set private_key --profile NAME), or set ${SECRET_SOURCES.private_key.env}`,
      );
    const access = selected ? storeAccess(selected.name, deps, globals) : undefined;
    return (await import('../core/keys/load.js')).loadKey(await requireSecret('private_key', {}, deps, access));
  }
  return passwordKey(await requireSecret('jwe_password', { file: flags.passwordFile, stdin: flags.passwordStdin }, deps));
}

/**
 * What a token is once decrypted with the key, when it is a JWE: the compact token inside (a
 * nested JWT, `cty: JWT`), or its claims. Any other token comes back as it was.
 */
export async function openJwe(
  input: string,
  key: LoadedKey,
): Promise<{ outer?: Record<string, unknown>; token: string } | { outer: Record<string, unknown>; claims: Uint8Array }> {
  const token = unwrapPastedToken(input).token;
  const parsed = parseToken(token);
  if (parsed.kind !== 'jwe') return { token };
  const { header, plaintext } = await decryptJwe(parsed.compact, parsed.header, key);
  const text = new TextDecoder().decode(plaintext).trim();
  const nested = typeof header.cty === 'string' && header.cty.toUpperCase().replace(/^APPLICATION\//, '') === 'JWT';
  if (nested || /^[\w-]+\.[\w-]+\.[\w-]*$|^[\w-]+\.[\w-]*\.[\w-]*\.[\w-]+\.[\w-]*$/.test(text)) return { outer: header, token: text };
  return { outer: header, claims: plaintext };
}

/** `token encrypt`: a JSON object of claims, or a JWT to nest (cty JWT), as a compact JWE. */
export async function encryptInput(input: string, key: LoadedKey, options: { alg?: string; enc?: string; kid?: string }): Promise<string> {
  const text = input.trim();
  if (text.startsWith('{')) {
    let claims: unknown;
    try {
      claims = parseJson(text);
    } catch {
      throw new UsageError('invalid_argument', 'the input starts like JSON but is not JSON (or nested too deep)');
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new UsageError('invalid_argument', 'the claims must be a JSON object');
    return encryptJwe(new TextEncoder().encode(JSON.stringify(claims)), key, { ...options, typ: 'JWT' });
  }
  const token = unwrapPastedToken(text).token;
  try {
    parseToken(token);
  } catch {
    throw new UsageError('invalid_argument', 'give a JSON object of claims, or a JWT to nest inside the JWE');
  }
  return encryptJwe(new TextEncoder().encode(token), key, { ...options, cty: 'JWT' });
}
