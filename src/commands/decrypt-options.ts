import type { Command, OptionValues } from '@commander-js/extra-typings';
import { UsageError } from '../errors.js';
import { SECRET_SOURCES } from '../core/secret-sources.js';
import type { DecryptFlags } from '../services/jwe.js';

/**
 * Whether a command was asked to open a JWE (so the JWE code loads only then). stdin is one
 * stream: a token operand that reads it (`-`, or none) leaves none for the key or the password.
 */
export function decrypting(flags: DecryptFlags, tokenOperand: string | undefined): boolean {
  const keyFromStdin = flags.decryptKey === '-' || Boolean(flags.passwordStdin);
  if (keyFromStdin && (tokenOperand === undefined || tokenOperand === '-'))
    throw new UsageError(
      'conflicting_options',
      `the token and the ${flags.passwordStdin ? 'password' : 'key'} cannot both come from stdin`,
      `give the token as an argument, or the ${flags.passwordStdin ? 'password with --password-file' : 'key as a file to --decrypt-key'}`,
    );
  return flags.decryptKey !== undefined || Boolean(flags.decryptStored) || flags.passwordFile !== undefined || Boolean(flags.passwordStdin);
}

export function withDecryptOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  what: string,
) {
  return command
    .option('--decrypt-key <file>', `a JWE's decryption key (PEM, JWK or JWKS; - for stdin): ${what}`)
    .option('--decrypt-stored', `decrypt with the profile's stored private key (credentials set private_key; or ${SECRET_SOURCES.private_key.env})`)
    .option('--password-file <file>', "a PBES2 JWE's password from a file")
    .option('--password-stdin', "a PBES2 JWE's password from stdin");
}
