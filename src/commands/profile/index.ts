import { PAR_MODES } from '../../core/config-values.js';
import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { collect, emit, lazyRuns } from '../options.js';
import { examples } from '../help.js';
import type { Profile } from '../../core/config.js';
import { BODY_FORMATS, CLIENT_AUTH_METHODS, GRANTS, INTROSPECTION_STYLES } from '../../core/config-values.js';
import { PROVIDERS } from '../../core/providers.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runProfileAdd: () => import('./run.js'),
  runProfileList: () => import('./run.js'),
  runProfileShow: () => import('./run.js'),
  runProfileRemove: () => import('./run.js'),
  runProfileUse: () => import('./run.js'),
});
type Runs = typeof RUNS;

/** Profile fields settable by flag: `--token-url` writes `token_url`, and so on. */
const FIELD_FLAGS: readonly (readonly [key: keyof Profile, help: string, choices?: readonly string[]])[] = [
  ['base_url', 'provider base URL; fills the endpoints of --provider templates'],
  ['issuer', 'issuer URL (OpenID/OAuth discovery)'],
  ['token_url', 'token endpoint'],
  ['introspection_url', 'introspection endpoint (RFC 7662)'],
  ['introspection_style', 'introspection request style', INTROSPECTION_STYLES],
  ['revocation_url', 'revocation endpoint (RFC 7009)'],
  ['verify_url', 'vendor verify endpoint'],
  ['jwks_uri', 'JWKS URL'],
  ['par_url', 'pushed authorization request endpoint (RFC 9126; discovery fills it)'],
  ['par', 'push the authorization request: auto (when the server requires it) or always', PAR_MODES],
  ['health_url', 'health check URL called with the token'],
  ['grant', 'grant type', GRANTS],
  ['client_id', 'client id (public; the secret goes in the keychain)'],
  ['client_auth', 'client authentication method', CLIENT_AUTH_METHODS],
  ['api_key_header', 'header that carries the API key (client_auth api_key)'],
  ['body_format', 'token request body format', BODY_FORMATS],
  ['username', 'resource owner username (password grant)'],
  ['scope', 'scope to request'],
  ['audience', 'audience to request'],
  ['resource', 'resource indicator to request (RFC 8707)'],
  ['private_key', 'private key file for private_key_jwt, jwt_bearer assertions or minting'],
  ['tls_client_cert', 'client certificate file for mutual TLS (RFC 8705 tls_client_auth)'],
  ['tls_client_key', 'private key file of the client certificate'],
  ['kid', 'key id to put in minted tokens and assertions'],
  ['alg', 'signing algorithm for minted tokens and assertions'],
];

const flagName = (key: string) => `--${key.replace(/_/g, '-')}`;
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function addCommand(deps: Deps, runs: Runs) {
  const command = new Command('add')
    .description('create or replace a provider profile')
    .argument('<profile>', 'profile name')
    .addOption(new Option('--provider <name>', 'start from a provider template').choices(Object.keys(PROVIDERS)));
  for (const [key, help, choices] of FIELD_FLAGS) {
    const option = new Option(`${flagName(key)} <value>`, help);
    command.addOption(choices ? option.choices(choices) : option);
  }
  return command
    .option('--extra-body <json>', 'extra token request body fields, as a JSON object (e.g. a webMethods claimsSet)')
    .option('--expect-iss <issuer>', 'issuer the policy accepts (repeatable)', collect)
    .option('--expect-aud <audience>', 'audience the policy accepts (repeatable)', collect)
    .option('--dpop', 'bind its tokens to a DPoP key (RFC 9449), made on first use and kept in the credential store')
    .option('--force', 'replace an existing profile')
    .option('--use', 'make it the default profile')
    .addHelpText(
      'after',
      `
Providers: ${Object.entries(PROVIDERS)
        .map(([name, p]) => `\n  ${name.padEnd(13)} ${p.description}`)
        .join('')}

Examples:
  authctl profile add gooclaim --provider gooclaim --base-url https://api.gooclaim.com --client-id my-client
  authctl profile add kc --provider keycloak --issuer https://sso.example.com/realms/acme --client-id cli --username alice
  authctl profile add jg --provider justgold --private-key private.pem --expect-iss partner-123`,
    )
    .action((name, flags, cmd) => {
      // The field flags are added from a table, so they are read by name rather than typed.
      const byName = new Map(Object.entries(flags));
      const fields = Object.fromEntries(FIELD_FLAGS.map(([key]) => [key, byName.get(camel(key))]).filter(([, v]) => typeof v === 'string'));
      const { provider, extraBody, expectIss, expectAud, force, use, dpop } = flags;
      return emit(deps, cmd, async (globals) =>
        runs.runProfileAdd({ name, provider, fields, extraBody, expectIss, expectAud, force, use, dpop }, deps, globals),
      );
    });
}

export function profileCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return new Command('profile')
    .description('named provider profiles in the config file (never secrets)')
    .addHelpText(
      'after',
      examples(
        'authctl profile add kc --provider keycloak --issuer https://sso.example.com/realms/acme --client-id cli --username alice',
        'authctl profile list',
      ),
    )
    .addCommand(addCommand(deps, runs))
    .addCommand(
      new Command('list')
        .description('list profiles; * marks the default')
        .option('--names', 'only the names, one per line (for scripts and completion)')
        .addHelpText('after', examples('authctl profile list', "authctl profile list --json | jq -r '.[] | select(.default) | .name'"))
        .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runProfileList(flags, deps, globals))),
    )
    .addCommand(
      new Command('show')
        .description('show a profile (default: the current one)')
        .argument('[profile]', 'profile name')
        .addHelpText('after', examples('authctl profile show', 'authctl profile show kc --json'))
        .action((name, _flags, cmd) => emit(deps, cmd, async (globals) => runs.runProfileShow({ name }, deps, globals))),
    )
    .addCommand(
      new Command('remove')
        .description('remove a profile')
        .argument('<profile>', 'profile name')
        .addHelpText('after', examples('authctl profile remove old-staging'))
        .action((name, _flags, cmd) => emit(deps, cmd, async (globals) => runs.runProfileRemove({ name }, deps, globals))),
    )
    .addCommand(
      new Command('use')
        .description('make a profile the default')
        .argument('<profile>', 'profile name')
        .addHelpText('after', examples('authctl profile use kc', 'AUTHCTL_PROFILE=gooclaim authctl token get        # one call only'))
        .action((name, _flags, cmd) => emit(deps, cmd, async (globals) => runs.runProfileUse({ name }, deps, globals))),
    );
}
