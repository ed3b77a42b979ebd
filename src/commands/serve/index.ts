import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { globalsOf } from '../globals.js';
import { collect, lazyRuns } from '../options.js';
import { DEV_DEFAULTS, RECIPE_CLIENTS } from '../../core/server/defaults.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runServe: () => import('./run.js'),
});
type Runs = typeof RUNS;

function portArg(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535 (0 = a free port).');
  return port;
}

export function serveCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return new Command('serve')
    .description('run a local OAuth 2.0 authorization server for development and tests (loopback only by default)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = a free port)', portArg, 8400)
    .option('--settings <file>', 'clients, users, scopes, audiences, lifetimes and keys (TOML); default: the built-in development clients (see serve --help)')
    .option('--key <file>', 'signing key (a private key from `authctl keygen`; repeatable, the first signs)', collect)
    .addOption(
      new Option('--alg <alg>', 'algorithm of the key generated at start when none is given')
        .choices(['ES256', 'RS256', 'EdDSA'] as const)
        .default('ES256' as const),
    )
    .addHelpText(
      'after',
      `
Endpoints: discovery (/.well-known/openid-configuration, /.well-known/oauth-authorization-server),
/jwks, /token (client_credentials, password, refresh_token, RFC 7523 jwt-bearer, authorization_code
with PKCE S256, device_code; client_secret_basic, client_secret_post, private_key_jwt), /authorize
(a sign-in page), /device_authorization and /device (RFC 8628), /introspect (RFC 7662), /revoke
(RFC 7009), and the seed providers' variants: /v1/auth/token (JSON body; RS256, aud gooclaim-api,
tenant_id) and /v1/auth/introspect (Bearer + JSON) as Gooclaim, /gateway/security/getJsonWebToken
(x-Gateway-APIKey + claimsSet) as webMethods, GET /v1/auth/verify as the gamification API, GET
/v1/ping as JustGold (a client's public_keys are the partner's uploaded keys; POST /portal/jwt-keys
?partner_id=ID with a PEM body, Content-Type application/x-pem-file, stands in for the partner
portal's upload), and Keycloak realms under /realms/NAME/protocol/openid-connect/…. Any other path
is a development API for its tokens.

With no --settings file it knows a general client, the README recipes' clients and one user. These
development credentials are public, and for that reason the server refuses to serve them beyond
loopback:
  client_id ${DEV_DEFAULTS.clientId}, client secret ${DEV_DEFAULTS.clientSecret}, API key ${DEV_DEFAULTS.apiKey}
  user ${DEV_DEFAULTS.username}, password ${DEV_DEFAULTS.password}; HS256 verify secret ${DEV_DEFAULTS.hmacSecret}
  Gooclaim client_id ${RECIPE_CLIENTS.gooclaim.clientId}, secret ${RECIPE_CLIENTS.gooclaim.clientSecret} (tenant_id ${RECIPE_CLIENTS.gooclaim.tenantId})
  Keycloak client_id ${RECIPE_CLIENTS.keycloak.clientId}, secret ${RECIPE_CLIENTS.keycloak.clientSecret} (realm acme)
  webMethods application ${RECIPE_CLIENTS.webmethods.clientId}, API key ${RECIPE_CLIENTS.webmethods.apiKey}
  JustGold partner ${RECIPE_CLIENTS.justgold.partnerId} (its keys: uploaded to /portal/jwt-keys)

Settings file (TOML; key paths relative to the file):
  access_token_lifetime = "15m"
  audiences = ["my-api"]
  keys = ["signing.pem"]
  realms = ["acme"]                   # Keycloak-style issuers under /realms/NAME
  [[clients]]
  client_id = "ci"
  public_keys = ["ci.pub.pem"]        # private_key_jwt and jwt-bearer assertions
  grants = ["client_credentials"]
  scopes = ["api:read"]
  redirect_uris = ["https://app/cb"]  # authorization_code; none: any loopback URI (RFC 8252)
  token_format = "jwt"                # or "opaque"
  claims = { tenant_id = "t-1" }

Examples:
  authctl serve --port 8400 --json > server.json &
  authctl profile add local --issuer http://127.0.0.1:8400 --client-id ${DEV_DEFAULTS.clientId}
  ${SECRET_SOURCES.client_secret.env}=${DEV_DEFAULTS.clientSecret} authctl token get --profile local`,
    )
    .action(async (flags, cmd) => {
      await runs.runServe(flags, deps, globalsOf(cmd));
    });
}
