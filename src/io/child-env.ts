import { childEnvironment } from '../core/secret-sources.js';

/**
 * How git runs on a repository authctl did not write (`scan --history`, `scan --staged`): the
 * repository's own config can name programs (diff textconv and external diff drivers, a pager,
 * gpg for signatures, an fsmonitor hook, a remote helper for a lazy fetch), and none of them may
 * run. Those uses are turned off on the command line, which beats any config file; the
 * environment carries no secret (childEnvironment) and asks nothing of a terminal.
 */
export function gitCommand(args: readonly string[], env: Readonly<Record<string, string | undefined>>): { args: string[]; env: Record<string, string> } {
  const { GIT_EXTERNAL_DIFF: _diff, GIT_PAGER: _pager, ...inherited } = childEnvironment(env);
  const sub = args[0]!;
  const diffing = sub === 'log' || sub === 'diff' || sub === 'show';
  return {
    args: [
      '--no-pager',
      '-c',
      'core.quotepath=off',
      '-c',
      'core.fsmonitor=false',
      '-c',
      'log.showSignature=false',
      '-c',
      'core.pager=cat',
      sub,
      ...(diffing ? ['--no-textconv', '--no-ext-diff'] : []),
      ...args.slice(1),
    ],
    env: { ...inherited, GIT_TERMINAL_PROMPT: '0', GIT_NO_LAZY_FETCH: '1' },
  };
}
