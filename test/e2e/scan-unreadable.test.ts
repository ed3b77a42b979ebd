import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

// root reads every directory, so as root the scan runs as "nobody" (setpriv, util-linux), from a
// copy of the bundle that nobody can read wherever the checkout lives.
const base = mkdtempSync(join(tmpdir(), 'authctl-unreadable-'));
afterAll(() => {
  chmodSync(join(base, 'tree', 'locked'), 0o755);
  rmSync(base, { recursive: true, force: true });
});

function scanAsUser(args: string[]) {
  const bin = join(base, 'app', 'bin', 'authctl.cjs');
  const asRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = asRoot
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'scan', ...args]
    : [process.execPath, bin, 'scan', ...args];
  const r = spawnSync(cmd!, rest, { cwd: base, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scan says what it could not read', () => {
  chmodSync(base, 0o755);
  cpSync(join(ROOT, 'bin'), join(base, 'app', 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(base, 'app', 'dist'), { recursive: true });
  writeFileSync(join(base, 'app', 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(base, 'tree', 'open'), { recursive: true });
  writeFileSync(join(base, 'tree', 'open', 'notes.txt'), 'nothing secret here\n');
  mkdirSync(join(base, 'tree', 'locked'));
  writeFileSync(join(base, 'tree', 'locked', 'hidden.txt'), 'unseen\n');
  chmodSync(join(base, 'tree', 'locked'), 0);

  it('an unreadable directory is named in text and JSON, and fails the run only with --strict', () => {
    const text = scanAsUser(['tree']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^! tree\/locked\/: not scanned: directory could not be read: permission denied$/m);
    const json = scanAsUser(['--json', 'tree']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      not_scanned: [{ path: 'tree/locked/', reason: 'directory could not be read: permission denied' }],
      summary: { files_scanned: 1, not_scanned: 1 },
    });
    expect(scanAsUser(['--strict', 'tree']).code).toBe(1);
    const sarif = JSON.parse(scanAsUser(['--format', 'sarif', 'tree']).stdout);
    expect(JSON.stringify(sarif.runs[0].invocations)).toContain('tree/locked/');
  });
});
