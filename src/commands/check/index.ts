import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { daysArg, durationArg, emit, withEndpointOptions, lazyRuns } from '../options.js';
import { DEFAULT_ROTATION_DAYS } from '../../core/credentials.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runCheck: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function checkCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return withEndpointOptions(
    new Command('check')
      .description('CI checks of profiles: credentials present, a token obtainable, its claims, signature and expiry, key strength and rotation')
      .argument('[profiles...]', 'profiles to check, as well as any --profile given (default: the default profile)')
      .option('--all', 'check every profile in the config')
      .addOption(new Option('--min-ttl <duration>', 'fail when the token has less time left than this, e.g. 5m').argParser(durationArg))
      .addOption(new Option('--rotation-days <days>', 'flag stored secrets and key files older than this').argParser(daysArg).default(DEFAULT_ROTATION_DAYS))
      .option('--strict', 'warnings (rotation due, no expiry, policy warnings) fail too')
      .option('--junit <file>', 'also write a JUnit XML report (one testsuite per profile)'),
  )
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
    .action((profiles, flags, cmd) => emit(deps, cmd, async (globals) => runs.runCheck({ ...flags, profiles }, deps, globals)));
}
