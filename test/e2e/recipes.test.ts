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
const SETTINGS = `access_token_lifetime = "5m"
hmac_secret = "${SECRETS.GAMIFICATION_API_SECRET}"

[[clients]]
client_id = "svc-client"
client_secret = "${SECRETS.GOOCLAIM_CLIENT_SECRET}"
grants = ["client_credentials"]
scopes = ["workflow:read", "audit:read"]
claims = { tenant_id = "tenant-42" }

[[clients]]
client_id = "compliance-cli"
client_secret = "${SECRETS.KC_CLIENT_SECRET}"
grants = ["password", "refresh_token"]

[[clients]]
client_id = "app-7f3a"
auth = ["none"]
api_key = "${SECRETS.WEBMETHODS_API_KEY}"

[[clients]]
client_id = "partner-123"
public_keys = ["partner.pub.pem"]

[[users]]
username = "alice"
password = "${SECRETS.KC_PASSWORD}"
`;
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
  writeFileSync(join(box.dir, 'serve.toml'), SETTINGS);
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
