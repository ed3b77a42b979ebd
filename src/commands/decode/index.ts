import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { withDecryptOptions } from '../decrypt-options.js';
import { emit, lazyRuns } from '../options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runDecode: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function decodeCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withDecryptOptions(
    new Command('decode')
      .description("show a token's header and claims with human times and warnings (never verifies)")
      .argument('[token]', 'the JWT, or - to read stdin (default when stdin is not a terminal)'),
    'shows what it holds',
  )
    .option('--kid <kid>', 'the key of a JWKS given to --decrypt-key')
    .addHelpText(
      'after',
      `
Examples:
  authctl decode eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2ln
  pbpaste | authctl decode
  authctl decode --json "$TOKEN" | jq .payload.exp
  authctl decode --decrypt-key recipient.pem "$JWE"          # a nested JWT: the signed token inside`,
    )
    .action((token, flags, cmd) => emit(deps, cmd, async (globals) => runs.runDecode({ ...flags, token }, deps, globals)));
}
