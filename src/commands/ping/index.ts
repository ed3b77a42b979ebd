import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, withEndpointOptions, lazyRuns } from '../options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runPing: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function pingCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withEndpointOptions(
    new Command('ping')
      .description("call the profile's health endpoint with a token (the JustGold document's GET /v1/ping)")
      .argument('[token]', 'the token to send, or - to read stdin (default: one from the profile: its token endpoint, or minted from its claims template)'),
  )
    .addHelpText(
      'after',
      `
Exit status: 0 healthy (2xx), 1 the token was refused (the provider's code, e.g. token_expired),
3 network or server trouble, 4 no token could be obtained.

Examples:
  authctl ping --profile justgold
  authctl ping --profile justgold "$(authctl token mint --profile justgold --iss partner-123 --sub user-1)"`,
    )
    .action((token, flags, cmd) => emit(deps, cmd, async (globals) => runs.runPing({ ...flags, token }, deps, globals)));
}
