import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { globalsOf } from '../globals.js';
import { durationArg } from '../policy-flags.js';
import { endpointOptions } from '../endpoint-options.js';
import { DEFAULT_ROTATION_DAYS } from '../../core/credentials.js';

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of days, such as 90.');
  return n;
}

export function checkCommand(deps: Deps) {
  const command = new Command('check')
    .description('CI checks of profiles: credentials present, a token obtainable, its claims, signature and expiry, key strength and rotation')
    .argument('[profiles...]', 'profiles to check, as well as any --profile given (default: the default profile)')
    .option('--all', 'check every profile in the config')
    .addOption(new Option('--min-ttl <duration>', 'fail when the token has less time left than this, e.g. 5m').argParser(durationArg))
    .addOption(new Option('--rotation-days <days>', 'flag stored secrets and key files older than this').argParser(days).default(DEFAULT_ROTATION_DAYS))
    .option('--strict', 'warnings (rotation due, no expiry, policy warnings) fail too')
    .option('--junit <file>', 'also write a JUnit XML report (one testsuite per profile)');
  for (const option of endpointOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
Checks, per profile: profile, credentials (environment or store, never a prompt; age against
--rotation-days), key (the profile's private_key: strength and age), token (a fresh request,
no cache), claims (the profile's policy), signature (the profile's JWKS, or the issuer's through
discovery), expiry (--min-ttl headroom). A check whose input is missing is skipped with the reason.

Exit status: 0 all checks pass, 1 any fails (or warns, with --strict), 2 usage.

Examples:
  authctl check --profile gooclaim --profile kc --min-ttl 10m
  authctl check --all --junit authctl-check.xml
  ${SECRET_SOURCES.client_secret.env}="$KC_SECRET" authctl check keycloak --json | jq .summary`,
    )
    .action(async (profiles, flags, cmd) => {
      const { runCheck } = await import('./run.js');
      await deps.emit(await runCheck({ ...(flags as object), rotationDays: flags.rotationDays, profiles }, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}
