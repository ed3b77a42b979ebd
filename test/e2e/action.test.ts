import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cleanupHomes, ROOT, sandbox } from '../helpers/cli.js';
import { opensslHs256, opensslRsaKey, opensslDir } from '../helpers/openssl.js';

/**
 * The GitHub Action's scan step (action/scan.sh) as Actions runs it: the INPUT_* and GITHUB_*
 * variables set, a pull request's event file, a real git repository with a secret that one of the
 * pull request's commits added and a later one removed (the tree is clean; its history is not).
 */
let box: ReturnType<typeof sandbox>;
let repo: string;
let base: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.test', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();

beforeAll(() => {
  box = sandbox();
  repo = join(box.dir, 'repo');
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# app\n');
  git('add', '.');
  git('commit', '-qm', 'base');
  base = git('rev-parse', 'HEAD');
  // the pull request: a live token added in one commit, removed in the next
  const token = opensslHs256({ sub: 'svc', exp: Math.floor(Date.now() / 1000) + 3600 }, 'x'.repeat(32));
  writeFileSync(join(repo, 'config.js'), `export const token = "${token}";\n`);
  git('add', '.');
  git('commit', '-qm', 'add config');
  writeFileSync(join(repo, 'config.js'), 'export const token = process.env.TOKEN;\n');
  git('commit', '-qam', 'read it from the environment');
});
afterAll(() => cleanupHomes());

function action(inputs: Record<string, string>, event: object | undefined, eventName = 'pull_request') {
  const output = join(box.dir, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(output, '');
  const eventPath = join(box.dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event ?? {}));
  const r = spawnSync('bash', [join(ROOT, 'action', 'scan.sh')], {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...box.env,
      PATH: process.env.PATH ?? '',
      AUTHCTL_BIN: BIN,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: repo,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase().replace(/-/g, '_')}`, v])),
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

describe('the GitHub Action', () => {
  it('on a pull request, what its commits added is found though the tree is clean: SARIF, annotations, a failing job', () => {
    const r = action({ 'sarif-file': 'authctl.sarif' }, { pull_request: { base: { sha: base } } });
    expect(r.status).toBe(0); // the step itself succeeds; the action's last step fails the job
    expect(r.outputs).toEqual({ findings: '1', 'sarif-file': 'authctl.sarif', failed: 'true' });
    const sarif = JSON.parse(readFileSync(join(repo, 'authctl.sarif'), 'utf8'));
    expect(sarif.runs).toHaveLength(1);
    const [result] = sarif.runs[0].results;
    expect(result.ruleId).toBe('jwt');
    expect(sarif.runs[0].tool.driver.rules[result.ruleIndex].id).toBe('jwt');
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('config.js');
    expect(r.stderr).toMatch(/^::error file=config\.js,line=1/m);
    expect(JSON.stringify(sarif)).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\./); // masked, never the token
  });

  it('on a push (no history scan) the clean tree passes; a planted key in the tree fails; the inputs are honoured', () => {
    const clean = action({}, undefined, 'push');
    expect([clean.status, clean.outputs.failed, clean.outputs.findings]).toEqual([0, 'false', '0']);
    writeFileSync(join(repo, 'id.pem'), readFileSync(opensslRsaKey(opensslDir())));
    const planted = action({ paths: 'id.pem README.md', 'fail-on': 'critical', 'sarif-file': 'out.sarif' }, undefined, 'push');
    expect(planted.outputs).toEqual({ findings: '1', 'sarif-file': 'out.sarif', failed: 'true' });
    expect(JSON.parse(readFileSync(join(repo, 'out.sarif'), 'utf8')).runs[0].results[0].ruleId).toBe('private-key');
    const history = action({ history: 'false' }, { pull_request: { base: { sha: base } } });
    expect(history.outputs.findings).toBe('1'); // the key in the tree only: no history scan
  });

  it('a base commit missing from the checkout skips the history scan with a warning, not an error', () => {
    const r = action({ paths: 'README.md' }, { pull_request: { base: { sha: '0'.repeat(40) } } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/::warning title=authctl::the base commit 0{40} is not in the checkout/);
    expect(r.outputs.failed).toBe('false');
  });

  it('action.yml runs that script, installs authctl from its own checkout, and pins every action it uses by commit', () => {
    const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    expect(yml).toContain('run: bash "$GITHUB_ACTION_PATH/action/scan.sh"');
    expect(yml).toContain('npm ci --prefix "$GITHUB_ACTION_PATH"');
    const uses = [...yml.matchAll(/^\s*(?:- )?uses: (\S+)/gm)].map((m) => m[1]!);
    expect(uses.length).toBe(2);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w/-]+@[0-9a-f]{40}$/);
    for (const input of ['paths', 'fail-on', 'history', 'baseline', 'sarif-file', 'upload-sarif']) expect(yml).toMatch(new RegExp(`^  ${input}:$`, 'm'));
  });
});
