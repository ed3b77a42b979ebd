import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, lazyRuns } from '../options.js';
import { examples } from '../help.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runDemo: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function demoCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
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
    .action((_flags, cmd) => emit(deps, cmd, async () => runs.runDemo(deps)));
}
