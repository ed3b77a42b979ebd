import { KEY_MANAGEMENT } from '../../core/keys/jwe-algorithms.js';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, lazyRuns } from '../options.js';
import { CURVES, KEY_TYPES, type KeyType } from '../../core/keys/kinds.js';
import { SIGNING_ALGORITHMS } from '../../core/keys/algorithms.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runKeygen: () => import('./run.js'),
});
type Runs = typeof RUNS;

function bits(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a number of bits, e.g. 2048.');
  return Number(value);
}

export function keygenCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return new Command('keygen')
    .description('generate a key pair (RSA, EC, Ed25519) or an HMAC secret, as PEM or JWK/JWKS')
    .addOption(new Option('--type <type>', 'key type').choices(KEY_TYPES).default('ec' as KeyType))
    .addOption(new Option('--size <bits>', 'RSA: 2048, 3072, 4096 (default 2048); oct: 256, 384, 512 (default 256)').argParser(bits))
    .addOption(new Option('--curve <curve>', 'EC curve (default P-256)').choices(CURVES))
    .option('--out <basename>', 'write BASENAME.pem + BASENAME.pub.pem (or .jwk.json + .jwks.json, or .secret); default: stdout')
    .addOption(
      new Option('--format <format>', 'pem, or jwk (a private JWK and a public JWKS file with --out; on stdout one document: the private JWK)')
        .choices(['pem', 'jwk'] as const)
        .default('pem' as const),
    )
    .option('--kid <kid>', 'key id (default: the RFC 7638 thumbprint)')
    .addOption(new Option('--alg <alg>', 'alg recorded in the JWK (default: from the key and --use)').choices([...SIGNING_ALGORITHMS, ...KEY_MANAGEMENT]))
    .addOption(
      new Option('--use <use>', 'sig (signing) or enc (a JWE recipient key: alg RSA-OAEP-256, ECDH-ES+A256KW or AxxxKW)')
        .choices(['sig', 'enc'] as const)
        .default('sig' as const),
    )
    .option('--passphrase-file <file>', 'encrypt the PEM private key with the passphrase in this file')
    .option('--passphrase-stdin', 'encrypt the PEM private key with the passphrase read from stdin')
    .option('--force', 'overwrite existing files')
    .option('--insecure', 'allow weak sizes (RSA below 2048 bits) for tests')
    .addHelpText(
      'after',
      `
Examples:
  authctl keygen --type rsa --size 2048 --out private        # JustGold: upload private.pub.pem
  authctl keygen --type ec --out signing --format jwk         # signing.jwk.json + signing.jwks.json
  authctl keygen --type oct --out api                         # api.secret, a 256-bit HMAC secret
  authctl keygen --type ed25519 > key.pem`,
    )
    .action((flags, cmd) => emit(deps, cmd, async () => runs.runKeygen(flags, deps)));
}
