/**
 * The fuzz harness: a seeded generator of hostile inputs (tokens, key files, configs, serve
 * settings, policy tables, scan text) fed to the same parsers the CLI runs, in a plain node
 * process (the CLI's stack size, not a test worker's). Every input must give a coded result:
 * a value, or an AuthctlError with a stable code. Anything else is a failure, reported with the
 * input's kind, seed and a short prefix. scripts/fuzz.mjs bundles and runs this.
 */
import { AuthctlError } from '../../src/errors.js';
import { describeTimes, inspectToken } from '../../src/core/jwt/inspect.js';
import { BUILTIN_POLICIES, parsePolicy, POLICY_KEYS } from '../../src/core/claims/policy.js';
import { validateClaims } from '../../src/core/claims/validate.js';
import { parseConfig } from '../../src/core/config.js';
import { loadKey } from '../../src/core/keys/load.js';
import { toJwks, allowedAlgorithms } from '../../src/core/jwt/verify.js';
import { parseServerSettings } from '../../src/core/server/settings.js';
import { scanText } from '../../src/core/scan/scan.js';
import { parseTokenResponse } from '../../src/core/oauth/token.js';
import { parsePushedAuthorizationResponse } from '../../src/core/oauth/authorization.js';
import { unwrapPastedToken } from '../../src/core/jwt/parse.js';
import { fieldsObject, nextPage, parseField } from '../../src/core/api-request.js';
import { parseIntrospectionResponse, parseBearerResponse } from '../../src/core/oauth/endpoints.js';
import { describeValue, JsonDepthError, parseJson } from '../../src/core/json.js';
import { askedNonce, judgeProof } from '../../src/core/oauth/dpop.js';
import { keyUsage, x5cCertificates } from '../../src/core/keys/x5c.js';
import { decryptJwe, passwordKey } from '../../src/core/jwt/jwe.js';
import { describeKeyObject, type LoadedKey } from '../../src/core/keys/load.js';
import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { renderReport } from '../../src/commands/decode/run.js';
import { PLAIN, renderFindings } from '../../src/io/output.js';

type Rng = () => number;

/** mulberry32: small, fast and deterministic for a seed. */
function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: Rng, max: number) => Math.floor(r() * max);
const b64 = (text: string) => Buffer.from(text).toString('base64url');

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'then', 'toJSON'];
const CLAIMS = [
  'exp',
  'nbf',
  'iat',
  'iss',
  'sub',
  'aud',
  'jti',
  'scope',
  'scp',
  'tenant_id',
  'azp',
  'client_id',
  'crit',
  'typ',
  'alg',
  'kid',
  'enc',
  'kty',
  'k',
  'd',
];
const KILLERS = [
  'a.',
  'eyJhbGciOi.',
  '-----BEGIN PRIVATE KEY-----',
  '"kty":',
  '{"kty":',
  'password=',
  'Authorization: ',
  'Bearer ',
  '://a:b@',
  'secret',
  'curl -u a:',
  '${',
  '\\',
  '"',
  '[',
  '{',
  '=',
  '\n',
  ' ',
];

/** A JSON value of a hostile shape: deep, odd-typed, prototype-keyed, huge, or plain. */
function value(r: Rng, depth = 0): string {
  const roll = r();
  if (roll < 0.05) {
    const n = 50 + int(r, 6000);
    const open = pick(r, ['[', '{"a":']);
    return `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`;
  }
  if (roll < 0.25 && depth < 4) {
    const keys = Array.from({ length: int(r, 5) }, () => (r() < 0.4 ? pick(r, PROTO_KEYS) : r() < 0.7 ? pick(r, CLAIMS) : `k${int(r, 100)}`));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${value(r, depth + 1)}`).join(',')}}`;
  }
  if (roll < 0.35 && depth < 4) return `[${Array.from({ length: int(r, 4) }, () => value(r, depth + 1)).join(',')}]`;
  return pick(r, [
    () => 'null',
    () => 'true',
    () => String(int(r, 2_000_000_000)),
    () => pick(r, ['1e308', '-1e308', '1e-308', '-0', '9007199254740993', '0.5', '-1']),
    () => JSON.stringify(pick(r, ['', 'none', 'HS256', 'RS256', 'ES256', 'EdDSA', 'RSA-OAEP', 'A256GCM', 'oct', 'AKP', 'uuid', 'b64'])),
    () => JSON.stringify('x'.repeat(int(r, 2000))),
    () => JSON.stringify(String.fromCharCode(...Array.from({ length: int(r, 20) }, () => int(r, 0xffff)))),
  ])();
}

function object(r: Rng, keys: readonly string[]): string {
  const chosen = Array.from({ length: 1 + int(r, 6) }, () => (r() < 0.2 ? pick(r, PROTO_KEYS) : pick(r, keys)));
  return `{${chosen.map((k) => `${JSON.stringify(k)}:${value(r)}`).join(',')}}`;
}

function killerLine(r: Rng, bytes = 60_000): string {
  const piece = pick(r, KILLERS);
  const n = 1 + int(r, bytes / Math.max(1, piece.length));
  return `${pick(r, ['', 'x ', 'token: ', 'password = '])}${piece.repeat(n)}${pick(r, ['', ' eyJ', '://x token', '-----END PRIVATE KEY-----', '}', '"'])}`;
}

function token(r: Rng): string {
  const roll = r();
  if (roll < 0.1) return killerLine(r).slice(0, 70_000);
  if (roll < 0.2) return Array.from({ length: int(r, 7) }, () => b64(value(r))).join('.');
  const header = r() < 0.8 ? object(r, ['alg', 'typ', 'kid', 'crit', 'enc', 'b64', 'jku', 'x5u']) : value(r);
  const payload = r() < 0.8 ? object(r, CLAIMS) : value(r);
  const segments = [b64(header), b64(payload), r() < 0.5 ? b64('sig'.repeat(int(r, 30))) : pick(r, ['', '!!', 'A'])];
  if (r() < 0.1) segments.push('AAAA', 'BBBB');
  return `${pick(r, ['', ' ', 'Bearer ', '"', "'"])}${segments.join('.')}${pick(r, ['', '\n', '"', ' '])}`;
}

function keyFile(r: Rng): string {
  return pick(r, [
    () => object(r, ['kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'k', 'alg', 'kid', 'use', 'keys']),
    () => `{"keys":[${Array.from({ length: int(r, 4) }, () => object(r, ['kty', 'crv', 'x', 'y', 'n', 'e', 'k', 'alg', 'kid', 'use'])).join(',')}]}`,
    () =>
      `-----BEGIN ${pick(r, ['PRIVATE KEY', 'PUBLIC KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'CERTIFICATE', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY'])}-----\n${Buffer.from(Array.from({ length: int(r, 400) }, () => int(r, 256))).toString('base64')}\n-----END PRIVATE KEY-----\n`,
    () => killerLine(r),
  ])();
}

function toml(r: Rng): string {
  const lines: string[] = [];
  for (let i = 0; i < 1 + int(r, 5); i++) {
    lines.push(`[profiles.${pick(r, ['a', 'b-1', ...PROTO_KEYS, '"x y"', 'ok'])}]`);
    for (let j = 0; j < int(r, 6); j++)
      lines.push(
        `${pick(r, ['client_id', 'grant', 'token_url', 'policy', 'mint', 'private_key', 'client_secret', ...PROTO_KEYS])} = ${pick(r, ['"x"', '1', 'true', '[1,2]', '{ a = 1 }', '"client_credentials"', '[[[[[[1]]]]]]', '"""'])}`,
      );
    if (r() < 0.3)
      lines.push(
        `[profiles.a.policy]`,
        `${pick(r, ['audience', 'leeway', 'claim_types', 'preset', ...PROTO_KEYS])} = ${pick(r, ['"x"', '-1', '"1h"', '{ toString = "string" }', '"constructor"'])}`,
      );
  }
  if (r() < 0.2) lines.unshift(pick(r, ['default_profile = 1', 'token_cache = "x"', 'toString = 1', '__proto__ = 1']));
  return r() < 0.1 ? killerLine(r) : lines.join('\n');
}

function response(r: Rng): { status: number; headers: Record<string, string>; body: Uint8Array; url: string } {
  const text =
    r() < 0.7
      ? r() < 0.7
        ? object(r, [
            'access_token',
            'active',
            'error',
            'error_description',
            'expires_in',
            'token_type',
            'jwt',
            'message',
            'refresh_token',
            'issued_token_type',
            'request_uri',
          ])
        : value(r)
      : killerLine(r);
  return { status: pick(r, [200, 200, 201, 400, 401, 403, 404, 405, 429, 500, 302]), headers: {}, body: Buffer.from(text), url: 'http://127.0.0.1:1/endpoint' };
}

/** A real certificate (openssl, P-256, CA with keyCertSign), for mutations of a DER the reader must survive. */
const CERT_DER = Buffer.from(
  'MIIBgzCCASmgAwIBAgIUB2t/ow08sWZSdBkReV1GgPvOhWUwCgYIKoZIzj0EAwIwDzENMAsGA1UEAwwEZnV6ejAeFw0yNjEyMDgwMTA0NDhaFw0zNjEyMDUwMTA0NDhaMA8xDTALBgNVBAMMBGZ1enowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR+prWwg5z2n65IO47Z7Fc9JFiqvF1zYSHZ6IHEDNDcnvrbnnhXNJ7rl3L4LR5SNh+mJEFqCIkaCkBxgeaESdFbo2MwYTAdBgNVHQ4EFgQU8jm32U9B5eOBslowORlq9QIuEmkwHwYDVR0jBBgwFoAU8jm32U9B5eOBslowORlq9QIuEmkwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDSAAwRQIhAI7cCOMkoSmlHaSuhSKTVvHQm2gelxUQy5UD23khibIKAiAOw/1ll2WY6lMrW8l5YQZDBJLz5XGtuZbT1A3R1WIcLg==',
  'base64',
);

/** Decryption keys of each kind, made once: what `--decrypt-key` and a password give the JWE code. */
const JWE_KEYS: LoadedKey[] = [
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  generateKeyPairSync('x25519').privateKey,
  createSecretKey(Buffer.alloc(32, 7)),
].map((key) => ({ kind: key.type === 'secret' ? ('secret' as const) : ('private' as const), key, ...describeKeyObject(key), source: 'pkcs8' as const }));
JWE_KEYS.push(passwordKey('fuzz-password'));

const POLICIES = [
  {},
  ...Object.values(BUILTIN_POLICIES),
  { issuer: ['x'], audience: ['y'], requiredScopes: ['read'], requireJti: true, typ: 'at+jwt', understoodCrit: ['exp'] },
];
const style = PLAIN;

/** The targets, each a function of one generated input that may return (or resolve) or throw an AuthctlError. */
const TARGETS: Record<string, (r: Rng) => void | Promise<void>> = {
  token(r) {
    const report = inspectToken(token(r), pick(r, POLICIES), { now: 1_800_000_000, strict: r() < 0.5, seenJti: new Set(['a']) });
    if (report.token) JSON.stringify(renderReport(report, report.token.kind === 'jws' ? describeTimes(report.token.payload, 1_800_000_000) : {}, style));
    JSON.stringify(report.findings);
    renderFindings(report.findings, style);
  },
  claims(r) {
    const header = JSON.parse(object(r, ['alg', 'typ', 'crit', 'b64'])) as Record<string, unknown>;
    const payload = JSON.parse(object(r, CLAIMS)) as Record<string, unknown>;
    JSON.stringify(validateClaims(header, payload, pick(r, POLICIES), { now: 1_800_000_000 }));
  },
  key(r) {
    const text = keyFile(r);
    try {
      // as verify reads a JWKS file
      const jwks = toJwks(parseJson(text));
      allowedAlgorithms({ kind: 'jwks', jwks }, undefined);
    } catch (error) {
      if (!(error instanceof SyntaxError) && !(error instanceof JsonDepthError) && !(error instanceof AuthctlError)) throw error;
    }
    loadKey(text, r() < 0.3 ? { passphrase: 'p' } : {});
  },
  config(r) {
    parseConfig(toml(r), 'config.toml');
  },
  settings(r) {
    parseServerSettings(toml(r).replace(/profiles/g, pick(r, ['clients', 'users', 'partners'])), 'settings.toml');
  },
  policy(r) {
    let table: unknown;
    try {
      table = parseJson(object(r, POLICY_KEYS)); // as a policy file is read
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof JsonDepthError) return;
      throw error;
    }
    parsePolicy(table as Record<string, unknown>, 'policy.json');
  },
  response(r) {
    const res = response(r);
    pick(r, [
      () => parseTokenResponse(res, 'client_secret_basic', { grant: pick(r, ['refresh_token', 'token_exchange', 'client_credentials']) }),
      () => parseIntrospectionResponse(res),
      () => parseBearerResponse(res),
      () => parsePushedAuthorizationResponse(res, 'client_secret_basic'),
    ])();
  },
  paste(r) {
    // what people paste around a token: JSON responses, callback URLs, header lines, wrapped lines
    const inner = token(r);
    const text = pick(r, [
      () => `{"access_token":${JSON.stringify(inner)},"id_token":${value(r)}}`,
      () => `https://app.example/cb#access_token=${inner}&${killerLine(r, 2000)}`,
      () => `Authorization: ${pick(r, ['Bearer', 'DPoP', ''])} ${inner}`,
      () => inner.match(/.{1,7}/g)?.join(pick(r, ['\n', ' ', '\r\n '])) ?? '',
      () => killerLine(r, 50_000),
    ])();
    unwrapPastedToken(text);
    inspectToken(text, {}, { now: 1_800_000_000 });
  },
  link(r) {
    // Link headers (api --paginate) and gh-style fields: linear, never a crash
    const header =
      r() < 0.5
        ? killerLine(r, 16_000)
        : Array.from(
            { length: int(r, 50) },
            () => `<${pick(r, ['https://x/a', '/rel', '', '<', 'http://[bad'])}>${pick(r, ['; rel="next"', '; rel=prev', ';;;', ', ', ''])}`,
          ).join(pick(r, [', ', ',', '']));
    nextPage(header, 'https://x/');
    const fields = Array.from(
      { length: int(r, 8) },
      () => `${pick(r, ['a', 'a[]', 'a[b]', 'a[][c]', '__proto__[x]', 'b]', 'c[d][e]'])}=${pick(r, ['1', 'true', 'x', 'null', ''])}`,
    );
    fieldsObject(fields.map((f) => parseField(f, r() < 0.5)));
  },
  async dpop(r) {
    // DPoP proofs as serve's token endpoint and API judge them, and the nonce challenges a client reads
    const jwk = r() < 0.3 ? value(r) : object(r, ['kty', 'crv', 'x', 'y', 'n', 'e', 'd', 'k', 'alg', 'use']);
    const header =
      r() < 0.8
        ? `{"typ":${pick(r, ['"dpop+jwt"', '"JWT"', '1'])},"alg":${pick(r, ['"ES256"', '"none"', '"HS256"', '"EdDSA"', '{}'])},"jwk":${jwk}}`
        : value(r);
    const payload = r() < 0.8 ? object(r, ['jti', 'htm', 'htu', 'iat', 'ath', 'nonce', 'exp']) : value(r);
    const proof = r() < 0.1 ? killerLine(r, 8000) : [b64(header), b64(payload), b64('sig'.repeat(int(r, 30)))].join('.');
    const verdict = await judgeProof(proof, {
      htm: pick(r, ['GET', 'POST', 'get', '']),
      htu: pick(r, ['https://as.example/token', 'http://127.0.0.1:1/v1/x?y#z']),
      now: 1_800_000_000,
      ...(r() < 0.5 ? { accessToken: token(r) } : {}),
      ...(r() < 0.5 ? { jkt: 'x' } : {}),
      ...(r() < 0.5 ? { nonce: 'n' } : {}),
      seenJti: new Set(['a']),
    });
    renderFindings(verdict.findings, style);
    const hostile = () =>
      r() < 0.5 ? killerLine(r, 20_000) : pick(r, ['DPoP error="use_dpop_nonce"', 'Bearer, DPoP algs="ES256"', 'dpop error=use_dpop_nonce', '']);
    askedNonce({
      status: pick(r, [400, 401, 200]),
      headers: { 'dpop-nonce': r() < 0.5 ? 'n-1' : hostile(), 'www-authenticate': hostile() },
      body: Buffer.from(r() < 0.5 ? object(r, ['error', 'error_description']) : killerLine(r, 4000)),
    });
  },
  async jwe(r) {
    // the decryption path a hostile JWE reaches: allow-lists, PBES2 counts, zip, then jose, one answer
    const epk = object(r, ['kty', 'crv', 'x', 'y']);
    const header =
      r() < 0.8
        ? `{"alg":${pick(r, ['"RSA-OAEP-256"', '"ECDH-ES+A256KW"', '"ECDH-ES"', '"A256KW"', '"dir"', '"PBES2-HS256+A128KW"', '"RSA1_5"', '1'])},"enc":${pick(r, ['"A256GCM"', '"A128CBC-HS256"', '"A1GCM"', 'null'])},"p2c":${pick(r, ['1', '1000', '1000000000', '-1', '"x"'])},"p2s":${pick(r, ['"AAAAAAAAAAA"', '""', '7'])},"epk":${epk}${r() < 0.2 ? ',"zip":"DEF"' : ''}}`
        : value(r);
    const segment = () => (r() < 0.2 ? killerLine(r, 4000) : b64(String.fromCharCode(...Array.from({ length: int(r, 80) }, () => int(r, 256)))));
    const jwe = [b64(header), segment(), segment(), segment(), segment()].join('.');
    let parsed: unknown;
    try {
      parsed = parseJson(header);
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
    await decryptJwe(jwe, parsed as Record<string, unknown>, pick(r, JWE_KEYS));
  },
  x5c(r) {
    // the key usage reader walks DER by hand: a real certificate flipped, cut or grown, or noise
    const der = Buffer.from(CERT_DER);
    for (let i = 0; i < 1 + int(r, 8); i++) der[int(r, der.length)] = int(r, 256);
    const input = pick(r, [
      () => der,
      () => der.subarray(0, int(r, der.length)),
      () => Buffer.concat([der, Buffer.alloc(int(r, 64), int(r, 256))]),
      () => Buffer.from(Array.from({ length: int(r, 600) }, () => int(r, 256))),
      () => Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, ...der]),
    ])();
    keyUsage(input);
    const certs = x5cCertificates(pick(r, [[input.toString('base64')], [CERT_DER.toString('base64'), input.toString('base64')], [value(r)]]));
    if (Array.isArray(certs)) for (const cert of certs) keyUsage(cert.raw);
  },
  scan(r) {
    const text = r() < 0.5 ? killerLine(r, 400_000) : Array.from({ length: 1 + int(r, 20) }, () => (r() < 0.5 ? token(r) : keyFile(r))).join('\n');
    const started = performance.now();
    scanText(text, pick(r, ['a.json', 'b.yaml', '.env', 'c.txt', 'd.sh']), 1_800_000_000);
    // Linear time: such a line scans in milliseconds; a quadratic detector takes tens of seconds
    // on 400 KB. The bound is loose enough for a busy machine and tight enough to tell the two apart.
    const ms = performance.now() - started;
    if (ms > 1000 + text.length / 100) throw new Error(`slow: ${Math.round(ms)} ms for ${text.length} bytes`);
  },
};

export interface FuzzReport {
  seed: number;
  inputs: number;
  seconds: number;
  rate: number;
  byTarget: Record<string, number>;
  failures: { target: string; seed: number; error: string }[];
}

/** Runs `count` inputs spread over every target, each from its own derived seed so a failure replays alone. */
export async function fuzz(count: number, seed: number, only?: string): Promise<FuzzReport> {
  const names = Object.keys(TARGETS).filter((n) => !only || n === only);
  const failures: FuzzReport['failures'] = [];
  const byTarget: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const target = names[i % names.length]!;
    const inputSeed = (seed * 1_000_003 + i) >>> 0;
    byTarget[target]!++;
    try {
      await TARGETS[target]!(rng(inputSeed));
    } catch (error) {
      if (error instanceof AuthctlError && /^[a-z][a-z0-9_]*$/.test(error.code)) continue;
      failures.push({ target, seed: inputSeed, error: describeValue(error instanceof Error ? `${error.name}: ${error.message}` : error, 200) });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { seed, inputs: count, seconds: Math.round(seconds * 100) / 100, rate: Math.round(count / seconds), byTarget, failures };
}
