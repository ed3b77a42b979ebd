import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { decryptJwe, encryptJwe } from '../core/jwt/jwe.js';
import { parseToken, unwrapPastedToken } from '../core/jwt/parse.js';
import type { LoadedKey } from '../core/keys/load.js';
import { parseJson } from '../core/json.js';
import { loadKeyFile } from '../io/key-file.js';

/** A JWE's recipient or decryption key: a key file (PEM, JWK, JWKS with --kid), or - for stdin; never a flag's value. */
export async function jweKey(path: string, deps: Deps, kid?: string): Promise<LoadedKey> {
  return loadKeyFile(path, kid ? { kid } : {}, deps.io);
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
