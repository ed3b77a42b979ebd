import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';
import { keyOptions } from '../key-options.js';
import { policyOptions } from '../policy-flags.js';
import type { VerifyOptions } from './run.js';

export function verifyCommand(deps: Deps) {
  const command = new Command('verify')
    .description("check a token's signature locally, then its claims against the policy")
    .argument('[token]', 'the JWT, or - to read stdin: one token per line, one result per line');
  for (const option of [...keyOptions(), ...policyOptions()]) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
Keys: --key accepts PEM (private keys are reduced to their public half), certificates, a JWK, or
a JWKS (the token's kid selects). HMAC secrets come from --secret-file, --secret-stdin or
AUTHCTL_SECRET, never from an argument. RSA keys and HMAC secrets need --alg (or a profile policy
that lists algorithms); "none" is never accepted, and jku/x5u headers are never followed.

Exit status: 0 valid, 1 invalid (the finding codes say why), 2 usage, 4 missing key or secret.

Examples:
  authctl verify --key public.pem --alg RS256 --aud justgold-api "$TOKEN"
  authctl verify --key jwks.json --iss https://sso.example.com/realms/acme "$TOKEN"
  authctl verify --secret-file api.secret --policy gamification "$TOKEN"
  authctl verify --key public.pem --alg RS256 --json < tokens.txt     # NDJSON, one per token`,
    )
    .action(async (token, flags, cmd) => {
      const { runVerify } = await import('./run.js');
      await deps.emit(await runVerify({ ...(flags as VerifyOptions), token }, deps, globalsOf(cmd)), globalsOf(cmd));
    });
}
