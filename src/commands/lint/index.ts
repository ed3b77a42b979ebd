import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { withDecryptOptions } from '../decrypt-options.js';
import { emit, lazyRuns } from '../options.js';
import { withPolicyOptions } from '../policy-options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runLint: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function lintCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withDecryptOptions(
    withPolicyOptions(
      new Command('lint')
        .description("check a token's claims against a policy or profile; findings with codes")
        .argument('[token]', 'the JWT, or - to read stdin: one token per line, one result per line'),
    ),
    'then lint the signed JWT nested in it',
  )
    .addHelpText(
      'after',
      `
Exit status: 0 when no finding is an error (with --strict: no finding at all), 1 otherwise.

Examples:
  authctl lint --policy justgold "$TOKEN"
  authctl lint --iss https://idp.example.com --aud api --require-scope read "$TOKEN"
  authctl lint --profile gooclaim --json < tokens.txt      # NDJSON, one line per token`,
    )
    .action((token, flags, cmd) => emit(deps, cmd, async (globals) => runs.runLint({ ...flags, token }, deps, globals)));
}
