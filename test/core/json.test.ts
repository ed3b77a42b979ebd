import { describe, expect, it } from 'vitest';
import { deeperThan, describeBare, describeValue, JsonDepthError, lookup, parseJson } from '../../src/core/json.js';
import { redactSecrets, secretForms, secretRedactor } from '../../src/core/redact.js';
import { validateClaims } from '../../src/core/claims/validate.js';
import { BUILTIN_POLICIES } from '../../src/core/claims/policy.js';
import { normalizeTokenInput } from '../../src/core/jwt/parse.js';

describe('untrusted JSON', () => {
  it('parseJson refuses nesting past the limit, iteratively (a million levels do not overflow)', () => {
    expect(parseJson('{"a":[[1]]}')).toEqual({ a: [[1]] });
    expect(() => parseJson(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow(JsonDepthError);
    expect(parseJson(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeDefined();
    expect(deeperThan(JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`), 64)).toBe(true);
    expect(() => parseJson('{')).toThrow(SyntaxError);
  });

  it.each([
    ['abc', '"abc"'],
    [{ toString: null, valueOf: null }, '{"toString":null,"valueOf":null}'],
    [[1, [2, [3, [4, [5]]]]], '[1,[2,[3,[…]]]]'],
    [JSON.parse('{"__proto__":{"x":1}}'), '{"__proto__":{"x":1}}'],
    ['x'.repeat(100), `"${'x'.repeat(58)}…`],
    [null, 'null'],
  ])('describeValue(%j) never calls the value and stays short', (value, expected) => expect(describeValue(value)).toBe(expected));

  it('describeBare prints names as themselves', () => {
    expect(describeBare('ES256')).toBe('ES256');
    expect(describeBare({ toString: null })).toBe('{"toString":null}');
  });

  it('lookup sees own keys only', () => {
    expect(lookup({ a: 1 }, 'a')).toBe(1);
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(lookup({ a: 1 }, key)).toBeUndefined();
  });

  it('describes hostile strings without their control and bidi characters', () => {
    expect(describeBare('ES\u001b]0;x\u0007256\n')).toBe('ES\\u001b]0;x\\u0007256\\n');
    expect(describeValue('a\u202eb\u009bc')).toBe('"a\\u202eb\\u009bc"');
    expect(describeValue({ 'k\u2066': 1 })).toBe('{"k\\u2066":1}');
  });
});

describe('redaction of what a server echoes', () => {
  it('covers raw, URL-, form-, JSON-, base64- and base64url-encoded forms', () => {
    const secret = 'p@ss word+/=?"x';
    const forms = secretForms(secret);
    for (const form of [
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, '+'),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      expect(forms).toContain(form);
      expect(redactSecrets(`server said: ${form}!`, [secret])).toMatch(/^server said: \[redacted sha256:[0-9a-f]{8}\]!$/);
    }
    expect(redactSecrets('nothing to hide', [secret])).toBe('nothing to hide');
    expect(redactSecrets('ab', ['ab'])).toBe('ab'); // too short to redact safely
  });

  it('a redactor for many lines agrees with redactSecrets, and sees a secret added to its set later', () => {
    const secrets = new Set<string>();
    const redact = secretRedactor(secrets);
    expect(redact('client_secret=s3cr3t-one')).toBe('client_secret=s3cr3t-one');
    secrets.add('s3cr3t-one');
    expect(redact('client_secret=s3cr3t-one')).toBe(redactSecrets('client_secret=s3cr3t-one', secrets));
    expect(redact('client_secret=s3cr3t-one')).toMatch(/^client_secret=\[redacted sha256:[0-9a-f]{8}\]$/);
    secrets.add('s3cr3t-two');
    expect(redact('a=s3cr3t-one b=s3cr3t-two')).not.toMatch(/s3cr3t/);
  });
});

describe('provider rules', () => {
  it('JustGold jti values must be UUIDs', () => {
    const base = { iss: 'p', sub: 's', aud: 'justgold-api', iat: 1000, exp: 1600 };
    const codes = (jti: unknown) => validateClaims({ alg: 'RS256' }, { ...base, jti }, BUILTIN_POLICIES.justgold!, { now: 1100 }).map((f) => f.code);
    expect(codes('0b8f3c9e-6d1a-4f7e-9a2b-3c4d5e6f7a8b')).toEqual([]);
    expect(codes('0B8F3C9E-6D1A-4F7E-9A2B-3C4D5E6F7A8B')).toEqual([]);
    expect(codes('uuid-unique-token-id')).toEqual(['invalid_claim_type']);
    expect(codes(42)).toEqual(['invalid_claim_type']);
  });

  it.each([
    ['"eyJ.a.b"', 'eyJ.a.b'],
    ["'eyJ.a.b'", 'eyJ.a.b'],
    ['"Bearer eyJ.a.b"', 'eyJ.a.b'],
    ['Bearer "eyJ.a.b"', 'eyJ.a.b'],
    ['  bearer -abc  ', '-abc'],
    ['"unbalanced', '"unbalanced'],
  ])('normalizeTokenInput(%j)', (input, expected) => expect(normalizeTokenInput(input)).toBe(expected));
});

describe('the error table', () => {
  it('README lists every declared error code', async () => {
    const { ERRORS } = await import('../../src/errors.js');
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(ERRORS).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('README’s CI snippets install a pinned authctl: no npx of a registry name, no hidden failures, the SARIF permission shown', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const yaml = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
    expect(yaml).toMatch(/scan/);
    expect(yaml).not.toMatch(/npx\s+(-y\s+)?authctl/);
    expect(yaml).not.toMatch(/\|\|\s*true/);
    expect(yaml).toMatch(/security-events: write/);
    // every action, this repository's included, pinned by a full commit
    const uses = [...yaml.matchAll(/uses: (\S+)/g)].map((m) => m[1]!);
    expect(uses.some((u) => /\/authctl@[0-9a-f]{40}$/.test(u))).toBe(true);
    for (const u of uses) expect(u).toMatch(/@[0-9a-f]{40}$/);
  });

  it('a code gets its exit status and default hint from the table', async () => {
    const { AuthctlError, NetworkError } = await import('../../src/errors.js');
    expect(AuthctlError.of('internal_error', 'x').exitCode).toBe(70);
    expect(new NetworkError('network_timeout', 'slow').hint).toBe('raise --timeout, or check the server');
    expect(new NetworkError('network_timeout', 'slow', 'mine').hint).toBe('mine');
  });
});
