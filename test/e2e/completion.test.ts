import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, cleanupHomes, runCli, tmpHome } from '../helpers/cli.js';

afterAll(cleanupHomes);

const FILES = { bash: 'completions/authctl.bash', zsh: 'completions/_authctl', fish: 'completions/authctl.fish' } as const;

describe('authctl completion', () => {
  it.each(Object.entries(FILES))('the checked-in %s script matches the command tree (run `npm run completions`)', async (shell, file) => {
    const { code, stdout } = await runCli(['completion', shell]);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });

  it('rejects an unknown shell with exit 2', async () => {
    const { code, stderr } = await runCli(['completion', 'tcsh']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/error\[invalid_argument\]/);
  });

  // Each shell's own completion machinery, fed the checked-in script: bash through COMP_WORDS,
  // fish through `complete -C`, zsh by calling the function with words/CURRENT and a compadd
  // that prints (zsh itself filters by prefix, so that is done here as zsh would).
  const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
  const shells = (['bash', 'zsh', 'fish'] as const).filter((shell) => {
    if (installed(shell)) return true;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${shell} is not installed (.ci/run installs it)`);
    console.warn(`\n  ${shell} completion tests SKIPPED: ${shell} is not installed\n`);
    return false;
  });

  describe.each(shells)('driving real %s completion', (shell) => {
    const home = tmpHome();
    const bin = join(home, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, join(bin, 'authctl'));
    const config = join(home, 'config.toml');
    execFileSync(process.execPath, [BIN, '--config', config, 'profile', 'add', 'alpha', '--token-url', 'https://a/t']);
    execFileSync(process.execPath, [BIN, '--config', config, 'profile', 'add', 'beta', '--token-url', 'https://b/t']);
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home, AUTHCTL_CONFIG: config };
    const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

    function complete(line: string): string[] {
      const words = line.split(' ');
      const script = join(ROOT, FILES[shell]);
      let out: string;
      if (shell === 'bash') {
        out = execFileSync(
          'bash',
          [
            '--norc',
            '--noprofile',
            '-c',
            `source ${quote(script)}
COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}
_authctl_complete
printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          { env, encoding: 'utf8' },
        );
      } else if (shell === 'fish') {
        out = execFileSync('fish', ['--no-config', '-c', `source ${quote(script)}; complete -C ${quote(line)}`], { env, encoding: 'utf8' }).replace(
          /\t.*$/gm,
          '',
        );
      } else {
        out = execFileSync(
          'zsh',
          [
            '-f',
            '-c',
            `compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }; _files() { :; }
source ${quote(script)}
words=(${words.map(quote).join(' ')}); CURRENT=${words.length}
_authctl`,
          ],
          { env, encoding: 'utf8' },
        );
        const prefix = words.at(-1)!;
        out = out
          .split('\n')
          .filter((c) => c.startsWith(prefix))
          .join('\n');
      }
      return [...new Set(out.split('\n').filter(Boolean))].sort();
    }

    it.each([
      [
        'authctl ',
        [
          'api',
          'check',
          'completion',
          'credentials',
          'decode',
          'demo',
          'introspect',
          'key',
          'keygen',
          'lint',
          'man',
          'ping',
          'profile',
          'scan',
          'serve',
          'token',
          'verify',
          'version',
        ],
      ],
      ['authctl token ', ['cache', 'encrypt', 'exchange', 'get', 'mint', 'refresh', 'revoke']],
      ['authctl token get --output ', ['env', 'exec-credential', 'header', 'json', 'token']],
      ['authctl credentials set ', ['api_key', 'client_secret', 'dpop_key', 'hmac_secret', 'password', 'private_key', 'refresh_token']],
      ['authctl key ', ['convert', 'pub', 'thumbprint']],
      ['authctl keygen --type ', ['ec', 'ed25519', 'oct', 'rsa']],
      ['authctl pro', ['profile']],
      ['authctl profile ', ['add', 'list', 'remove', 'show', 'use']],
      ['authctl profile add x --grant ', ['authorization_code', 'client_credentials', 'device_code', 'jwt_bearer', 'password', 'refresh_token']],
      ['authctl profile add x --client-auth client_secret_', ['client_secret_basic', 'client_secret_jwt', 'client_secret_post']],
      ['authctl lint --require-', ['--require-jti', '--require-scope']],
      ['authctl --json lint --str', ['--strict']],
      ['authctl lint --profile ', ['alpha', 'beta']],
      ['authctl profile use ', ['alpha', 'beta']],
      ['authctl --profile alpha profile use b', ['beta']],
      ['authctl completion ', ['bash', 'fish', 'zsh']],
      ['authctl scan --fail-on ', ['critical', 'high', 'low', 'medium']],
      ['authctl scan --format ', ['json', 'sarif', 'text']],
      ['authctl lint --policy ', ['gamification', 'gooclaim', 'justgold', 'keycloak', 'webmethods']],
      ['authctl verify --policy goo', ['gooclaim']],
      ['authctl decode ', []],
    ])('%j', (line, expected) => {
      // --policy takes a built-in name or a file: the names, and the shell's files beside them.
      expect(complete(line)).toEqual(line.includes('--policy') ? expect.arrayContaining(expected) : expected);
    });
  });
});
