import { Argument, Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { CREDENTIAL_KINDS, DEFAULT_ROTATION_DAYS } from '../../core/credentials.js';
import { daysArg, emit, storeOption, lazyRuns } from '../options.js';
import { examples } from '../help.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runCredentialsSet: () => import('./run.js'),
  runCredentialsGet: () => import('./run.js'),
  runCredentialsDelete: () => import('./run.js'),
  runCredentialsList: () => import('./run.js'),
});
type Runs = typeof RUNS;

const kindArgument = () => new Argument('<kind>', 'what the secret is').choices(CREDENTIAL_KINDS);
export function credentialsCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  const set = new Command('set')
    .description('store a secret for a profile (hidden prompt, --stdin or --file; never an argument)')
    .addArgument(kindArgument())
    .option('--stdin', 'read the secret from stdin')
    .option('--file <file>', 'read the secret from a file')
    .addOption(storeOption())
    .addHelpText(
      'after',
      `
Entries live under service "authctl", account "<profile>/<kind>".

Examples:
  authctl credentials set client_secret --profile gooclaim          # prompts, hidden
  printf %s "$CLIENT_SECRET" | authctl credentials set client_secret --profile gooclaim --stdin
  authctl credentials set password --profile kc --file ./password.txt
  authctl credentials set api_key --profile wm --stdin < key.txt`,
    )
    .action((kind, flags, cmd) => emit(deps, cmd, async (globals) => runs.runCredentialsSet({ ...flags, kind }, deps, globals)));

  const get = new Command('get')
    .description("show a stored secret's metadata; the value only with --reveal")
    .addArgument(kindArgument())
    .option('--reveal', 'print the secret itself')
    .addOption(storeOption())
    .addHelpText(
      'after',
      examples(
        'authctl credentials get client_secret --profile gooclaim          # age, fingerprint, rotation',
        'authctl credentials get hmac_secret --profile gamif --reveal > api.secret',
      ),
    )
    .action((kind, flags, cmd) => emit(deps, cmd, async (globals) => runs.runCredentialsGet({ ...flags, kind }, deps, globals)));

  const remove = new Command('delete')
    .description('delete a stored secret')
    .addArgument(kindArgument())
    .addOption(storeOption())
    .addHelpText(
      'after',
      examples('authctl credentials delete refresh_token --profile kc', 'authctl credentials delete client_secret --profile ci --store file'),
    )
    .action((kind, flags, cmd) => emit(deps, cmd, async (globals) => runs.runCredentialsDelete({ ...flags, kind }, deps, globals)));

  const list = new Command('list')
    .description('stored secrets: profile, kind, created, age (never values); flags those due for rotation')
    .addOption(new Option('--max-age <days>', 'rotation age in days').argParser(daysArg).default(DEFAULT_ROTATION_DAYS))
    .addOption(storeOption())
    .addHelpText('after', examples('authctl credentials list', "authctl credentials list --max-age 30 --json | jq '.credentials[] | select(.rotation_due)'"))
    .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runCredentialsList(flags, deps, globals)));

  return new Command('credentials')
    .description('secrets in the OS keychain: client secrets, passwords, refresh tokens, HMAC secrets, API keys')
    .addHelpText('after', examples('authctl credentials set client_secret --profile gooclaim', 'authctl credentials list'))
    .addCommand(set)
    .addCommand(get)
    .addCommand(remove)
    .addCommand(list);
}
