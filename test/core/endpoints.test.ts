import { describe, expect, it } from 'vitest';
import { revealSaid } from '../../src/core/untrusted-text.js';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK } from 'jose';
import { jsonBody, parseJwksResponse, parseServerMetadata } from '../../src/core/oauth/discovery.js';
import {
  buildHealthRequest,
  buildIntrospectionRequest,
  buildRemoteVerifyRequest,
  buildRevocationRequest,
  parseBearerResponse,
  parseIntrospectionResponse,
  parseRevocationResponse,
  toFindingCode,
} from '../../src/core/oauth/endpoints.js';
import { githubAnnotations, parseBaseline, toBaseline, toSarif } from '../../src/core/scan/report.js';
import { scanText, type ScanFinding } from '../../src/core/scan/scan.js';
import type { AuthctlError } from '../../src/errors.js';

const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  url: 'https://as.example/endpoint',
});
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return [(error as AuthctlError).code, (error as AuthctlError).exitCode];
  }
  return undefined;
};

describe('metadata and JWKS responses', () => {
  it('metadata must name the issuer asked for (RFC 8414 §3.3)', () => {
    expect(parseServerMetadata(res(200, { issuer: 'https://as.example/', token_endpoint: 'https://as.example/t' }), 'https://as.example').token_endpoint).toBe(
      'https://as.example/t',
    );
    // endpoints that will receive the client's secrets: never downgraded to http, never with credentials in them
    for (const token_endpoint of ['http://as.example/t', 'https://u:p@as.example/t', 'not a url', 'file:///t'])
      expect(codeOf(() => parseServerMetadata(res(200, { issuer: 'https://as.example', token_endpoint }), 'https://as.example'))).toEqual([
        'invalid_response',
        3,
      ]);
    expect(parseServerMetadata(res(200, { issuer: 'http://127.0.0.1:1', jwks_uri: 'http://127.0.0.1:1/j' }), 'http://127.0.0.1:1').jwks_uri).toBe(
      'http://127.0.0.1:1/j',
    );
    expect(codeOf(() => parseServerMetadata(res(200, { issuer: 'https://evil.example' }), 'https://as.example'))).toEqual(['invalid_response', 3]);
    expect(codeOf(() => parseServerMetadata(res(404, ''), 'https://as.example'))).toEqual(['http_error', 3]);
  });

  it('a JWKS needs a keys array; a body must be a JSON object', () => {
    expect(parseJwksResponse(res(200, { keys: [] })).keys).toEqual([]);
    expect(codeOf(() => parseJwksResponse(res(200, { nokeys: 1 })))).toEqual(['invalid_response', 3]);
    expect(codeOf(() => parseJwksResponse(res(500, '')))).toEqual(['http_error', 3]);
    expect(codeOf(() => jsonBody(res(200, '<html>'), 'x'))).toEqual(['invalid_response', 3]);
    expect(codeOf(() => jsonBody(res(200, '[1]'), 'x'))).toEqual(['invalid_response', 3]);
  });
});

describe('introspection, revocation, verify and health endpoints', () => {
  const profile = {
    introspection_url: 'https://as/i',
    revocation_url: 'https://as/r',
    verify_url: 'https://api/v',
    health_url: 'https://api/ping',
    client_id: 'c',
  };

  it('requests: RFC 7662 and 7009 with client auth, Gooclaim bearer + JSON, bearer GETs', () => {
    const introspect = buildIntrospectionRequest(profile, 'tok', { hint: 'access_token', credentials: { clientSecret: 's' } });
    expect([introspect.url, introspect.body, introspect.headers.authorization?.startsWith('Basic ')]).toEqual([
      'https://as/i',
      'token=tok&token_type_hint=access_token',
      true,
    ]);
    const gooclaim = buildIntrospectionRequest({ ...profile, introspection_style: 'bearer-json' }, 'tok', { credentials: {}, bearer: 'mine' });
    expect([gooclaim.headers.authorization, gooclaim.body]).toEqual(['Bearer mine', '{"token":"tok"}']);
    expect(codeOf(() => buildIntrospectionRequest({ ...profile, introspection_style: 'bearer-json' }, 't', { credentials: {} }))).toEqual([
      'missing_client_setting',
      2,
    ]);
    expect(buildRevocationRequest(profile, 'tok', { credentials: { clientSecret: 's' } }).body).toBe('token=tok');
    expect(buildRemoteVerifyRequest(profile, 'tok')).toMatchObject({ method: 'GET', url: 'https://api/v', headers: { authorization: 'Bearer tok' } });
    expect(buildHealthRequest(profile, 'tok').url).toBe('https://api/ping');
    expect(codeOf(() => buildHealthRequest({}, 'tok'))).toEqual(['missing_endpoint', 2]);
  });

  it('responses: active needs a boolean; revocation 200; provider codes on the shared vocabulary', () => {
    expect(parseIntrospectionResponse(res(200, { active: false }))).toEqual({ active: false });
    expect(codeOf(() => parseIntrospectionResponse(res(200, { active: 'yes' })))).toEqual(['invalid_response', 3]);
    expect(codeOf(() => parseIntrospectionResponse(res(401, { error: 'invalid_client' }), 'api_key'))).toEqual(['invalid_client', 4]);
    expect(parseRevocationResponse(res(200, ''))).toBeUndefined();
    expect(codeOf(() => parseRevocationResponse(res(503, '')))).toEqual(['server_error', 3]);
    expect(parseBearerResponse(res(200, { status: 'ok' }))).toEqual({ valid: true, findings: [], info: { status: 'ok' } });
    expect(parseBearerResponse(res(204, ''))).toEqual({ valid: true, findings: [] });
    const [expired] = parseBearerResponse(res(401, { error: 'expired_token', message: 'the token expired' })).findings;
    expect({ ...expired, message: revealSaid(expired!.message) }).toEqual({
      code: 'token_expired',
      severity: 'error',
      message: 'expired_token: the token expired',
    });
    expect(parseBearerResponse(res(403, '')).findings[0]?.code).toBe('insufficient_permissions');
    expect(parseBearerResponse(res(400, { code: 'weird\ncode' })).findings[0]?.message).not.toContain('\n');
    expect(codeOf(() => parseBearerResponse(res(404, '')))).toEqual(['not_found', 3]);
    expect([toFindingCode('replayed_token', 401), toFindingCode('signature_invalid', 401), toFindingCode(undefined, 401)]).toEqual([
      'replayed_token',
      'invalid_signature',
      'invalid_token',
    ]);
  });
});

describe('scan reports and key detectors', () => {
  const ed = generateKeyPairSync('ed25519');
  const pem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

  it('PEM keys: found wherever they sit (also with + in their base64, and in a string literal); encrypted ones low', async () => {
    for (let i = 0; i < 20; i++) {
      const key = (generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trim();
      expect(scanText(`x\n${key}\n`, 'k.txt', 0).map((f) => f.rule)).toEqual(['private-key']);
    }
    const lines = pem.trim().split('\n');
    const literal = `const key = "${lines[0]}\\n" +\n  "${lines[1]}\\n" +\n  "${lines[2]}";`;
    expect(scanText(literal, 'k.js', 0).map((f) => f.rule)).toEqual(['private-key']);
    const encrypted = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:pw'], { input: pem }).toString();
    expect(scanText(encrypted, 'e.pem', 0).map((f) => [f.rule, f.severity])).toEqual([['private-key-encrypted', 'low']]);
    expect(scanText('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----', 'x.md', 0)).toEqual([]);
  });

  it('JWKs: private and symmetric ones, not public ones; nested sets find the inner key once', async () => {
    const jwk = await exportJWK(ed.privateKey);
    const pub = await exportJWK(ed.publicKey);
    expect(scanText(JSON.stringify({ keys: [{ ...jwk, kid: 'k1' }, pub] }, null, 2), 'jwks.json', 0).map((f) => [f.rule, f.message])).toEqual([
      ['private-jwk', 'private OKP JWK kid k1'],
    ]);
    expect(scanText(JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' }), 'k.json', 0)[0]?.message).toBe('symmetric (oct) JWK');
    expect(scanText(JSON.stringify(pub), 'pub.json', 0)).toEqual([]);
    expect(scanText('{"kty": "oct", "k": "short"}', 'k.json', 0)).toEqual([]);
  });

  it('SARIF, annotations and baselines', () => {
    const findings: ScanFinding[] = scanText(`${pem}`, 'dir/a key.pem', 0);
    const sarif = toSarif(findings, '1.0.0', [{ path: 'x', reason: 'unreadable' }]) as {
      runs: { results: unknown[]; invocations: { executionSuccessful: boolean }[] }[];
    };
    expect(sarif.runs[0]!.results).toHaveLength(1);
    expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(JSON.stringify(sarif)).toContain('dir/a%20key.pem');
    expect(githubAnnotations(findings)).toMatch(/^::error file=dir\/a key\.pem,line=1,col=1,title=authctl private-key::/);
    const baseline = toBaseline(findings);
    expect(parseBaseline(JSON.stringify(baseline), 'b.json')).toEqual(new Set(findings.map((f) => f.secretFingerprint)));
    expect(codeOf(() => parseBaseline('nope', 'b.json'))).toEqual(['baseline_invalid', 2]);
    expect(codeOf(() => parseBaseline('{"version":2}', 'b.json'))).toEqual(['baseline_invalid', 2]);
  });
});
