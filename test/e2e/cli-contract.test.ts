import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';
import { colorEnabled } from '../../src/io/output.js';
import { commandNamed } from '../../src/program.js';

afterAll(() => cleanupHomes());

/** Every command path, found by reading the "Commands:" section of each help page. */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const help = (await runCli([...prefix, '--help'])).stdout;
  const section = help.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
  const paths: string[][] = [];
  for (const name of names) {
    paths.push([...prefix, name]);
    paths.push(...(await commandPaths([...prefix, name])));
  }
  return paths;
}

describe('the command-line contract', () => {
  it('every command and group has examples in its help, and asking for help exits 0', async () => {
    const paths = await commandPaths();
    expect(paths.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const path of paths) {
      const r = await runCli([...path, '--help']);
      expect(r.code).toBe(0);
      if (!/\nExamples:\n {2}\S/.test(r.stdout)) missing.push(path.join(' '));
      // The global options are listed once, in authctl --help; a switch shows no "(default: false)".
      expect.soft(r.stdout, path.join(' ')).not.toMatch(/Global Options:|--no-color {2}/);
      expect.soft(r.stdout, path.join(' ')).toMatch(/\nGlobal options \(authctl --help\): --json/);
      expect.soft(r.stdout, path.join(' ')).not.toContain('(default: false)');
    }
    expect(missing).toEqual([]);
    const viaHelp = await runCli(['help', 'decode']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: authctl decode/);
    // Bare authctl asked for nothing wrong: the help on stdout, exit 0, with every exit code.
    const bare = await runCli([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: authctl /);
    expect(bare.stdout).toMatch(
      /Exit codes: 0 ok, 1 check failed, 2 usage, 3 network\/server, 4 authentication, 70 internal error \(a bug\),\s+130 interrupted\./,
    );
  }, 120_000);

  it('only the command a line names is built; help, typos, completion and help-before-command see every command', async () => {
    const run = (...args: string[]) => commandNamed(['node', 'authctl', ...args]);
    expect(run('decode', '-tok')).toBe('decode');
    expect(run('--profile', 'decode', 'lint')).toBe('lint');
    expect(run('--json', '--config', 'c.toml', 'verify')).toBe('verify');
    expect(run('--help', 'decode')).toBeUndefined();
    expect(run('-h', 'decode')).toBeUndefined();
    expect(run('decod')).toBeUndefined();
    expect(run('completion', 'bash')).toBeUndefined();
    expect(run('help', 'decode')).toBeUndefined();
    expect(run('toString')).toBeUndefined();
    expect(run()).toBeUndefined();
    expect(run('--version')).toBe('version');
    expect(run('-V')).toBe('version');
    expect((await runCli(['--version'])).stdout).toMatch(/^authctl \d+\.\d+\.\d+ \((?:[0-9a-f]{12}|unknown)\)\nnode \d+\.\d+\.\d+ /);
    const list = (await runCli(['--help', 'decode'])).stdout;
    for (const name of ['keygen', 'token', 'decode', 'verify', 'api', 'scan', 'check', 'serve', 'demo', 'completion'])
      expect(list).toMatch(new RegExp(`^  ${name} `, 'm'));
    const typo = await runCli(['--profile', 'x', 'verfy']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean verify?');
  });

  it("verify's --kid help is about choosing a key, not about the header it would write", async () => {
    const r = await runCli(['verify', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--kid <kid> key id: selects the key in a JWKS file \(default: the token's kid\)/);
    expect(r.stdout).not.toMatch(/goes in the header/);
  });

  it('keygen --out naming a directory is refused, and nothing is written beside it', async () => {
    const dir = tmpHome();
    mkdirSync(join(dir, 'keys'));
    for (const out of [join(dir, 'keys'), `${join(dir, 'keys')}/`]) {
      const r = await runCli(['keygen', '--type', 'ec', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^authctl: error\[invalid_argument\]: --out .* is a directory; it takes a base name/);
    }
    expect(existsSync(join(dir, 'keys.pem'))).toBe(false);
  });

  it('one name per concept: a flag from another command or tool gets the one this command has; old spellings still work', async () => {
    const hint = async (args: string[]) => (await runCli(args)).stderr.split('\n')[1];
    expect(await hint(['lint', '--audience', 'x', 'a.b.c'])).toBe('hint: this command says --aud');
    expect(await hint(['keygen', '--bits', '2048'])).toBe('hint: this command says --size');
    expect(await hint(['token', 'get', '--aud', 'x'])).toBe('hint: this command says --audience');
    expect(await hint(['key', 'convert', '--output', 'jwk', 'x.pem'])).toBe('hint: this command says --format');
    const dir = tmpHome();
    const made = await runCli(['keygen', '--type', 'ec', '--out', join(dir, 'k')]);
    expect(made.code).toBe(0);
    // key convert: --format (default: the other form), and --to as it was
    expect(JSON.parse((await runCli(['key', 'convert', '--public', join(dir, 'k.pem')])).stdout)).toMatchObject({ kty: 'EC' });
    expect((await runCli(['key', 'convert', '--to', 'jwks', join(dir, 'k.pem')])).stdout).toMatch(/"keys"/);
    expect((await runCli(['key', 'convert', '--format', 'pem', join(dir, 'k.pub.pem')])).stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('a command lists only the flags that apply: no password flags where only the client authenticates', async () => {
    for (const path of [['token', 'revoke'], ['introspect'], ['token', 'exchange']])
      expect((await runCli([...path, '--help'])).stdout).not.toContain('--password');
    expect((await runCli(['token', 'get', '--help'])).stdout).toContain('--password-file');
  });

  it('scan --json with --format sarif is a usage error, not silently JSON', async () => {
    const r = await runCli(['--json', 'scan', '--format', 'sarif', '-'], { input: 'nothing here' });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('conflicting_options');
  });

  it('TERM=dumb means no colour on a terminal; FORCE_COLOR still forces it', () => {
    expect(colorEnabled(true, {}, { isTTY: true })).toBe(true);
    expect(colorEnabled(true, { TERM: 'dumb' }, { isTTY: true })).toBe(false);
    expect(colorEnabled(true, { TERM: 'dumb', FORCE_COLOR: '1' }, { isTTY: true })).toBe(true);
    expect(colorEnabled(true, { TERM: 'xterm-256color', NO_COLOR: '1' }, { isTTY: true })).toBe(false);
  });
});
