import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { SIGNING_ALGORITHMS } from '../../core/keys/algorithms.js';
import { globalsOf } from '../globals.js';
import { keyOptions } from '../key-options.js';
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
  for (const option of keyOptions()) command.addOption(option);
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

export function tokenCommand(deps: Deps) {
  return new Command('token').description('mint tokens').addCommand(mintCommand(deps));
}
