import { type Command, Option, type OptionValues } from '@commander-js/extra-typings';

/** Flags that name a signing or verification key, chained so their types are inferred; secrets only ever come from files, stdin or env. */
export function withKeyOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  purpose: 'sign' | 'verify',
) {
  return command
    .addOption(new Option('--key <file>', 'key file: PEM (PKCS#8, PKCS#1, SEC1, SPKI), certificate, JWK or JWKS'))
    .addOption(
      new Option(
        '--kid <kid>',
        purpose === 'sign' ? 'key id: selects the key in a JWKS and goes in the header' : "key id: selects the key in a JWKS file (default: the token's kid)",
      ),
    )
    .addOption(new Option('--secret-file <file>', 'HMAC secret from a file (one trailing newline ignored)'))
    .addOption(new Option('--secret-stdin', 'HMAC secret from stdin'))
    .addOption(new Option('--passphrase-file <file>', 'passphrase of an encrypted private key'));
}
