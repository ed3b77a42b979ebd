import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, ROOT, sandbox } from '../helpers/cli.js';
import { serve, type Served } from '../helpers/serve.js';
import { DEV_DEFAULTS } from '../../src/core/server/defaults.js';

/**
 * Every recipe in README.md, run as printed (a bash script per block, `authctl` on the PATH),
 * against `authctl serve` with the provider's URLs swapped for the server's. If a recipe in the
 * README stops working, this fails.
 */
const SECRETS = {
  GOOCLAIM_CLIENT_SECRET: 'gooclaim-client-secret-0123456789',
  GAMIFICATION_API_SECRET: DEV_DEFAULTS.hmacSecret,
  WEBMETHODS_API_KEY: 'webmethods-api-key-0123456789',
  KC_CLIENT_SECRET: 'kc-client-secret-0123456789',
  KC_PASSWORD: 'alice-keycloak-password',
};
/** The settings README prints for trying the recipes offline, as printed. */
function readmeSettings(readme: string): string {
  const block = /```toml\n(# providers\.toml[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no providers.toml block');
  return block[1]!;
}
const HOSTS = [
  'https://api.gooclaim.com',
  'https://auth.gooclaim.com',
  'https://api.example.com',
  'https://gateway.example.com',
  'https://sso.example.com',
  'https://sandbox-api.justgold.me',
];

let box: ReturnType<typeof sandbox>;
let server: Served;
const recipes = new Map<string, string>();

beforeAll(async () => {
  box = sandbox();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Recipes for the five provider documents'), readme.indexOf('Standards providers need no template'));
  for (const m of section.matchAll(/\*\*([^*]+)\*\*[^\n]*\n\n```sh\n([\s\S]*?)```/g)) recipes.set(m[1]!, m[2]!);
  const settings = readmeSettings(readme);
  // The variables the recipes read hold the values the printed settings give the server.
  for (const [name, value] of Object.entries(SECRETS)) expect(settings, name).toContain(`"${value}"`);
  writeFileSync(join(box.dir, 'serve.toml'), settings);
  server = await serve(['--settings', 'serve.toml'], box.env, box.dir);
  // The recipes keep secrets in the plaintext store here (CI has no keychain of its own to fill).
  mkdirSync(join(box.dir, 'cfg', 'authctl'), { recursive: true });
  writeFileSync(join(box.dir, 'cfg', 'authctl', 'config.toml'), 'credential_store = "file"\n');
  mkdirSync(join(box.dir, 'bin'));
  writeFileSync(join(box.dir, 'bin', 'authctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(box.dir, 'bin', 'authctl'), 0o755);
});
afterAll(async () => {
  await server.stop();
  cleanupHomes();
});

function runRecipe(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let swapped = script;
  for (const host of HOSTS) swapped = swapped.split(host).join(server.issuer);
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['--norc', '--noprofile', '-euo', 'pipefail', '-c', swapped],
      { cwd: box.dir, env: { PATH: `${join(box.dir, 'bin')}:${process.env.PATH}`, ...box.env, ...SECRETS }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the README recipes, as printed, against authctl serve', () => {
  it('finds the five recipes', () => {
    expect([...recipes.keys()]).toEqual([
      'Gooclaim',
      'Gamification API',
      'webMethods API Gateway',
      'Keycloak-backed compliance service',
      'JustGold partner API',
    ]);
  });

  it.each(['Gooclaim', 'Gamification API', 'webMethods API Gateway', 'Keycloak-backed compliance service', 'JustGold partner API'])(
    '%s',
    async (name) => {
      const r = await runRecipe(recipes.get(name)!);
      expect(r.stderr.replace(/authctl: warning: using the plaintext credential file .*\n/g, '')).toBe('');
      expect(r.code).toBe(0);
      // every recipe ends in an API call that answered: introspection, the verify or ping endpoint, the development API
      const answered: Record<string, RegExp> = {
        Gooclaim: /✔ active/,
        'Gamification API': /✔ valid according to/,
        'webMethods API Gateway': /"path":"\/gateway\/orders\/42"/,
        'Keycloak-backed compliance service': /"path":"\/compliance\/v1\/reports"/,
        'JustGold partner API': /✔ .*\/v1\/ping answered in/,
      };
      expect(r.stdout).toMatch(answered[name]!);
    },
    90_000,
  );
});
