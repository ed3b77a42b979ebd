import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';

/** `scan --history`: a secret committed and then deleted is still in the repository, and found with its commit. */
let dir: string;
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-03-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-03-01T12:00:00Z' },
  }).trim();
const scan = (args: string[]) => runCli(['scan', ...args], { cwd: dir });
const secret = `Zk8pQ2vX9mL4nR7tB3wY${randomBytes(4).toString('hex')}`;
let leakCommit: string;

beforeAll(() => {
  dir = tmpHome();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  writeFileSync(join(dir, 'README.md'), '# app\n');
  git('add', '.');
  git('commit', '-qm', 'initial');
  writeFileSync(join(dir, 'app.env'), `# settings\nNAME=app\nCLIENT_SECRET=${secret}\n`);
  git('add', '.');
  git('commit', '-qm', 'add settings');
  leakCommit = git('rev-parse', 'HEAD');
  rmSync(join(dir, 'app.env'));
  git('add', '-A');
  git('commit', '-qm', 'remove the secret');
});
afterAll(() => cleanupHomes());

describe('authctl scan --history', () => {
  it('the working tree is clean, but history still holds the deleted secret: found with its commit, date, path and line', async () => {
    expect((await scan([])).code).toBe(0);
    const r = await scan(['--history', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings).toEqual([
      expect.objectContaining({ rule: 'client-secret', path: 'app.env', line: 3, commit: leakCommit, date: '2026-03-01T12:00:00+00:00' }),
    ]);
    expect(doc.summary).toMatchObject({ commits_scanned: 2, failing: 1 });
    expect(r.stdout).not.toContain(secret);
    const text = await scan(['--history']);
    expect(text.stdout).toMatch(new RegExp(`^app\\.env:3:1 \\(${leakCommit.slice(0, 12)}, 2026-03-01\\)  high`, 'm'));
  });

  it('a range limits it to some commits (a pull request): the clean-up commit alone adds nothing', async () => {
    expect(JSON.parse((await scan(['--history', 'HEAD~1..HEAD', '--json'])).stdout).findings).toEqual([]);
    expect(JSON.parse((await scan(['--history', 'HEAD~2..HEAD', '--json'])).stdout).findings).toHaveLength(1);
  });

  it('SARIF carries the commit; a baseline written from history accepts the secret wherever it is', async () => {
    const sarif = JSON.parse((await scan(['--history', '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].results[0].properties).toMatchObject({ commit: leakCommit, commitDate: '2026-03-01T12:00:00+00:00' });
    expect((await scan(['--history', '--write-baseline', 'b.json'])).code).toBe(0);
    expect((await scan(['--history', '--baseline', 'b.json'])).code).toBe(0);
    writeFileSync(join(dir, 'moved.env'), `CLIENT_SECRET=${secret}\n`);
    expect((await scan(['--baseline', 'b.json', 'moved.env'])).code).toBe(0);
    rmSync(join(dir, 'moved.env'));
  });

  it('outside a repository, or with a bad range: git_failed (exit 2)', async () => {
    const elsewhere = tmpHome();
    const r = await runCli(['scan', '--history'], { cwd: elsewhere });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^authctl: error\[git_failed\]/)]);
    expect((await scan(['--history', 'no-such-ref..HEAD'])).code).toBe(2);
    expect((await scan(['--history', 'HEAD', 'app.env'])).stderr).toMatch(/error\[conflicting_options\]/);
  });
});
