import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, ROOT, tmpHome } from '../helpers/cli.js';

/**
 * The single executable (npm run sea), run as on a machine without Node: an environment with
 * nothing but HOME, the XDG directories, an empty PATH and (for the keychain) the D-Bus session.
 */
const EXE = join(ROOT, 'dist', 'authctl-linux-x64');
const linux = process.platform === 'linux' && process.arch === 'x64';
let home: string;
let emptyBin: string;

function exe(args: string[], input?: string) {
  const env: Record<string, string> = {
    HOME: home,
    PATH: emptyBin,
    XDG_CONFIG_HOME: join(home, 'cfg'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_DATA_HOME: join(home, 'data'),
  };
  if (process.env.DBUS_SESSION_BUS_ADDRESS) env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;
  const r = spawnSync(EXE, args, { env, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!linux) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'sea.mjs')], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  home = tmpHome();
  emptyBin = join(home, 'empty-bin');
  mkdirSync(emptyBin);
}, 320_000);
afterAll(() => cleanupHomes());

describe.skipIf(!linux)('the single executable', () => {
  it('runs with no node on PATH: its Node is 24, jq is inside, and the demo passes end to end', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: emptyBin } }).status).not.toBe(0);
    const version = exe(['--version']);
    expect(version.stdout).toMatch(/^authctl \d+\.\d+\.\d+ \([0-9a-f]+\)\nnode 24\.\d+\.\d+ linux x64\n$/);
    const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"sea"}').toString('base64url')}.`;
    expect(exe(['decode', '--jq', '.payload.sub', token]).stdout).toBe('sea\n');
    const demo = exe(['demo']);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/✔ all \d+ steps behaved as expected/);
  }, 180_000);

  it('scans a tree large enough for its worker threads (the worker is carried inside)', () => {
    const tree = join(home, 'tree');
    mkdirSync(tree);
    for (let i = 0; i < 300; i++) writeFileSync(join(tree, `f${i}.env`), i === 150 ? 'CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY\n' : `N=${i}\n`);
    const r = exe(['scan', '--json', tree]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ summary: { files_scanned: 300 }, findings: [{ rule: 'client-secret' }] });
  });

  it.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)(
    'keeps a secret in the Secret Service through its native binding, loaded from a private file; secret-tool sees it',
    () => {
      expect(exe(['profile', 'add', 'sea', '--token-url', 'https://sea.example/token', '--client-id', 'c']).code).toBe(0);
      const set = exe(['credentials', 'set', 'client_secret', '--profile', 'sea', '--stdin'], 'sea-secret-0123456789');
      expect([set.code, set.stderr]).toEqual([0, '']);
      const stored = execFileSync('secret-tool', ['lookup', 'service', 'authctl', 'username', 'sea/client_secret'], { encoding: 'utf8' });
      expect(JSON.parse(stored)).toMatchObject({ kind: 'client_secret', secret: 'sea-secret-0123456789' });
      expect(exe(['credentials', 'get', 'client_secret', '--profile', 'sea', '--reveal']).stdout).toBe('sea-secret-0123456789\n');
      const native = join(home, 'cache', 'authctl', 'native');
      expect(statSync(native).mode & 0o777).toBe(0o700);
      const [file] = readdirSync(native);
      expect(file).toMatch(/^keyring-[0-9a-f]{32}\.node$/);
      expect(statSync(join(native, file!)).mode & 0o777).toBe(0o500);
      expect(exe(['credentials', 'delete', 'client_secret', '--profile', 'sea']).code).toBe(0);
    },
  );
});
