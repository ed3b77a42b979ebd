import { Argument, Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { CREDENTIAL_KINDS, DEFAULT_ROTATION_DAYS } from '../../core/credentials.js';
import { globalsOf } from '../globals.js';
import { examples } from '../help.js';

const kindArgument = () => new Argument('<kind>', 'what the secret is').choices(CREDENTIAL_KINDS);
const storeOption = () => new Option('--store <store>', 'keychain (default) or the opt-in plaintext file store').choices(['keychain', 'file'] as const);

function days(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a number of days.');
  return Number(value);
}

export function credentialsCommand(deps: Deps) {
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
    .action(async (kind, flags, cmd) => {
      const { runCredentialsSet } = await import('./run.js');
      await deps.emit(await runCredentialsSet({ ...flags, kind }, deps, globalsOf(cmd)), globalsOf(cmd));
    });

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
    .action(async (kind, flags, cmd) => {
      const { runCredentialsGet } = await import('./run.js');
      await deps.emit(await runCredentialsGet({ ...flags, kind }, deps, globalsOf(cmd)), globalsOf(cmd));
    });

  const remove = new Command('delete')
    .description('delete a stored secret')
    .addArgument(kindArgument())
    .addOption(storeOption())
    .addHelpText(
      'after',
      examples('authctl credentials delete refresh_token --profile kc', 'authctl credentials delete client_secret --profile ci --store file'),
    )
    .action(async (kind, flags, cmd) => {
      const { runCredentialsDelete } = await import('./run.js');
      await deps.emit(await runCredentialsDelete({ ...flags, kind }, deps, globalsOf(cmd)), globalsOf(cmd));
    });

  const list = new Command('list')
    .description('stored secrets: profile, kind, created, age (never values); flags those due for rotation')
    .addOption(new Option('--max-age <days>', 'rotation age in days').argParser(days).default(DEFAULT_ROTATION_DAYS))
    .addOption(storeOption())
    .addHelpText('after', examples('authctl credentials list', "authctl credentials list --max-age 30 --json | jq '.credentials[] | select(.rotation_due)'"))
    .action(async (flags, cmd) => {
      const { runCredentialsList } = await import('./run.js');
      await deps.emit(await runCredentialsList(flags, deps, globalsOf(cmd)), globalsOf(cmd));
    });

  return new Command('credentials')
    .description('secrets in the OS keychain: client secrets, passwords, refresh tokens, HMAC secrets, API keys')
    .addHelpText('after', examples('authctl credentials set client_secret --profile gooclaim', 'authctl credentials list'))
    .addCommand(set)
    .addCommand(get)
    .addCommand(remove)
    .addCommand(list);
}
