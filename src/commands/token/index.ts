import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { SIGNING_ALGORITHMS } from '../../core/keys/algorithms.js';
import { globalsOf } from '../globals.js';
import { examples } from '../help.js';
import { keyOptions } from '../key-options.js';
import { collectResource, endpointOptions } from '../endpoint-options.js';
import { GRANTS } from '../../core/config.js';
import type { MintOptions } from './mint.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function mintCommand(deps: Deps) {
  const command = new Command('mint')
    .description('build and sign a JWT; prints the compact token')
    .option('--iss <issuer>', 'issuer')
    .option('--sub <subject>', 'subject')
    .option('--aud <audience>', 'audience (repeatable: an array)', collect)
    .option('--exp <when>', 'expiry: a duration from now (1h, 15m) or a Unix time')
    .option('--nbf <when>', 'not before: a duration from now or a Unix time')
    .option('--iat <when>', 'issued at (default: now)')
    .option('--jti <id>', 'token id; "auto" for a random UUID')
    .option('--scope <scopes>', 'scopes, space- or comma-separated')
    .addOption(new Option('--scope-format <format>', 'scope as a space-separated string (RFC 8693) or a JSON array').choices(['string', 'array'] as const))
    .option('--claim <key=value>', 'any claim; JSON values allowed (repeatable)', collect)
    .option('--claims <file>', 'claims from a JSON file, or - for stdin (flags override)')
    .addOption(new Option('--alg <alg>', 'algorithm (default: from the key)').choices(SIGNING_ALGORITHMS))
    .option('--typ <typ>', 'typ header (default JWT; at+jwt for RFC 9068 access tokens)')
    .option('--header <key=value>', 'extra header parameter (repeatable)', collect)
    .option('--cert <file>', 'certificate (chain) for the x5c and x5t#S256 headers');
  for (const option of keyOptions('sign')) command.addOption(option);
  return command
    .option('--insecure', 'allow weak keys (RSA < 2048 bits, short HMAC secrets)')
    .option('--allow-invalid', 'mint even when the claims fail the policy (for negative tests)')
    .addHelpText(
      'after',
      `
Examples:
  # JustGold: RS256 with your private key, aud justgold-api, 1 h, UUID jti
  authctl token mint --key private.pem --iss partner-123 --sub user-123 --aud justgold-api --exp 1h --jti auto
  # gamification API: HS256 with the API secret, scope as an array
  authctl token mint --secret-file api.secret --sub user_123 --iss your-tenant-id --aud your-application-id --exp 1h --scope "read write" --scope-format array
  # with a profile's template and policy
  authctl token mint --profile justgold --sub user-123
  # an expired token for a negative test
  authctl token mint --key private.pem --exp -1h --allow-invalid`,
    )
    .action(async (flags, cmd) => {
      const { runMint } = await import('./mint.js');
      await deps.emit(await runMint(flags as MintOptions, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}

function withEndpointOptions<T extends Command<unknown[], Record<string, unknown>, Record<string, unknown>>>(command: T): T {
  for (const option of endpointOptions()) command.addOption(option);
  return command;
}

function getCommand(deps: Deps, name: 'get' | 'refresh') {
  const command = new Command(name).description(
    name === 'get'
      ? "obtain an access token from the profile's token endpoint (cached until shortly before expiry); prints the bare token"
      : 'use the refresh token now (cached, or stored with `credentials set refresh_token`) and print the new access token',
  );
  if (name === 'get') {
    command
      .addOption(new Option('--grant <grant>', "grant type (default: the profile's)").choices(GRANTS))
      .option('--scope <scope>', 'scope to request')
      .option('--audience <audience>', 'audience to request')
      .addOption(new Option('--resource <uri>', 'resource indicator, RFC 8707 (repeatable)').argParser(collectResource))
      .option('--assertion-file <file>', "jwt_bearer grant: the assertion (a JWT from your IdP) in a file, - for stdin; default: signed with the profile's key")
      .option('--no-cache', 'neither read nor write the token cache')
      .option('--force', 'ignore a cached token and authenticate again');
  }
  command.option('--show-refresh-token', 'with --output json: include the refresh token (a long-lived secret, kept in the credential store)');
  return withEndpointOptions(command)
    .addOption(
      new Option('--output <format>', 'token (bare), json, header (Authorization: Bearer …) or env')
        .choices(['token', 'json', 'header', 'env'] as const)
        .default('token' as const),
    )
    .addHelpText(
      'after',
      name === 'get'
        ? `
Secrets: the client secret comes from --client-secret-file/--client-secret-stdin, then
${SECRET_SOURCES.client_secret.env}, then the keychain (authctl credentials set client_secret), then a hidden
prompt on a terminal; the password likewise (${SECRET_SOURCES.password.env}, credentials set password).

Examples:
  curl -H "Authorization: Bearer $(authctl token get --profile gooclaim)" https://api.gooclaim.com/v1/workflows/wf_abc123
  authctl token get --profile kc --output json
  ${SECRET_SOURCES.client_secret.env}=… authctl token get --profile ci          # CI, no keychain
  authctl token get --profile wm --output header`
        : `
Examples:
  authctl token refresh --profile kc`,
    )
    .action(async (flags, cmd) => {
      const { runTokenGet } = await import('./run.js');
      const f = flags as Record<string, unknown>;
      await deps.emit(
        await runTokenGet({ ...(f as object), noCache: f.cache === false, refresh: name === 'refresh', output: f.output as 'token' }, deps, globalsOf(cmd)),
        globalsOf(cmd),
      );
    });
}

function revokeCommand(deps: Deps) {
  return withEndpointOptions(new Command('revoke').description('revoke a token (RFC 7009)').argument('[token]', 'the token, or - for stdin'))
    .addOption(new Option('--hint <type>', 'token_type_hint').choices(['access_token', 'refresh_token'] as const))
    .addHelpText('after', '\nExamples:\n  authctl token revoke --profile kc "$REFRESH_TOKEN" --hint refresh_token')
    .action(async (token, flags, cmd) => {
      const { runTokenRevoke } = await import('./run.js');
      await deps.emit(await runTokenRevoke({ ...(flags as object), token }, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}

function cacheCommand(deps: Deps) {
  const store = () => new Option('--store <store>', 'credential store').choices(['keychain', 'file'] as const);
  return new Command('cache')
    .description('inspect or clear the token cache (metadata only, never token values)')
    .addHelpText(
      'after',
      `
Access tokens are cached as files under $XDG_CACHE_HOME/authctl/tokens (0600) until shortly before
they expire; refresh tokens are credentials (authctl credentials list). token_cache = "keychain"
or "off" in the config moves the cache into the credential store or turns it off.
${examples('authctl token cache list', 'authctl token cache clear --profile kc')}`,
    )
    .addCommand(
      new Command('list')
        .description('cached tokens: profile, masked token, grant, expiry')
        .addOption(store())
        .addHelpText('after', examples('authctl token cache list', 'authctl token cache list --profile kc --json'))
        .action(async (flags, cmd) => {
          const { runCacheList } = await import('./run.js');
          await deps.emit(await runCacheList(flags, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    )
    .addCommand(
      new Command('clear')
        .description('remove cached tokens (of --profile, or all)')
        .addOption(store())
        .addHelpText('after', examples('authctl token cache clear --profile gooclaim', 'authctl token cache clear'))
        .action(async (flags, cmd) => {
          const { runCacheClear } = await import('./run.js');
          await deps.emit(await runCacheClear(flags, deps, globalsOf(cmd)), globalsOf(cmd));
        }),
    );
}

export function tokenCommand(deps: Deps) {
  return new Command('token')
    .description('mint, obtain, refresh, revoke and cache tokens')
    .addHelpText(
      'after',
      examples(
        'authctl token get --profile gooclaim',
        'authctl token mint --key private.pem --iss partner-123 --sub user-1 --aud justgold-api --exp 1h --jti auto',
      ),
    )
    .addCommand(mintCommand(deps))
    .addCommand(getCommand(deps, 'get'))
    .addCommand(getCommand(deps, 'refresh'))
    .addCommand(revokeCommand(deps))
    .addCommand(cacheCommand(deps));
}
