import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { examples } from '../help.js';
import type { Profile } from '../../core/config.js';
import { BODY_FORMATS, CLIENT_AUTH_METHODS, GRANTS, INTROSPECTION_STYLES } from '../../core/config.js';
import { PROVIDERS } from '../../core/providers.js';

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
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function addCommand(deps: Deps) {
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
    .action(async (name, flags, cmd) => {
      const raw = flags as Record<string, unknown>;
      const fields = Object.fromEntries(FIELD_FLAGS.map(([key]) => [key, raw[camel(key)]]).filter(([, v]) => v !== undefined));
      const { runProfileAdd } = await import('./run.js');
      await deps.emit(
        await runProfileAdd(
          {
            name,
            provider: flags.provider,
            fields,
            extraBody: flags.extraBody,
            expectIss: flags.expectIss,
            expectAud: flags.expectAud,
            force: flags.force,
            use: flags.use,
          },
          deps,
          globalsOf(cmd),
        ),
        globalsOf(cmd),
      );
    });
}

export function profileCommand(deps: Deps) {
  return new Command('profile')
    .description('named provider profiles in the config file (never secrets)')
    .addHelpText(
      'after',
      examples(
        'authctl profile add kc --provider keycloak --issuer https://sso.example.com/realms/acme --client-id cli --username alice',
        'authctl profile list',
      ),
    )
    .addCommand(addCommand(deps))
    .addCommand(
      new Command('list')
        .description('list profiles; * marks the default')
        .option('--names', 'only the names, one per line (for scripts and completion)')
        .addHelpText('after', examples('authctl profile list', "authctl profile list --json | jq -r '.[] | select(.default) | .name'"))
        .action(async (flags, cmd) => {
          const { runProfileList } = await import('./run.js');
          await deps.emit(await runProfileList(flags, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    )
    .addCommand(
      new Command('show')
        .description('show a profile (default: the current one)')
        .argument('[profile]', 'profile name')
        .addHelpText('after', examples('authctl profile show', 'authctl profile show kc --json'))
        .action(async (name, _flags, cmd) => {
          const { runProfileShow } = await import('./run.js');
          await deps.emit(await runProfileShow({ name }, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    )
    .addCommand(
      new Command('remove')
        .description('remove a profile')
        .argument('<profile>', 'profile name')
        .addHelpText('after', examples('authctl profile remove old-staging'))
        .action(async (name, _flags, cmd) => {
          const { runProfileRemove } = await import('./run.js');
          await deps.emit(await runProfileRemove({ name }, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    )
    .addCommand(
      new Command('use')
        .description('make a profile the default')
        .argument('<profile>', 'profile name')
        .addHelpText('after', examples('authctl profile use kc', 'AUTHCTL_PROFILE=gooclaim authctl token get        # one call only'))
        .action(async (name, _flags, cmd) => {
          const { runProfileUse } = await import('./run.js');
          await deps.emit(await runProfileUse({ name }, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    );
}
