import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, withEndpointOptions, lazyRuns } from '../options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runIntrospect: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function introspectCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withEndpointOptions(
    new Command('introspect')
      .description("ask the profile's introspection endpoint whether a token is active (RFC 7662, or Gooclaim's Bearer + JSON variant)")
      .argument('[token]', 'the token, or - to read stdin')
      .option('--token-type-hint <hint>', 'access_token or refresh_token'),
    false,
  )
    .addHelpText(
      'after',
      `
Exit status: 0 active, 1 inactive, 3 network or server trouble, 4 the client was refused.

Examples:
  authctl introspect --profile kc "$TOKEN"
  authctl introspect --profile gooclaim --json "$TOKEN" | jq .tenant_id`,
    )
    .action((token, flags, cmd) => emit(deps, cmd, async (globals) => runs.runIntrospect({ ...flags, token }, deps, globals)));
}
