import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit } from '../options.js';

export function decodeCommand(deps: Deps) {
  return new Command('decode')
    .description("show a token's header and claims with human times and warnings (never verifies)")
    .argument('[token]', 'the JWT, or - to read stdin (default when stdin is not a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  authctl decode eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2ln
  pbpaste | authctl decode
  authctl decode --json "$TOKEN" | jq .payload.exp`,
    )
    .action((token, _flags, cmd) => emit(deps, cmd, async () => (await import('./run.js')).runDecode({ token }, deps)));
}
