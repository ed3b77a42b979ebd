import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { BUILTIN_POLICY_NAMES } from '../core/claims/policy-names.js';
import { collectList, durationArg } from './options.js';

export type { PolicyFlags } from '../services/policy.js';

/** The claims-policy flags of `lint` and `verify`, chained so their types are inferred. */
export function withPolicyOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command
    .addOption(new Option('--policy <file|name>', `policy file (TOML or JSON) or built-in policy (${BUILTIN_POLICY_NAMES.join(', ')})`))
    .addOption(new Option('--iss <issuer>', 'accepted issuer (repeatable)').argParser(collectList))
    .addOption(new Option('--aud <audience>', 'accepted audience (repeatable)').argParser(collectList))
    .addOption(new Option('--require <claim>', 'claim that must be present (repeatable)').argParser(collectList))
    .addOption(new Option('--require-scope <scope>', 'scope the token must grant (repeatable)').argParser(collectList))
    .addOption(new Option('--max-lifetime <duration>', 'maximum exp - iat, e.g. 1h').argParser(durationArg))
    .addOption(new Option('--alg <alg>', 'allowed algorithm (repeatable)').argParser(collectList))
    .addOption(new Option('--typ <typ>', 'expected typ header, e.g. at+jwt'))
    .addOption(new Option('--leeway <duration>', 'clock tolerance for exp/nbf/iat (default 60s)').argParser(durationArg))
    .addOption(new Option('--require-jti', 'require a jti claim'))
    .addOption(new Option('--strict', 'warnings fail too'));
}
