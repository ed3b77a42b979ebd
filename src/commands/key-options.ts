import { Option } from '@commander-js/extra-typings';

/** Flags that name a signing or verification key; secrets only ever come from files, stdin or env. */
export function keyOptions(purpose: 'sign' | 'verify') {
  return [
    new Option('--key <file>', 'key file: PEM (PKCS#8, PKCS#1, SEC1, SPKI), certificate, JWK or JWKS'),
    new Option(
      '--kid <kid>',
      purpose === 'sign' ? 'key id: selects the key in a JWKS and goes in the header' : "key id: selects the key in a JWKS file (default: the token's kid)",
    ),
    new Option('--secret-file <file>', 'HMAC secret from a file (one trailing newline ignored)'),
    new Option('--secret-stdin', 'HMAC secret from stdin'),
    new Option('--passphrase-file <file>', 'passphrase of an encrypted private key'),
  ];
}
