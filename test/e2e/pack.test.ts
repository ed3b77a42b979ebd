import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

describe('the npm package', () => {
  it('packs into a tarball that installs globally into a clean prefix and runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-pack-'));
    try {
      const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
      const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: npmEnv, stdio: ['ignore', 'pipe', 'ignore'] }));
      const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
      expect(files).toContain('bin/authctl.js');
      expect(files).toContain('dist/main.js');
      expect(files).toContain('completions/authctl.bash');
      expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

      const prefix = join(dir, 'prefix');
      execFileSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', join(dir, packed[0].filename)], { env: npmEnv, stdio: 'ignore', timeout: 180_000 });
      const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, HOME: dir };
      expect(execFileSync('authctl', ['--version'], { env, encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
      const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"packed"}').toString('base64url')}.`;
      expect(execFileSync('authctl', ['decode', '--json', token], { env, encoding: 'utf8' })).toContain('"sub": "packed"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
