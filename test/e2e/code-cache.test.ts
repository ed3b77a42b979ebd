import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { cleanupHomes, ROOT, sandbox } from '../helpers/cli.js';

afterAll(cleanupHomes);

const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"cached"}').toString('base64url')}.`;

/** The compile cache files of a sandbox: Node keeps one directory per Node version, one file per script. */
function cacheFiles(cache: string): string[] {
  const root = join(cache, 'authctl', 'code');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((build) => readdirSync(join(root, build)).map((f) => join(root, build, f)));
}

describe("Node's compile cache for the bundle", () => {
  it('the first run saves it in a 0700 directory of this user’s; later runs use it unchanged', async () => {
    const box = sandbox();
    const first = await box.run(['decode', '--json', token]);
    expect(first.code).toBe(0);
    const files = cacheFiles(box.env.XDG_CACHE_HOME!);
    expect(files).toHaveLength(1);
    expect(files[0]).toContain(`/authctl/code/v${process.versions.node}-`);
    expect(statSync(files[0]!).mode & 0o077).toBe(0);
    expect(statSync(join(box.env.XDG_CACHE_HOME!, 'authctl', 'code')).mode & 0o777).toBe(0o700);
    const saved = statSync(files[0]!);
    expect(saved.size).toBeGreaterThan(1000);

    // V8 accepted it: a refused cache would have been replaced by a fresh file (a new inode)
    const second = await box.run(['decode', '--json', token]);
    expect(second).toEqual(first);
    expect(statSync(files[0]!).ino).toBe(saved.ino);
    expect((await box.run(['--version'])).code).toBe(0);
    expect(cacheFiles(box.env.XDG_CACHE_HOME!)).toEqual(files);
  });

  it('a damaged cache is refused: the run is the same, and a fresh cache replaces it', async () => {
    const box = sandbox();
    const clean = await box.run(['decode', '--json', token]);
    const [file] = cacheFiles(box.env.XDG_CACHE_HOME!);
    writeFileSync(file!, Buffer.alloc(statSync(file!).size, 0x41));
    const damaged = await box.run(['decode', '--json', token]);
    expect(damaged).toEqual(clean);
    expect(readFileSync(file!).subarray(0, 64).equals(Buffer.alloc(64, 0x41))).toBe(false);
  });

  it('a cache directory that others can write to is not trusted: the run is the same, and nothing is used or saved there', async () => {
    const box = sandbox();
    const clean = await box.run(['decode', '--json', token]);
    const [file] = cacheFiles(box.env.XDG_CACHE_HOME!);
    const planted = Buffer.alloc(statSync(file!).size, 0x41);
    writeFileSync(file!, planted);
    chmodSync(join(box.env.XDG_CACHE_HOME!, 'authctl', 'code'), 0o770);
    expect(await box.run(['decode', '--json', token])).toEqual(clean);
    // in a directory of its own, a refused cache is replaced (the test above); here it is left alone
    expect(readFileSync(file!).equals(planted)).toBe(true);
  });

  it('bin/authctl.js, for scripts that run it by path, is the same program', () => {
    const run = (bin: string, args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', bin), ...args], { encoding: 'utf8', env: sandbox().env });
    for (const args of [['--version'], ['decode', '--json', token], ['decode', 'not-a-token']]) {
      const [viaJs, viaCjs] = [run('authctl.js', args), run('authctl.cjs', args)];
      expect({ code: viaJs.status, stdout: viaJs.stdout, stderr: viaJs.stderr }).toEqual({ code: viaCjs.status, stdout: viaCjs.stdout, stderr: viaCjs.stderr });
    }
  });

  it('--debug saves nothing (the demo test checks the demo); an unwritable cache directory costs nothing but the saving', async () => {
    const box = sandbox();
    expect(await box.run(['decode', '--debug', token])).toMatchObject({ code: 0, stderr: '' });
    expect(cacheFiles(box.env.XDG_CACHE_HOME!)).toEqual([]);

    // root writes anywhere: a file where the cache directory should be stops it for every user
    writeFileSync(box.env.XDG_CACHE_HOME!, 'not a directory');
    const blocked = await box.run(['decode', '--json', token]);
    expect(blocked).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(blocked.stdout).payload).toEqual({ sub: 'cached' });
  });
});

describe("bin/authctl.cjs sizes libuv's thread pool", () => {
  it('one thread per core, two to four, unless the user set UV_THREADPOOL_SIZE', () => {
    const dir = sandbox().dir;
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => require('fs').writeSync(2, `pool=${process.env.UV_THREADPOOL_SIZE}\\n`));\n");
    const pool = (extra: Record<string, string>) =>
      spawnSync(process.execPath, ['-r', probe, join(ROOT, 'bin', 'authctl.cjs'), '--version'], {
        encoding: 'utf8',
        env: { ...sandbox().env, ...extra },
      }).stderr.trim();
    expect(pool({})).toBe(`pool=${Math.min(4, Math.max(2, availableParallelism()))}`);
    expect(pool({ UV_THREADPOOL_SIZE: '7' })).toBe('pool=7');
  });
});
