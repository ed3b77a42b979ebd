import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit } from '../options.js';
import { examples } from '../help.js';

export function demoCommand(deps: Deps) {
  return new Command('demo')
    .description('a one-command tour: an embedded server, then keygen, profile, token get, decode, lint, verify, introspect, revoke')
    .addHelpText(
      'after',
      `
Everything happens in a throwaway directory with its own config and cache, against an
authorization server started in this process on a free loopback port. Nothing is left behind:
no config, no keychain entries, no files. Exit status 0 only if every step behaved as expected.
${examples('npx authctl demo', 'authctl demo --json | jq .steps')}`,
    )
    .action((_flags, cmd) => emit(deps, cmd, async () => (await import('./run.js')).runDemo(deps)));
}
