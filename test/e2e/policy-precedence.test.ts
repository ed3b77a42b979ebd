import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome, sandbox } from '../helpers/cli.js';

let dir: string;
let env: Record<string, string>;
const run = (args: string[], extra: { cwd?: string; env?: Record<string, string> } = {}) =>
  runCli(args, { cwd: extra.cwd ?? dir, env: { ...env, ...extra.env } });
let justgoldToken: string;

beforeAll(async () => {
  ({ dir, env } = sandbox());
  // The first profile a user adds becomes the default: a Gooclaim one, as in the README.
  const first = await run(['profile', 'add', 'gooclaim', '--provider', 'gooclaim', '--base-url', 'https://api.gooclaim.com', '--client-id', 'svc']);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/it is the default profile \(the first one\)/);
  expect(first.stdout).toMatch(/authctl credentials set client_secret --profile gooclaim/);
  expect(first.stderr).toMatch(/warning: profile gooclaim pins no issuer, so verify will refuse its tokens/);
  expect((await run(['keygen', '--type', 'ec', '--curve', 'P-256', '--out', 'partner'])).code).toBe(0);
  justgoldToken = (
    await run(['token', 'mint', '--key', 'partner.pem', '--iss', 'partner-123', '--sub', 'user-1', '--aud', 'justgold-api', '--exp', '30m', '--jti', 'auto'])
  ).stdout.trim();
});
afterAll(() => cleanupHomes());

describe('an explicit --policy stands alone', () => {
  it('lint --policy justgold passes a valid JustGold token although the default profile is Gooclaim, and names the policy', async () => {
    const r = await run(['lint', '--policy', 'justgold', justgoldToken]);
    expect(r.stdout).not.toMatch(/tenant_id/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/policy: --policy justgold/);
    const json = await run(['lint', '--policy', 'justgold', '--json', justgoldToken]);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, policy: '--policy justgold' });
  });

  it('without any flag the default profile applies, and the output says so', async () => {
    const r = await run(['lint', '--json', justgoldToken]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).policy).toBe('default profile gooclaim');
    expect(JSON.parse(r.stdout).findings.map((f: { claim?: string }) => f.claim)).toContain('tenant_id');
  });

  it('ad-hoc flags alone replace the default profile; with --profile they add to it', async () => {
    const flags = await run(['lint', '--json', '--aud', 'justgold-api', justgoldToken]);
    expect(JSON.parse(flags.stdout)).toMatchObject({ valid: true, policy: 'flags' });
    const both = await run(['lint', '--json', '--profile', 'gooclaim', '--aud', 'justgold-api', justgoldToken]);
    expect(JSON.parse(both.stdout)).toMatchObject({ valid: false, policy: 'profile gooclaim + flags' });
  });

  it('verify --key with no profile named does not borrow the default profile policy', async () => {
    const r = await run(['verify', '--key', 'partner.pub.pem', '--json', justgoldToken]);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, policy: 'built-in rules' });
    expect(r.code).toBe(0);
    const policy = await run(['verify', '--key', 'partner.pub.pem', '--policy', 'justgold', justgoldToken]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toMatch(/policy: --policy justgold/);
  });
});

describe("without --profile, the profile a token's iss names", () => {
  it('lint picks the profile that expects the iss; another issuer gets the built-in rules, not the default profile; no iss, the default', async () => {
    const h = sandbox(); // its own config; the keys stay in the shared directory
    const go = (args: string[]) => run(args, { env: h.env });
    expect((await go(['profile', 'add', 'a', '--token-url', 'https://a.example/token', '--client-id', 'c', '--expect-iss', 'https://a.example'])).code).toBe(0);
    const jg = [
      'profile',
      'add',
      'jg',
      '--provider',
      'justgold',
      '--base-url',
      'https://sandbox-api.justgold.me',
      '--private-key',
      'partner.pem',
      '--expect-iss',
      'partner-123',
    ];
    expect((await go(jg)).code).toBe(0);
    const policyOf = async (token: string) => JSON.parse((await go(['lint', '--json', token])).stdout) as { valid: boolean; policy: string };
    expect(await policyOf(justgoldToken)).toEqual(expect.objectContaining({ valid: true, policy: "profile jg (it expects the token's iss)" }));
    const mint = async (claims: string[]) => (await go(['token', 'mint', '--key', 'partner.pem', '--sub', 'u', '--exp', '5m', ...claims])).stdout.trim();
    expect((await policyOf(await mint(['--iss', 'https://elsewhere.example']))).policy).toBe("built-in rules (the token's iss is none that a profile expects)");
    expect((await policyOf(await mint([]))).policy).toBe('default profile a');
    // The text says it under the verdict, as always.
    expect((await go(['lint', justgoldToken])).stdout).toMatch(/policy: profile jg \(it expects the token's iss\)/);
  });
});

describe('provider rules from the documents', () => {
  it('verify with a Gooclaim profile that pins no issuer refuses, naming the fix', async () => {
    const r = await run(['verify', '--profile', 'gooclaim', '--key', 'partner.pub.pem', justgoldToken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^authctl: error\[issuer_required\]: profile "gooclaim" pins no issuer, and the Gooclaim document says to always verify the iss claim/,
    );
  });

  it('JustGold jti values must be UUIDs', async () => {
    const other = (
      await run(['token', 'mint', '--key', 'partner.pem', '--iss', 'partner-123', '--sub', 'u', '--aud', 'justgold-api', '--exp', '30m', '--jti', 'not-a-uuid'])
    ).stdout.trim();
    const r = await run(['lint', '--policy', 'justgold', '--json', other]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings).toEqual([
      expect.objectContaining({ code: 'invalid_claim_type', claim: 'jti', message: expect.stringMatching(/must be a UUID/) }),
    ]);
    const uuid = (
      await run([
        'token',
        'mint',
        '--key',
        'partner.pem',
        '--iss',
        'partner-123',
        '--sub',
        'u',
        '--aud',
        'justgold-api',
        '--exp',
        '30m',
        '--jti',
        randomUUID().toUpperCase(),
      ])
    ).stdout.trim();
    expect((await run(['lint', '--policy', 'justgold', uuid])).code).toBe(0);
  });
});

describe('profiles', () => {
  it('a relative key path is stored absolute, so the profile works from any other directory', async () => {
    expect(
      (await run(['profile', 'add', 'jg', '--provider', 'justgold', '--private-key', 'partner.pem', '--alg', 'ES256', '--expect-iss', 'partner-123'])).code,
    ).toBe(0);
    expect(readFileSync(join(dir, 'cfg', 'authctl', 'config.toml'), 'utf8')).toContain(`private_key = "${join(dir, 'partner.pem')}"`);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const r = await run(['token', 'mint', '--profile', 'jg', '--iss', 'partner-123', '--sub', 'u'], { cwd: elsewhere });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await run(['verify', '--profile', 'jg', '--key', join(dir, 'partner.pub.pem'), r.stdout.trim()], { cwd: elsewhere })).code).toBe(0);
  });

  it('credentials for a profile that does not exist: profile_not_found, nothing stored', async () => {
    for (const args of [
      ['set', 'client_secret', '--store', 'file', '--stdin'],
      ['get', 'client_secret', '--store', 'file'],
      ['delete', 'client_secret', '--store', 'file'],
    ]) {
      const r = await runCli(['credentials', ...args, '--profile', 'ghost'], { cwd: dir, env, input: 'a-secret-value' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^authctl: error\[profile_not_found\]: no profile named "ghost"/);
    }
    const fresh = tmpHome();
    const none = await runCli(['credentials', 'set', 'client_secret', '--store', 'file', '--stdin'], {
      cwd: fresh,
      env: { HOME: fresh, XDG_CONFIG_HOME: join(fresh, 'c'), XDG_DATA_HOME: join(fresh, 'd') },
      input: 'a-secret-value',
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^authctl: error\[profile_not_found\]: no profile selected/);
  });
});
