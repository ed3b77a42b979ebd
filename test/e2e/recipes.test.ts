import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, ROOT, sandbox } from '../helpers/cli.js';
import { createServer, type AddressInfo } from 'node:net';

/**
 * Every recipe in README.md, run as printed (a bash script per block, `authctl` on the PATH),
 * after the README's own setup block (plain `authctl serve`, the variables the recipes read),
 * with the provider's URLs swapped for the server's and port 8400 for a free one. If a recipe in
 * the README stops working, this fails.
 */
const HOSTS = [
  'https://api.gooclaim.com',
  'https://auth.gooclaim.com',
  'https://api.example.com',
  'https://gateway.example.com',
  'https://sso.example.com',
  'https://sandbox-api.justgold.me',
];

let box: ReturnType<typeof sandbox>;
let port: number;
let exported: Record<string, string> = {};
const recipes = new Map<string, string>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

function bash(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const swapped = HOSTS.reduce((text, host) => text.split(host).join(`http://127.0.0.1:${port}`), script)
    .split('8400')
    .join(String(port));
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['--norc', '--noprofile', '-euo', 'pipefail', '-c', swapped],
      { cwd: box.dir, env: { PATH: `${join(box.dir, 'bin')}:${process.env.PATH}`, ...box.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  box = sandbox();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Recipes for the five provider documents'), readme.indexOf('Standards providers need no template'));
  for (const m of section.matchAll(/\*\*([^*]+)\*\*[^\n]*\n\n```sh\n([\s\S]*?)```/g)) recipes.set(m[1]!, m[2]!);
  // The recipes keep secrets in the plaintext store here (CI has no keychain of its own to fill).
  mkdirSync(join(box.dir, 'cfg', 'authctl'), { recursive: true });
  writeFileSync(join(box.dir, 'cfg', 'authctl', 'config.toml'), 'credential_store = "file"\n');
  mkdirSync(join(box.dir, 'bin'));
  writeFileSync(join(box.dir, 'bin', 'authctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(box.dir, 'bin', 'authctl'), 0o755);
  // The setup block as printed: plain serve in the background, and the variables it exports.
  const setup = /To try the recipes offline[\s\S]*?```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!setup) throw new Error('README has no setup block for the recipes');
  expect(setup).toMatch(/^authctl serve --port 8400 /);
  port = await freePort();
  const names = [...setup.matchAll(/\b([A-Z][A-Z0-9_]+)=/g)].map((m) => m[1]!);
  const r = await bash(`${setup}\necho "$!" > serve.pid\n${names.map((n) => `printf '%s=%s\\n' ${n} "$${n}"`).join('\n')}`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  exported = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  expect(Object.keys(exported).sort()).toEqual(['GAMIFICATION_API_SECRET', 'GOOCLAIM_CLIENT_SECRET', 'KC_CLIENT_SECRET', 'KC_PASSWORD', 'WEBMETHODS_API_KEY']);
}, 60_000);
afterAll(() => {
  const pid = Number(readFileSync(join(box.dir, 'serve.pid'), 'utf8'));
  if (pid > 1) process.kill(pid, 'SIGTERM');
  cleanupHomes();
});

describe('the README recipes, as printed, against plain authctl serve', () => {
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
      const r = await bash(recipes.get(name)!, exported);
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
