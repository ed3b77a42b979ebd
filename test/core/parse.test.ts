import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES, normalizeTokenInput, parseToken, unwrapPastedToken } from '../../src/core/jwt/parse.js';
import { CheckFailedError } from '../../src/errors.js';

const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const jws = `${enc({ alg: 'HS256' })}.${enc({ sub: 'a' })}.${enc('sig')}`;

function reason(input: string): string {
  try {
    parseToken(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).code).toBe('invalid_token');
    return (error as Error).message;
  }
  throw new Error('expected parseToken to throw');
}

describe('parseToken', () => {
  it('decodes a JWS', () => {
    const token = parseToken(jws);
    expect(token.kind).toBe('jws');
    if (token.kind !== 'jws') return;
    expect(token.header).toEqual({ alg: 'HS256' });
    expect(token.payload).toEqual({ sub: 'a' });
    expect(Buffer.from(token.signature).toString()).toBe('sig');
  });

  it('accepts Bearer prefixes and surrounding whitespace', () => {
    expect(normalizeTokenInput(`\n  Bearer ${jws} \r\n`)).toBe(jws);
    expect(parseToken(`bearer ${jws}\n`).kind).toBe('jws');
  });

  it('finds the token in what people paste', () => {
    const wrapped = jws.match(/.{1,16}/g)!;
    expect.soft(unwrapPastedToken(`Authorization: Bearer ${jws}`)).toEqual({ token: jws });
    expect.soft(unwrapPastedToken(`authorization:DPoP "${jws}"`)).toEqual({ token: jws });
    expect.soft(unwrapPastedToken(wrapped.join('\n'))).toEqual({ token: jws });
    expect.soft(unwrapPastedToken(wrapped.join('\r\n  '))).toEqual({ token: jws });
    expect.soft(unwrapPastedToken(JSON.stringify({ access_token: jws, token_type: 'Bearer', expires_in: 300, refresh_token: 'r', id_token: jws }))).toEqual({
      token: jws,
      from: 'the access_token of a token response',
      alsoHeld: ['id_token', 'refresh_token'],
    });
    expect.soft(unwrapPastedToken(JSON.stringify({ id_token: jws }))).toEqual({ token: jws, from: 'the id_token of a token response' });
    expect.soft(unwrapPastedToken(JSON.stringify({ jwt: jws }))).toEqual({ token: jws, from: 'the jwt of a token response' });
    expect.soft(unwrapPastedToken(`https://app.example/cb#access_token=${jws}&token_type=bearer&expires_in=300`)).toEqual({
      token: jws,
      from: 'the access_token of a callback URL',
    });
    expect
      .soft(unwrapPastedToken(`http://127.0.0.1:8765/callback?id_token=${jws}&state=s`))
      .toMatchObject({ token: jws, from: 'the id_token of a callback URL' });
    // Not a token inside: left as it is, for the parser to say what is wrong.
    expect.soft(unwrapPastedToken('{"error":"invalid_grant"}')).toEqual({ token: '{"error":"invalid_grant"}' });
    expect.soft(unwrapPastedToken('https://app.example/cb?code=abc')).toEqual({ token: 'https://app.example/cb?code=abc' });
    expect.soft(unwrapPastedToken('not a token')).toEqual({ token: 'not a token' });
    expect.soft(reason('not-a-token')).toMatch(/found 1 \(no dots: an opaque token, which only its server can read: authctl introspect\)$/);
    expect.soft(reason('abc.def')).toMatch(/found 2 \(part of it missing\? check that it was copied whole\)$/);
  });

  it('decodes an unsecured JWT with an empty signature', () => {
    const token = parseToken(`${enc({ alg: 'none' })}.${enc({ sub: 'a' })}.`);
    expect(token.kind === 'jws' && token.signature.length).toBe(0);
  });

  it('reads only the header of a JWE', () => {
    const token = parseToken(`${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.${enc('k')}.${enc('iv')}.${enc('ct')}.${enc('tag')}`);
    expect(token).toMatchObject({ kind: 'jwe', header: { enc: 'A256GCM' } });
  });

  it.each([
    ['', /empty/],
    ['   \n', /empty/],
    ['abc', /found 1/],
    ['a.b', /found 2/],
    ['a.b.c.d', /found 4/],
    [`${enc({ alg: 'HS256' })}.pay+load.sig`, /segment 2 \(payload\) is not base64url: unexpected character '\+' at offset 3/],
    [`${enc({ alg: 'HS256' })}.${enc({})}.si/g`, /segment 3 \(signature\) is not base64url/],
    [`.${enc({})}.sig`, /segment 1 \(header\) is empty/],
    [`${enc('not json')}.${enc({})}.sig`, /segment 1 \(header\) is not a JSON object/],
    [`${enc('[1]')}.${enc({})}.sig`, /header\) is not a JSON object/],
    [`${enc({ alg: 'HS256' })}.${enc('hello')}.sig`, /payload\) is not a JSON object, so this is not a JWT/],
    [`${Buffer.from([0xff, 0xfe]).toString('base64url')}.${enc({})}.sig`, /not UTF-8/],
    [`${enc({ alg: 'HS256' })}.a.sig`, /impossible length/],
    [`${jws} ${jws}`, /whitespace inside/],
    [`${enc({ alg: 'HS256' })}.${enc({})}.s\u00e9g`, /U\+00E9/],
  ])('refuses %j precisely', (input, message) => {
    expect(reason(input)).toMatch(message);
  });

  it('refuses oversized input before decoding it', () => {
    expect(reason('a'.repeat(MAX_TOKEN_BYTES + 1))).toMatch(/over the 256 KiB limit/);
  });

  it('never throws anything but invalid_token on random bytes', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 256;
    };
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (i % 97) }, random));
      const input = i % 2 ? bytes.toString('latin1') : `${enc({ alg: 'x' })}.${bytes.toString('base64url')}.${bytes.toString('base64url')}`;
      try {
        parseToken(input);
      } catch (error) {
        expect((error as CheckFailedError).code).toBe('invalid_token');
      }
    }
  });
});
