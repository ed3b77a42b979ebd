import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupHomes, ROOT, runCli } from '../helpers/cli.js';
import { roff } from '../../src/core/man-page.js';

afterAll(() => cleanupHomes());

describe('the man page', () => {
  it('holds every command with its help as authctl help prints it, the exit codes, environment and files; the build ships it', async () => {
    const page = (await runCli(['man'])).stdout;
    expect(readFileSync(join(ROOT, 'dist', 'authctl.1'), 'utf8')).toBe(page);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[]; files: string[] };
    expect(pkg.man).toEqual(['./dist/authctl.1']);
    expect(pkg.files).toContain('dist');
    const sections = [...page.matchAll(/^\.SS "(.*)"$/gm)].map((m) => m[1]!.replace(/\\-/g, '-'));
    for (const path of ['authctl', 'authctl decode', 'authctl token get', 'authctl key convert', 'authctl credentials set', 'authctl man'])
      expect(sections).toContain(path);
    expect(sections.length).toBeGreaterThan(35);
    // the same text as `authctl help COMMAND`, examples included, at 80 columns
    for (const path of [['decode'], ['token', 'get'], ['api']]) {
      const help = (await runCli(['help', ...path], { env: { COLUMNS: '80' } })).stdout;
      expect(help).toMatch(/\nExamples:\n/);
      expect(page).toContain(roff(help.trimEnd()));
    }
    expect(page).toMatch(/^\.SH "EXIT STATUS"$/m);
    expect(page).toMatch(/^\.B 70\n.*internal error/m);
    for (const name of ['AUTHCTL_CLIENT_SECRET', 'AUTHCTL_CONFIG', 'HTTPS_PROXY']) expect(page).toContain(`.B ${roff(name)}`);
    expect(page).toContain('config.toml');
  });

  it('renders without a warning in troff', () => {
    const page = join(ROOT, 'dist', 'authctl.1');
    const warnings = execFileSync('sh', ['-c', 'nroff -man -ww "$1" 2>&1 >/dev/null', 'sh', page], { encoding: 'utf8' });
    expect(warnings).toBe('');
    const text = execFileSync('nroff', ['-man', page], { encoding: 'utf8' });
    expect(text).toMatch(/AUTHCTL\(1\)/);
  });
});
