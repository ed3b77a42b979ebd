import { CheckFailedError } from '../../errors.js';
import { isJsonObject, JsonDepthError, parseJson } from '../json.js';

/** Larger inputs are refused before any decoding, so a huge paste cannot exhaust memory. */
export const MAX_TOKEN_BYTES = 256 * 1024;

export type JoseHeader = Record<string, unknown>;
export type JwtPayload = Record<string, unknown>;

export type ParsedToken =
  | {
      kind: 'jws';
      compact: string;
      header: JoseHeader;
      /** The claims set: a JWS whose payload is not a JSON object is refused as not a JWT. */
      payload: JwtPayload;
      signingInput: string;
      signature: Uint8Array;
    }
  | { kind: 'jwe'; compact: string; header: JoseHeader };

const SEGMENT_NAMES = {
  3: ['header', 'payload', 'signature'],
  5: ['header', 'encrypted key', 'initialization vector', 'ciphertext', 'authentication tag'],
} as const;

function invalid(reason: string): CheckFailedError {
  return new CheckFailedError('invalid_token', `not a valid token: ${reason}`);
}

const unquote = (text: string) => text.replace(/^(["'])(.*)\1$/s, '$2').trim();

/** A token found in what was pasted, and what it was found in when that was more than the token. */
export interface PastedToken {
  token: string;
  /** e.g. "the access_token of a token response"; absent for a bare token. */
  from?: string;
  /** Other tokens the paste held (`id_token`, `refresh_token`), named for a note, never shown. */
  alsoHeld?: string[];
}

/** Where a token response or a callback URL keeps its token, most wanted first. */
const TOKEN_FIELDS = ['access_token', 'id_token', 'jwt'] as const;
const OTHER_TOKEN_FIELDS = ['access_token', 'id_token', 'refresh_token'] as const;

/**
 * The token in what people paste: surrounding whitespace and quotes, an `Authorization:` header
 * line, a `Bearer `/`DPoP ` scheme (in either order with quotes), a token response's JSON, a
 * callback URL (query or fragment), and a token wrapped over several lines.
 *
 * @example unwrapPastedToken('Authorization: Bearer eyJ...').token // 'eyJ...'
 * @example unwrapPastedToken('{"access_token":"eyJ...","refresh_token":"r"}') // { token: 'eyJ...', from: 'the access_token of a token response', alsoHeld: ['refresh_token'] }
 */
export function unwrapPastedToken(input: string): PastedToken {
  const text = unquote(input.trim());
  if (text.startsWith('{')) {
    const found = fromFields(jsonObjectOf(text), 'a token response');
    if (found) return found;
  }
  if (/^https?:\/\/\S+$/i.test(text)) {
    const url = URL.parse(text);
    const params = url && new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search);
    const found = params && fromFields(Object.fromEntries(params), 'a callback URL');
    if (found) return found;
  }
  let token = unquote(unquote(text.replace(/^authorization\s*:\s*/i, '')).replace(/^(bearer|dpop)\s+/i, ''));
  // A token wrapped over lines (a terminal, an email): base64url and dots only once joined, and
  // no later piece starts a token of its own (two tokens on a line stay two).
  if (/\s/.test(token) && /^[A-Za-z0-9_.-]+$/.test(token.replace(/\s+/g, '')) && token.includes('.')) {
    const pieces = token.split(/\s+/);
    if (!pieces.slice(1).some((piece) => /^eyJ[A-Za-z0-9_-]*\./.test(piece))) token = pieces.join('');
  }
  return { token };
}

/** The token of a JSON response or URL parameters, or undefined when it holds none. */
function fromFields(fields: Record<string, unknown> | undefined, what: string): PastedToken | undefined {
  const field = fields && TOKEN_FIELDS.find((name) => typeof fields[name] === 'string' && fields[name] !== '');
  if (!field) return undefined;
  const alsoHeld = OTHER_TOKEN_FIELDS.filter((name) => name !== field && typeof fields![name] === 'string');
  return { token: (fields![field] as string).trim(), from: `the ${field} of ${what}`, ...(alsoHeld.length ? { alsoHeld } : {}) };
}

function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const value = parseJson(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bare token in what users paste (unwrapPastedToken).
 *
 * @example normalizeTokenInput('  "Bearer eyJ..."  ') // 'eyJ...'
 */
export function normalizeTokenInput(input: string): string {
  return unwrapPastedToken(input).token;
}

function decodeSegment(segment: string, index: number, names: readonly string[]): Uint8Array {
  const bad = segment.search(/[^A-Za-z0-9_-]/);
  const name = names[index] ?? `segment ${index + 1}`;
  if (bad !== -1) {
    const char = segment.codePointAt(bad)!;
    const shown = char >= 0x21 && char <= 0x7e ? `'${String.fromCodePoint(char)}'` : `U+${char.toString(16).toUpperCase().padStart(4, '0')}`;
    return fail(`segment ${index + 1} (${name}) is not base64url: unexpected character ${shown} at offset ${bad}`);
  }
  if (segment.length % 4 === 1) return fail(`segment ${index + 1} (${name}) is not base64url: impossible length ${segment.length}`);
  // Checked above, so node's native decoder (lenient by itself) sees only valid base64url; jose's
  // web build decodes through atob and a loop, several times slower on every token of a batch.
  return Buffer.from(segment, 'base64url');
}

function fail(reason: string): never {
  throw invalid(reason);
}

/** Refuses bytes that are not UTF-8 (one decoder for every token of a batch: it keeps no state between calls). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonObject(bytes: Uint8Array, index: number, name: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return fail(`segment ${index + 1} (${name}) is not UTF-8`);
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    if (error instanceof JsonDepthError) fail(`segment ${index + 1} (${name}) is ${error.message}`);
    return undefined;
  }
  return isJsonObject(value) ? value : undefined;
}

/**
 * Splits and decodes a compact JWS or JWE without verifying anything. Throws
 * `invalid_token` naming the precise problem (segment count, which segment is not base64url,
 * header not JSON, …).
 *
 * authctl:allow (an unsigned example)
 * @example parseToken('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.').header // { alg: 'none' }
 */
export function parseToken(input: string): ParsedToken {
  const compact = normalizeTokenInput(input);
  if (compact.length === 0) fail('the input is empty');
  if (compact.length > MAX_TOKEN_BYTES) fail(`the input is ${compact.length} bytes, over the ${MAX_TOKEN_BYTES / 1024} KiB limit`);
  if (/\s/.test(compact)) fail('it contains whitespace inside (one token per line)');

  const segments = compact.split('.');
  if (segments.length !== 3 && segments.length !== 5) {
    const why =
      segments.length === 1
        ? ' (no dots: an opaque token, which only its server can read: authctl introspect)'
        : ' (part of it missing? check that it was copied whole)';
    fail(`expected 3 dot-separated segments (JWS) or 5 (JWE), found ${segments.length}${segments.length < 6 ? why : ''}`);
  }
  const names = SEGMENT_NAMES[segments.length as 3 | 5];
  if (segments[0] === '') fail('segment 1 (header) is empty');

  const headerBytes = decodeSegment(segments[0]!, 0, names);
  const header = decodeJsonObject(headerBytes, 0, 'header');
  if (!header) fail('segment 1 (header) is not a JSON object');
  if (segments.length === 5) {
    for (const [i, s] of segments.slice(1).entries()) decodeSegment(s, i + 1, names);
    return { kind: 'jwe', compact, header };
  }

  const payloadBytes = decodeSegment(segments[1]!, 1, names);
  const signature = decodeSegment(segments[2]!, 2, names);
  const payload = decodeJsonObject(payloadBytes, 1, 'payload');
  if (!payload) fail('segment 2 (payload) is not a JSON object, so this is not a JWT');
  return { kind: 'jws', compact, header, payload, signingInput: `${segments[0]}.${segments[1]}`, signature };
}

/**
 * A JWS's claims without any check, or undefined when the text is not one: only to learn whose
 * keys should verify it (an assertion's `iss`), never to trust it.
 */
export function decodeJwtUnverified(token: string): JwtPayload | undefined {
  try {
    const parsed = parseToken(token);
    return parsed.kind === 'jws' ? parsed.payload : undefined;
  } catch {
    return undefined;
  }
}
