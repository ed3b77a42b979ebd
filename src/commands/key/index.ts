import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, lazyRuns } from '../options.js';
import { examples } from '../help.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runKeyPub: () => import('./run.js'),
  runKeyThumbprint: () => import('./run.js'),
  runKeyConvert: () => import('./run.js'),
});
type Runs = typeof RUNS;

const FORMATS = ['pem', 'jwk', 'jwks'] as const;

// biome-ignore lint/complexity/noBannedTypes: commander's type for "no options yet", so the chained options are inferred
function withKeyOptions(command: Command<[string], {}>) {
  return command
    .option('--kid <kid>', 'choose the key in a JWKS; sets the kid of JWK output')
    .option('--passphrase-file <file>', 'passphrase of an encrypted private key')
    .option('--passphrase-stdin', 'read the passphrase of an encrypted private key from stdin');
}

export function keyCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  const pub = withKeyOptions(new Command('pub').description('print the public part of a key').argument('<file>', 'key file (PEM, certificate, JWK, JWKS) or -'))
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('pem' as const))
    .addHelpText(
      'after',
      '\nExamples:\n  authctl key pub private.pem > public.pem          # the JustGold upload\n  authctl key pub --format jwks private.pem > jwks.json',
    )
    .action((file, flags, cmd) => emit(deps, cmd, async () => runs.runKeyPub({ ...flags, file }, deps)));

  const thumbprint = withKeyOptions(new Command('thumbprint').description('RFC 7638 JWK thumbprint of a key (base64url)').argument('<file>', 'key file or -'))
    .addOption(new Option('--hash <hash>', 'digest').choices(['sha256', 'sha384', 'sha512'] as const).default('sha256' as const))
    .option('--uri', 'print the RFC 9278 thumbprint URI')
    .addHelpText('after', '\nExamples:\n  authctl key thumbprint private.pem\n  authctl key thumbprint --kid sig-1 jwks.json')
    .action((file, flags, cmd) => emit(deps, cmd, async () => runs.runKeyThumbprint({ ...flags, file }, deps)));

  const convert = withKeyOptions(new Command('convert').description('convert a key between PEM, JWK and JWKS').argument('<file>', 'key file or -'))
    .addOption(new Option('--format <format>', 'target format (a JWKS is always public); default: the other form (PEM → jwk, JWK → pem)').choices(FORMATS))
    // The spelling of an earlier release, kept for scripts (one name per concept: --format).
    .addOption(new Option('--to <format>').choices(FORMATS).hideHelp())
    .option('--public', 'output only the public part')
    .option('--out <file>', 'write to a file (mode 0600 when private) instead of stdout')
    .option('--force', 'overwrite --out')
    .addHelpText(
      'after',
      '\nExamples:\n  authctl key convert --out key.jwk.json private.pem\n  authctl key convert --format jwks public.pem\n  openssl ecparam -name prime256v1 -genkey | authctl key convert --public -',
    )
    .action((file, { format, to, ...flags }, cmd) => emit(deps, cmd, async () => runs.runKeyConvert({ ...flags, to: format ?? to, file }, deps)));

  return new Command('key')
    .description('public part, RFC 7638 thumbprint, and PEM <-> JWK <-> JWKS conversion')
    .addHelpText(
      'after',
      examples('authctl key pub private.pem > public.pem', 'authctl key thumbprint public.pem', 'authctl key convert public.pem --format jwks > jwks.json'),
    )
    .addCommand(pub)
    .addCommand(thumbprint)
    .addCommand(convert);
}
