import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { SIGNING_ALGORITHMS } from '../../core/keys/algorithms.js';
import { examples } from '../help.js';
import { withKeyOptions } from '../key-options.js';
import { collect, collectResource, durationArg, emit, storeOption, withEndpointOptions, lazyRuns } from '../options.js';
import { GRANTS } from '../../core/config-values.js';
import { CONTENT_ENCRYPTION, KEY_MANAGEMENT } from '../../core/keys/jwe-algorithms.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runEncrypt: () => import('./encrypt.js'),
  runMint: () => import('./mint.js'),
  runTokenGet: () => import('./run.js'),
  runTokenExchange: () => import('./exchange.js'),
  runTokenRevoke: () => import('./run.js'),
  runCacheList: () => import('./run.js'),
  runCacheClear: () => import('./run.js'),
});
type Runs = typeof RUNS;

function encryptCommand(deps: Deps, runs: Runs) {
  return new Command('encrypt')
    .description('encrypt claims (JSON) or a signed JWT (nested, cty JWT) to a recipient key: a compact JWE (RFC 7516)')
    .argument('[input]', 'a JSON object of claims, or a JWT; - (or nothing, in a pipe) reads stdin')
    .option('--key <file>', "the recipient's key: PEM, certificate, JWK or JWKS (with --kid); its public half is used")
    .option('--password-file <file>', `encrypt to a password instead (PBES2; or ${SECRET_SOURCES.jwe_password.env}; a prompt on a terminal)`)
    .option('--password-stdin', 'the password from stdin')
    .option('--kid <kid>', 'the key of a JWKS to use, and the kid header')
    .addOption(
      new Option('--alg <alg>', 'key management (default: RSA-OAEP-256, ECDH-ES+A256KW, AxxxKW for a secret, PBES2-HS512+A256KW for a password)').choices(
        KEY_MANAGEMENT,
      ),
    )
    .addOption(new Option('--enc <enc>', 'content encryption').choices(CONTENT_ENCRYPTION).default('A256GCM' as const))
    .addHelpText(
      'after',
      examples(
        'authctl token encrypt --key recipient.pub.pem \'{"sub":"user-1","exp":1893456000}\'',
        'authctl token mint --key signer.pem --sub user-1 --exp 1h | authctl token encrypt --key recipient.jwks.json --kid enc-1',
        'authctl decode --decrypt-key recipient.pem "$JWE"',
        'authctl token encrypt --password-file pw.txt \'{"sub":"user-1"}\' | authctl decode --password-file pw.txt',
      ),
    )
    .action((input, flags, cmd) => emit(deps, cmd, async (globals) => runs.runEncrypt({ ...flags, input }, deps, globals)));
}

function mintCommand(deps: Deps, runs: Runs) {
  const command = withKeyOptions(
    new Command('mint')
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
      .option('--cert <file>', 'certificate (chain) for the x5c and x5t#S256 headers')
      .option('--encrypt-to <file>', "then encrypt it to this recipient's key: a nested JWT (JWE, cty JWT; algorithms follow the key)"),
    'sign',
  );
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
    .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runMint(flags, deps, globals)));
}

/** What `token get` and `token refresh` print. */
function withOutputOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command
    .addOption(
      new Option(
        '--output <format>',
        'token (bare), json, header (Authorization: Bearer …), env (export lines: the token and its expiry), or exec-credential (kubectl)',
      )
        .choices(['token', 'json', 'header', 'env', 'exec-credential'] as const)
        .default('token' as const),
    )
    .option('--show-refresh-token', 'with --output json: include the refresh token (a long-lived secret, kept in the credential store)')
    .option('--dpop', "bind the token to the profile's DPoP key (RFC 9449; or dpop = true in the profile)")
    .option('--htu <url>', 'with --output header and a DPoP token: the request the proof is for')
    .option('--htm <method>', 'with --htu: its method (default GET)');
}

function getCommand(deps: Deps, runs: Runs) {
  const command = withEndpointOptions(
    new Command('get')
      .description("obtain an access token from the profile's token endpoint (cached until shortly before expiry); prints the bare token")
      .addOption(new Option('--grant <grant>', "grant type (default: the profile's)").choices(GRANTS))
      .option('--scope <scope>', 'scope to request')
      .option('--audience <audience>', 'audience to request')
      .addOption(new Option('--resource <uri>', 'resource indicator, RFC 8707 (repeatable)').argParser(collectResource))
      .option('--assertion-file <file>', "jwt_bearer grant: the assertion (a JWT from your IdP) in a file, - for stdin; default: signed with the profile's key")
      .option('--no-cache', 'neither read nor write the token cache')
      .option('--force', 'ignore a cached token and authenticate again')
      .option('--no-browser', 'authorization_code: print the sign-in URL on stderr instead of opening a browser')
      .option('--par', 'authorization_code: push the request to the server first (RFC 9126; automatic when the server requires it)')
      .addOption(
        new Option('--sign-in-timeout <duration>', 'how long a person may take to sign in (browser or device flow; default 5m)').argParser(durationArg),
      ),
  );
  return withOutputOptions(command)
    .addHelpText(
      'after',
      `
Secrets: the client secret comes from --client-secret-file/--client-secret-stdin, then
${SECRET_SOURCES.client_secret.env}, then the keychain (authctl credentials set client_secret), then a hidden
prompt on a terminal; the password likewise (${SECRET_SOURCES.password.env}, credentials set password).

Examples:
  curl -H "Authorization: Bearer $(authctl token get --profile gooclaim)" https://api.gooclaim.com/v1/workflows/wf_abc123
  authctl token get --profile kc --output json
  ${SECRET_SOURCES.client_secret.env}=… authctl token get --profile ci          # CI, no keychain
  authctl token get --profile wm --output header
  authctl token get --profile me --dpop --output header --htu https://api.example.com/v1/items   # both headers
  authctl token get --profile me --grant authorization_code              # sign in in the browser
  authctl token get --profile me --grant device_code                     # sign in on another device`,
    )
    .action(({ cache, browser, ...flags }, cmd) =>
      emit(deps, cmd, async (globals) => runs.runTokenGet({ ...flags, noCache: !cache, noBrowser: !browser, signInWait: flags.signInTimeout }, deps, globals)),
    );
}

function refreshCommand(deps: Deps, runs: Runs) {
  const command = withEndpointOptions(
    new Command('refresh').description('use the refresh token now (cached, or stored with `credentials set refresh_token`) and print the new access token'),
  );
  return withOutputOptions(command)
    .addHelpText('after', examples('authctl token refresh --profile kc', 'authctl token refresh --profile kc --output json --show-refresh-token'))
    .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runTokenGet({ ...flags, refresh: true }, deps, globals)));
}

const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;

function exchangeCommand(deps: Deps, runs: Runs) {
  return withEndpointOptions(
    new Command('exchange')
      .description("trade a token at the profile's token endpoint for one for another audience, resource or scope (RFC 8693 token exchange)")
      .argument('[subject-token]', 'the token to trade, or - for stdin'),
    false,
  )
    .option('--subject-token-type <type>', 'access_token, refresh_token, id_token, jwt, or a token type URI', 'access_token')
    .option('--actor-token <token>', "the actor's token (delegation: the new token carries act), or - for stdin")
    .option('--actor-token-type <type>', "the actor token's type (access_token, jwt, …)")
    .option('--requested-token-type <type>', 'the type of token asked for (access_token, jwt, …)')
    .option('--audience <audience>', 'the audience the new token is for')
    .option('--resource <uri>', 'the resource the new token is for (RFC 8707; repeatable)', collectResource)
    .option('--scope <scopes>', "the scopes asked for (at most the subject token's)")
    .addOption(new Option('--output <format>', 'token (bare) or json (with issued_token_type)').choices(['token', 'json'] as const).default('token' as const))
    .addHelpText(
      'after',
      examples(
        'authctl token exchange --profile gateway --audience orders-api "$USER_TOKEN"',
        'authctl token exchange --profile gateway --audience orders-api --actor-token "$SERVICE_TOKEN" --actor-token-type access_token --output json -  < user.token',
      ),
    )
    .action((subjectToken, flags, cmd) => emit(deps, cmd, async (globals) => runs.runTokenExchange({ ...flags, subjectToken }, deps, globals)));
}

function revokeCommand(deps: Deps, runs: Runs) {
  return (
    withEndpointOptions(new Command('revoke').description('revoke a token (RFC 7009)').argument('[token]', 'the token, or - for stdin'), false)
      .addOption(new Option('--token-type-hint <type>', 'access_token or refresh_token (RFC 7009 token_type_hint)').choices(TOKEN_TYPE_HINTS))
      // The spelling of an earlier release, kept for scripts (introspect says --token-type-hint too).
      .addOption(new Option('--hint <type>').choices(TOKEN_TYPE_HINTS).hideHelp())
      .addHelpText('after', '\nExamples:\n  authctl token revoke --profile kc "$REFRESH_TOKEN" --token-type-hint refresh_token')
      .action((token, { tokenTypeHint, hint, ...flags }, cmd) =>
        emit(deps, cmd, async (globals) => runs.runTokenRevoke({ ...flags, hint: tokenTypeHint ?? hint, token }, deps, globals)),
      )
  );
}

function cacheCommand(deps: Deps, runs: Runs) {
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
        .addOption(storeOption())
        .addHelpText('after', examples('authctl token cache list', 'authctl token cache list --profile kc --json'))
        .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runCacheList(flags, deps, globals))),
    )
    .addCommand(
      new Command('clear')
        .description('remove cached tokens (of --profile, or all)')
        .addOption(storeOption())
        .addHelpText('after', examples('authctl token cache clear --profile gooclaim', 'authctl token cache clear'))
        .action((flags, cmd) => emit(deps, cmd, async (globals) => runs.runCacheClear(flags, deps, globals))),
    );
}

export function tokenCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return new Command('token')
    .description('mint, obtain, refresh, revoke and cache tokens')
    .addHelpText(
      'after',
      examples(
        'authctl token get --profile gooclaim',
        'authctl token mint --key private.pem --iss partner-123 --sub user-1 --aud justgold-api --exp 1h --jti auto',
      ),
    )
    .addCommand(mintCommand(deps, runs))
    .addCommand(encryptCommand(deps, runs))
    .addCommand(exchangeCommand(deps, runs))
    .addCommand(getCommand(deps, runs))
    .addCommand(refreshCommand(deps, runs))
    .addCommand(revokeCommand(deps, runs))
    .addCommand(cacheCommand(deps, runs));
}
