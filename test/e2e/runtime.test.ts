import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

/** The Node authctl runs on: the floor is package.json's engines, and `authctl version` says what it runs on. */
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));

/** A node older than the floor on this machine (the system's own, where it is 20), if there is one. */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const [major, minor] = (r.stdout ?? '').trim().split('.').map(Number);
    if (r.status === 0 && (major! < 22 || (major === 22 && minor! < 19))) return candidate;
  }
  return undefined;
}

describe('the Node authctl needs', () => {
  it('the floor in bin/authctl.cjs is package.json’s engines', () => {
    const floor = /const NODE_FLOOR = \[(\d+), (\d+)\]/.exec(readFileSync(BIN, 'utf8'));
    expect(`>=${floor![1]}.${floor![2]}`).toBe(pkg.engines.node);
  });

  it('an older Node gets one line naming the version it needs (exit 2), never a stack trace', (ctx) => {
    const node = oldNode();
    if (!node) ctx.skip();
    for (const args of [['decode', 'x.y.z'], ['--version']]) {
      const r = spawnSync(node!, [BIN, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^authctl: error\[unsupported_runtime\]: authctl needs Node 22\.19 or later \(22 and 24 are the supported lines\); this is Node 20\.\d+\.\d+\n$/,
      );
    }
    const json = spawnSync(node!, [BIN, '--json', 'decode', 'x.y.z'], { encoding: 'utf8' });
    expect(JSON.parse(json.stdout).error.code).toBe('unsupported_runtime');
  });
});

describe('authctl version', () => {
  it('names authctl, its commit, and the Node and platform it runs on; --version is the same, --json one document', async () => {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const expected = { authctl: pkg.version, commit, node: process.versions.node, platform: process.platform, arch: process.arch };
    for (const args of [
      ['version', '--json'],
      ['--version', '--json'],
      ['--json', '-V'],
    ]) {
      const r = await runCli(args);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(JSON.parse(r.stdout)).toEqual(expected);
    }
    const text = await runCli(['--version']);
    expect(text.stdout).toBe(`authctl ${pkg.version} (${commit})\nnode ${process.versions.node} ${process.platform} ${process.arch}\n`);
  });
});
