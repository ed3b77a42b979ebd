import { describe, expect, it } from 'vitest';
import { detect, isPlaceholder } from '../../src/core/scan/rules.js';
import { scanFingerprint, scanText } from '../../src/core/scan/scan.js';
import { parseBaseline, toBaseline, accepts } from '../../src/core/scan/report.js';

const NOW = 1_800_000_000;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (payload: object) => `${b64({ alg: 'HS256' })}.${b64(payload)}.${'s'.repeat(10)}Ab3dEf6hIj9kLm2nOp5qRs8tUv`;

describe('placeholders and references are not secrets', () => {
  it.each([
    'your-api-secret',
    '${CLIENT_SECRET}',
    '$CLIENT_SECRET',
    '<token>',
    '{{ .Values.secret }}',
    'changeme',
    'xxxxxxxx',
    '********',
    'process.env.SECRET',
    'REPLACE_ME_LATER',
  ])('%s is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });
  it.each(['Zk8pQ2vX9mL4nR7tB3wY', 'Tr0ub4dor&3x', '9f8e7d6c5b4a3f2e1d0c9b8a'])('%s is not', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
  it('a URL, a path or a number assigned to a secret-sounding key is a reference', () => {
    const text = ['CLIENT_SECRET_FILE=/run/secrets/client', 'API_KEY=https://vault.internal/v1/key', 'TOKEN_TTL=3600000', 'PASSWORD=./secrets/pw.txt'].join(
      '\n',
    );
    expect(detect(text, { now: NOW, configLike: true })).toEqual([]);
  });
  it('a URL with credentials in it is not a reference', () => {
    // authctl:allow (fixture)
    const hits = detect('DATABASE_URL=postgres://app:Hq3nV8zP5mK2wX7c@db.internal:5432/app\n', { now: NOW, configLike: true });
    expect(hits.map((h) => [h.rule, h.secret])).toEqual([['basic-auth', 'Hq3nV8zP5mK2wX7c']]);
  });
});

describe('assignments', () => {
  it('are only looked for in config-like files; curl commands everywhere', () => {
    const text = 'password = "k8#Qz!v2@Lm"\n';
    expect(detect(text, { now: NOW, configLike: false })).toEqual([]);
    expect(detect(text, { now: NOW, configLike: true }).map((h) => h.rule)).toEqual(['password']);
    // authctl:allow (fixture)
    expect(detect('curl -u svc:k8Qzv2Lm9x https://x\n', { now: NOW, configLike: false }).map((h) => h.rule)).toEqual(['basic-auth']);
  });
  it('a JWT assigned to a key is judged once, by the token rule', () => {
    const hits = detect(`ACCESS_TOKEN=${jwt({ sub: 'a', exp: NOW + 60 })}\n`, { now: NOW, configLike: true });
    expect(hits.map((h) => [h.rule, h.severity])).toEqual([['jwt', 'critical']]);
  });
});

describe('tokens', () => {
  it('ranks live above expired and names a missing exp', () => {
    const [live] = detect(jwt({ exp: NOW + 600 }), { now: NOW, configLike: false });
    const [expired] = detect(jwt({ exp: NOW - 600 }), { now: NOW, configLike: false });
    const [forever] = detect(jwt({ sub: 'x' }), { now: NOW, configLike: false });
    expect([live!.severity, expired!.severity, forever!.severity]).toEqual(['critical', 'low', 'critical']);
    expect(forever!.message).toMatch(/^live, never expires \(no exp\)/);
  });
  it('skips made-up and truncated examples', () => {
    for (const text of [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0…',
      'eyJub3QganNvbg.eyJzdWIiOiIxIn0.Ab3dEf6hIj9kLm2nOp5qRs8tUv',
    ]) {
      expect(detect(text, { now: NOW, configLike: true })).toEqual([]);
    }
  });
});

describe('scanText', () => {
  it('gives 1-based line and column, honours authctl:allow on the line or the line above', () => {
    const token = jwt({ exp: NOW + 600 });
    const text = `first line\n  x = "${token}"\n// authctl:allow\n${token}\n${token} // authctl:allow\n`;
    const findings = scanText(text, 'a.txt', NOW);
    expect(findings.map((f) => [f.line, f.column, f.rule])).toEqual([[2, 8, 'jwt']]);
    expect(findings[0]!.masked).not.toContain(token.slice(20));
    expect(findings[0]!.fingerprint).toBe(scanFingerprint('jwt', 'a.txt', token));
  });
  it('fingerprints depend on the secret and the path, not on the line', () => {
    const a = scanText('CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY\n', '.env', NOW)[0]!;
    const b = scanText('\n\n# moved\nCLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY\n', '.env', NOW)[0]!;
    const c = scanText('CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY\n', 'other/.env', NOW)[0]!;
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    // a baseline keys by the secret alone: a moved file keeps its secret accepted
    expect(a.secretFingerprint).toBe(c.secretFingerprint);
    const baseline = parseBaseline(JSON.stringify(toBaseline([a, b])), 'b.json');
    expect(baseline).toEqual(new Set([a.secretFingerprint]));
    expect(accepts(baseline, c)).toBe(true);
    // an old (version 1) baseline, keyed by rule, path and secret, still loads and accepts
    const old = parseBaseline(JSON.stringify({ version: 1, fingerprints: [{ fingerprint: a.fingerprint, rule: 'client-secret', path: '.env' }] }), 'old.json');
    expect([accepts(old, a), accepts(old, c)]).toEqual([true, false]);
  });
});
