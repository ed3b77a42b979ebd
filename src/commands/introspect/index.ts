import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { endpointOptions } from '../endpoint-options.js';

export function introspectCommand(deps: Deps) {
  const command = new Command('introspect')
    .description("ask the profile's introspection endpoint whether a token is active (RFC 7662, or Gooclaim's Bearer + JSON variant)")
    .argument('[token]', 'the token, or - to read stdin')
    .option('--token-type-hint <hint>', 'access_token or refresh_token');
  for (const option of endpointOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
Exit status: 0 active, 1 inactive, 3 network or server trouble, 4 the client was refused.

Examples:
  authctl introspect --profile kc "$TOKEN"
  authctl introspect --profile gooclaim --json "$TOKEN" | jq .tenant_id`,
    )
    .action(async (token, flags, cmd) => {
      const { runIntrospect } = await import('./run.js');
      await deps.emit(await runIntrospect({ ...(flags as object), token }, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}
