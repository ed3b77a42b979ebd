import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cleanupHomes, runCli } from '../helpers/cli.js';
import { opensslDir, opensslHs256, opensslRs256, opensslRsaKey, unsecured } from '../helpers/openssl.js';

const now = () => Math.floor(Date.now() / 1000);
let rsaKey: string;

beforeAll(() => {
  rsaKey = opensslRsaKey(opensslDir());
});
afterAll(cleanupHomes);

function noStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('authctl decode (tokens signed by openssl)', () => {
  it('shows header, claims, human times and the NOT VERIFIED marker', async () => {
    const token = opensslRs256({ iss: 'partner-123', sub: 'user-123', aud: 'justgold-api', iat: now() - 60, exp: now() + 840 }, rsaKey);
    const { code, stdout, stderr } = await runCli(['decode', token]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/alg\s+RS256/);
    expect(stdout).toMatch(/aud\s+justgold-api/);
    expect(stdout).toMatch(/exp\s+\d+\s+\d{4}-\d\d-\d\dT[\d:]+Z \(in 1[45] min\)/);
    expect(stdout).toMatch(/256 bytes/);
    expect(stdout).toContain('NOT VERIFIED');
  });

  it('reads stdin with a Bearer prefix and whitespace, and prints JSON', async () => {
    const token = opensslHs256({ sub: 'a', exp: now() - 3 * 3600 }, 'x'.repeat(32));
    const { code, stdout } = await runCli(['decode', '--json'], { input: `\n  Bearer ${token}  \n` });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.verified).toBe(false);
    expect(doc.payload.sub).toBe('a');
    expect(doc.times.exp.relative).toBe('3 h ago');
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['token_expired']);
  });

  it('finds the token in a pasted token response, header line, callback URL or wrapped paste, and says where it was', async () => {
    const token = opensslHs256({ sub: 'pasted', exp: now() + 600 }, 'x'.repeat(32));
    const response = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600, refresh_token: 'r-123' });
    const fromResponse = await runCli(['decode', '--json'], { input: response });
    expect(JSON.parse(fromResponse.stdout)).toMatchObject({
      found_in: 'the access_token of a token response (it also holds a refresh_token, not shown: decode it by itself)',
      payload: { sub: 'pasted' },
    });
    expect(fromResponse.stdout).not.toContain('r-123');
    for (const paste of [`Authorization: Bearer ${token}`, `https://app.example/cb#access_token=${token}&state=s`, token.match(/.{1,40}/g)!.join('\n')]) {
      const r = await runCli(['decode', '--json', paste]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).payload.sub).toBe('pasted');
    }
    expect((await runCli(['decode', `https://app.example/cb#access_token=${token}`])).stdout).toMatch(/^Token: the access_token of a callback URL\n/);
  });

  it('--jq filters the JSON of any command (strings raw, one result per line); a bad expression is a usage error', async () => {
    const token = opensslHs256({ sub: 'jq-user', aud: ['a', 'b'], exp: now() + 600 }, 'x'.repeat(32));
    expect((await runCli(['decode', '--jq', '.payload.sub', token])).stdout).toBe('jq-user\n');
    expect((await runCli(['--jq', '.payload.aud[]', 'decode', token])).stdout).toBe('a\nb\n');
    expect((await runCli(['decode', '--jq', '.payload | {sub}', token])).stdout).toBe('{\n  "sub": "jq-user"\n}\n');
    expect((await runCli(['decode', '--jq', 'empty', token])).stdout).toBe('');
    // a stream (lint of stdin) is filtered result by result
    const lines = await runCli(['lint', '--jq', '.valid', '-'], { input: `${token}\nnot-a-token\n` });
    expect(lines.stdout).toBe('true\nfalse\n');
    const bad = await runCli(['decode', '--jq', '.payload[', token]);
    expect([bad.code, JSON.parse(bad.stdout).error]).toEqual([
      2,
      { code: 'invalid_argument', message: expect.stringMatching(/^--jq: syntax error/), hint: 'see https://jqlang.org/manual/' },
    ]);
  });

  it('annotates an unsecured token', async () => {
    const { code, stdout } = await runCli(['decode', unsecured({ sub: 'a', exp: now() + 60 })]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/none \(unsecured JWT\)/);
    expect(stdout).toMatch(/alg_not_allowed/);
  });

  it('shows only the header of a JWE and says it is encrypted', async () => {
    const seg = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    const jwe = [seg({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }), seg('k'), seg('iv'), seg('ct'), seg('tag')].join('.');
    const { code, stdout } = await runCli(['decode', jwe]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/JWE: the payload is encrypted/);
    expect(stdout).toMatch(/enc\s+A256GCM/);
  });

  it.each([
    ['garbage', 'not-a-token', /found 1/],
    ['two segments', 'abc.def', /found 2/],
    ['bad base64url', 'eyJhbGciOiJIUzI1NiJ9.e$30.sig', /segment 2 \(payload\) is not base64url: unexpected character '\$'/],
  ])('refuses %s with invalid_token, exit 1, one line', async (_name, input, message) => {
    const { code, stdout, stderr } = await runCli(['decode', input]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^authctl: error\[invalid_token\]: not a valid token: /);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gives a JSON error document with --json', async () => {
    const { code, stdout } = await runCli(['decode', '--json', 'nope']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'invalid_token', message: expect.stringMatching(/found 1/) } });
  });

  it('never crashes on empty, random, binary or huge input', async () => {
    const inputs: (string | Buffer)[] = [
      '',
      '\n\n',
      randomBytes(4096),
      Buffer.alloc(1000, 0),
      'a'.repeat(2 * 1024 * 1024),
      `${'eyJ'.repeat(1000)}.${'x'.repeat(5000)}.`,
    ];
    for (const input of inputs) {
      const { code, stderr } = await runCli(['decode'], { input });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^authctl: error\[invalid_token\]/);
      noStack(stderr);
    }
  });

  it('refuses an empty token argument', async () => {
    const { code, stderr } = await runCli(['decode', '']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/empty/);
  });
});

describe('authctl lint', () => {
  const secret = 'gamification-api-secret-of-32-bytes!';
  const good = () => opensslHs256({ sub: 'user_123', iss: 'tenant', aud: 'app', iat: now(), exp: now() + 3600, scope: ['read', 'write'] }, secret);

  it('passes a gamification token against the built-in policy', async () => {
    const { code, stdout } = await runCli(['lint', '--policy', 'gamification', good()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/passes \(0 errors, 0 warnings\)/);
  });

  it('fails with codes for a token that breaks ad-hoc rules', async () => {
    const token = opensslHs256({ sub: 'u', iss: 'other', aud: ['x'], iat: now(), exp: now() + 7200, scope: 'read' }, secret);
    const { code, stdout } = await runCli([
      'lint',
      '--json',
      '--iss',
      'tenant',
      '--aud',
      'app',
      '--require-scope',
      'write',
      '--max-lifetime',
      '1h',
      '--require',
      'tenant_id',
      token,
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.valid).toBe(false);
    expect(doc.token).toMatch(/^eyJhbGciOi…\(sha256:[0-9a-f]{8}\)$/);
    expect(doc.findings.map((f: { code: string }) => f.code).sort()).toEqual([
      'insufficient_permissions',
      'invalid_audience',
      'invalid_issuer',
      'lifetime_too_long',
      'missing_required_claim',
    ]);
  });

  it('--strict fails on warnings', async () => {
    const token = opensslHs256({ sub: 'u' }, secret);
    expect((await runCli(['lint', token])).code).toBe(0);
    const strict = await runCli(['lint', '--strict', token]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/missing_required_claim/);
  });

  it('checks many tokens from stdin in one process, one NDJSON line each', async () => {
    const tokens = [good(), 'garbage', '', good(), opensslHs256({ sub: 'u', exp: 1 }, secret)];
    const { code, stdout } = await runCli(['lint', '--json', '--policy', 'gamification'], { input: tokens.join('\n') });
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.valid])).toEqual([
      [1, true],
      [2, false],
      [3, false], // a blank line too gets its result: one per input line
      [4, true],
      [5, false],
    ]);
    expect(lines[1].findings[0].code).toBe('invalid_token');
  });

  it('reads a policy file and reports a bad one with exit 2', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/authctl-policy-');
    writeFileSync(`${dir}/ok.toml`, 'preset = "gamification"\nrequired_scopes = ["admin"]\n');
    writeFileSync(`${dir}/bad.toml`, 'audience = \n');
    const ok = await runCli(['lint', '--policy', `${dir}/ok.toml`, good()]);
    expect(ok.code).toBe(1);
    expect(ok.stdout).toMatch(/insufficient_permissions/);
    const bad = await runCli(['lint', '--policy', `${dir}/bad.toml`, good()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^authctl: error\[invalid_policy\]: .*bad\.toml:1: not valid TOML/);
  });
});

describe('the edge', () => {
  it('suggests a command for a typo, exit 2', async () => {
    const { code, stderr } = await runCli(['decod']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^authctl: error\[unknown_command\]: unknown command 'decod'\nhint: Did you mean decode\?/);
  });

  it('suggests a flag for a typo, exit 2', async () => {
    const { code, stderr } = await runCli(['lint', '--leewy', '5', 'x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error\[unknown_option\].*--leewy[\s\S]*Did you mean --leeway/);
  });

  it('rejects a bad duration with exit 2', async () => {
    const { code, stderr } = await runCli(['lint', '--max-lifetime', 'soon', 'x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error\[invalid_argument\].*expected a duration/);
  });

  it('prints the version and help with examples', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^authctl \d+\.\d+\.\d+ \(.*\)\nnode \d+/);
    const help = await runCli(['lint', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
    expect(help.stdout).toMatch(/--json/); // global options are shown on every command
  });

  it('colours only when asked: FORCE_COLOR on, NO_COLOR and --no-color off', async () => {
    const token = opensslHs256({ sub: 'u', exp: 1 }, 'k'.repeat(32));
    const esc = '\u001b[';
    expect((await runCli(['decode', token], { env: { FORCE_COLOR: '1' } })).stdout).toContain(esc);
    expect((await runCli(['decode', token], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain(esc);
    expect((await runCli(['decode', '--no-color', token], { env: { FORCE_COLOR: '1' } })).stdout).not.toContain(esc);
    expect((await runCli(['decode', token])).stdout).not.toContain(esc); // not a terminal
  });
});
