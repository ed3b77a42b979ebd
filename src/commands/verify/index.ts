import { DEFAULT_TIMEOUT_SECONDS } from '../../core/config-values.js';
import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { withKeyOptions } from '../key-options.js';
import { withDecryptOptions } from '../decrypt-options.js';
import { durationArg, emit, lazyRuns } from '../options.js';
import { withPolicyOptions } from '../policy-options.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runRemoteVerify: () => import('./remote.js'),
  runVerify: () => import('./run.js'),
});
type Runs = typeof RUNS;

export function verifyCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  const command = withPolicyOptions(
    withKeyOptions(
      new Command('verify')
        .description("check a token's signature locally, then its claims against the policy")
        .argument('[token]', 'the JWT, or - to read stdin: one token per line, one result per line'),
      'verify',
    ),
  );
  return withDecryptOptions(command, 'then verify the signed JWT nested in it')
    .option('--jwks <url>', 'verify against a remote JWKS (cached on disk as its Cache-Control allows)')
    .option('--issuer <url>', 'find the JWKS through discovery (.well-known/openid-configuration, then RFC 8414); iss must match')
    .option('--no-jwks-cache', 'always fetch the JWKS')
    .option('--dpop-proof <proof>', 'a DPoP proof (RFC 9449) that goes with the token: checked against it, its cnf.jkt and --htm/--htu')
    .option('--htm <method>', 'with --dpop-proof: the request method (default GET)')
    .option('--htu <url>', 'with --dpop-proof: the request URL')
    .option('--remote', "ask the profile's verify endpoint instead (e.g. the gamification API's GET /v1/auth/verify)")
    .addOption(new Option('--timeout <duration>', `network timeout (default ${DEFAULT_TIMEOUT_SECONDS}s)`).argParser(durationArg))
    .option('--cacert <file>', 'extra trusted CA certificates (PEM) for HTTPS')
    .option('--roots <file>', "trust the token's x5c chain when it leads to one of these root certificates (PEM bundle); its leaf signs")
    .addHelpText(
      'after',
      `
Keys: --key accepts PEM (private keys are reduced to their public half), certificates, a JWK, or
a JWKS (the token's kid selects). HMAC secrets come from --secret-file, --secret-stdin or
${SECRET_SOURCES.hmac_secret.env}, never from an argument. RSA keys and HMAC secrets need --alg (or a profile policy
that lists algorithms); "none" is never accepted, and jku/x5u headers are never followed.

Exit status: 0 valid, 1 invalid (the finding codes say why), 2 usage, 4 missing key or secret.

Examples:
  authctl verify --key public.pem --alg RS256 --aud justgold-api "$TOKEN"
  authctl verify --key jwks.json --iss https://sso.example.com/realms/acme "$TOKEN"
  authctl verify --issuer https://sso.example.com/realms/acme --aud account "$TOKEN"
  authctl verify --secret-file api.secret --policy gamification "$TOKEN"
  authctl verify --key public.pem --alg RS256 --json < tokens.txt     # NDJSON, one per token
  authctl verify --decrypt-key recipient.pem --key signer.pub.pem --alg ES256 "$NESTED_JWE"
  authctl verify --roots ca.pem --alg ES256 "$TOKEN_WITH_X5C"`,
    )
    .action((token, flags, cmd) =>
      emit(deps, cmd, async (globals) =>
        flags.remote ? runs.runRemoteVerify({ ...flags, token }, deps, globals) : runs.runVerify({ ...flags, token }, deps, globals),
      ),
    );
}
