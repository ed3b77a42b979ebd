import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from './deps.js';
import { VERSION } from './version.js';
import { decodeCommand } from './commands/decode/index.js';
import { lintCommand } from './commands/lint/index.js';
import { profileCommand } from './commands/profile/index.js';
import { keygenCommand } from './commands/keygen/index.js';
import { keyCommand } from './commands/key/index.js';
import { tokenCommand } from './commands/token/index.js';
import { verifyCommand } from './commands/verify/index.js';
import { credentialsCommand } from './commands/credentials/index.js';
import { introspectCommand } from './commands/introspect/index.js';
import { completionCommand } from './commands/completion/index.js';
import { serveCommand } from './commands/serve/index.js';
import { demoCommand } from './commands/demo/index.js';
import { scanCommand } from './commands/scan/index.js';
import { checkCommand } from './commands/check/index.js';
import { pingCommand } from './commands/ping/index.js';

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/** Settings every command needs; commander does not pass them to commands added with addCommand. */
function configureTree(command: AnyCommand): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({ outputError: () => {} });
  for (const sub of command.commands) configureTree(sub as AnyCommand);
}

/** The root command and its global flags, with every command attached. */
export function buildProgram(deps: Deps) {
  const profiles: string[] = [];
  const program = new Command('authctl')
    .description('JWT and OAuth2 from the command line: keys, tokens, decode, lint, verify, credentials and CI checks')
    .version(VERSION, '-V, --version')
    .option('--json', 'print one JSON document (errors too)', false)
    .option('--no-color', 'no colour (also NO_COLOR); FORCE_COLOR forces it')
    .option('--debug', 'show stack traces for unexpected errors', false)
    .option('-v, --verbose', 'more detail on stderr (secrets stay redacted)', false)
    .addOption(new Option('--config <file>', 'config file').env('AUTHCTL_CONFIG'))
    // Every --profile is kept: `check` takes several; the others refuse more than one (see globalsOf).
    .addOption(new Option('--profile <name>', 'profile to use (check: repeatable)').env('AUTHCTL_PROFILE').argParser((name: string) => (profiles.push(name), name)))
    .addHelpText(
      'after',
      `
Examples:
  authctl decode "$TOKEN"
  authctl lint --policy justgold "$TOKEN"
  authctl profile add gooclaim --provider gooclaim --base-url https://api.gooclaim.com --client-id me

Exit codes: 0 ok, 1 check failed, 2 usage, 3 network/server, 4 authentication, 130 interrupted.`,
    )
    .addCommand(keygenCommand(deps))
    .addCommand(keyCommand(deps))
    .addCommand(tokenCommand(deps))
    .addCommand(decodeCommand(deps))
    .addCommand(lintCommand(deps))
    .addCommand(verifyCommand(deps))
    .addCommand(introspectCommand(deps))
    .addCommand(pingCommand(deps))
    .addCommand(credentialsCommand(deps))
    .addCommand(profileCommand(deps))
    .addCommand(scanCommand(deps))
    .addCommand(checkCommand(deps))
    .addCommand(serveCommand(deps))
    .addCommand(demoCommand(deps))
    .addCommand(completionCommand(deps, () => program as never));
  configureTree(program as unknown as AnyCommand);
  // AUTHCTL_PROFILE goes through the same parser, but only flags typed on the command line count here.
  program.hook('preAction', () => void program.setOptionValue('profiles', program.getOptionValueSource('profile') === 'cli' ? [...profiles] : []));
  return program;
}
