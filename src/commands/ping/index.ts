import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { endpointOptions } from '../endpoint-options.js';

export function pingCommand(deps: Deps) {
  const command = new Command('ping')
    .description("call the profile's health endpoint with a token (the JustGold document's GET /v1/ping)")
    .argument('[token]', 'the token to send, or - to read stdin (default: one from the profile: its token endpoint, or minted from its claims template)');
  for (const option of endpointOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
Exit status: 0 healthy (2xx), 1 the token was refused (the provider's code, e.g. token_expired),
3 network or server trouble, 4 no token could be obtained.

Examples:
  authctl ping --profile justgold
  authctl ping --profile justgold "$(authctl token mint --profile justgold --iss partner-123 --sub user-1)"`,
    )
    .action(async (token, flags, cmd) => {
      const { runPing } = await import('./run.js');
      await deps.emit(await runPing({ ...(flags as object), token }, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}
