import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

describe('the npm package', () => {
  it('packs into a tarball that installs globally into a clean prefix and runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-pack-'));
    try {
      const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
          cwd: ROOT,
          encoding: 'utf8',
          env: npmEnv,
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      );
      const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
      expect(files).toContain('bin/authctl.cjs');
      expect(files).toContain('bin/authctl.js');
      expect(files).toContain('dist/main.cjs');
      expect(files).toContain('completions/authctl.bash');
      expect(files).toContain('dist/authctl.1');
      // the licences: ours, and those of every library bundled into dist/
      expect(files).toContain('LICENSE');
      expect(files).toContain('dist/THIRD_PARTY_LICENSES.txt');
      expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

      const prefix = join(dir, 'prefix');
      execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', join(dir, packed[0].filename)], {
        env: npmEnv,
        stdio: 'ignore',
        timeout: 180_000,
      });
      const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: dir };
      expect(execFileSync('authctl', ['--version'], { env, encoding: 'utf8' }).trim()).toMatch(/^authctl \d+\.\d+\.\d+ \(/);
      const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"packed"}').toString('base64url')}.`;
      expect(execFileSync('authctl', ['decode', '--json', token], { env, encoding: 'utf8' })).toContain('"sub": "packed"');
      // --jq's jq (a dependency, not bundled) resolves from the installed package
      expect(execFileSync('authctl', ['decode', '--jq', '.payload.sub', token], { env, encoding: 'utf8' })).toBe('packed\n');
      // a tree large enough for scan's worker threads, whose entry must ship in the package too
      const tree = join(dir, 'tree');
      mkdirSync(tree);
      for (let i = 0; i < 300; i++) writeFileSync(join(tree, `f${i}.env`), i === 150 ? 'CLIENT_SECRET=Zk8pQ2vX9mL4nR7tB3wY\n' : `N=${i}\n`);
      const scanned = spawnSync('authctl', ['scan', '--json', tree], { env, encoding: 'utf8' });
      expect(scanned.status).toBe(1);
      expect(JSON.parse(scanned.stdout)).toMatchObject({
        summary: { files_scanned: 300 },
        findings: [{ rule: 'client-secret', path: expect.stringMatching(/f150\.env$/) }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
