import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { policyOptions, type PolicyFlags } from '../policy-flags.js';

export function lintCommand(deps: Deps) {
  const command = new Command('lint')
    .description("check a token's claims against a policy or profile; findings with codes")
    .argument('[token]', 'the JWT, or - to read stdin: one token per line, one result per line');
  for (const option of policyOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
Exit status: 0 when no finding is an error (with --strict: no finding at all), 1 otherwise.

Examples:
  authctl lint --policy justgold "$TOKEN"
  authctl lint --iss https://idp.example.com --aud api --require-scope read "$TOKEN"
  authctl lint --profile gooclaim --json < tokens.txt      # NDJSON, one line per token`,
    )
    .action(async (token, flags, cmd) => {
      const globals = globalsOf(cmd);
      const { runLint } = await import('./run.js');
      await deps.emit(await runLint({ ...(flags as PolicyFlags), token }, deps, globals), globals);
    });
}
