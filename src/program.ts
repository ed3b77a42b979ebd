import { Command, Option } from '@commander-js/extra-typings';
import type { Deps } from './deps.js';
import type { IO } from './io/streams.js';
import { colorEnabled } from './io/output.js';
import { versionCommand } from './commands/version/index.js';
import { decodeCommand } from './commands/decode/index.js';
import { lintCommand } from './commands/lint/index.js';
import { profileCommand } from './commands/profile/index.js';
import { keygenCommand } from './commands/keygen/index.js';
import { keyCommand } from './commands/key/index.js';
import { tokenCommand } from './commands/token/index.js';
import { verifyCommand } from './commands/verify/index.js';
import { credentialsCommand } from './commands/credentials/index.js';
import { introspectCommand } from './commands/introspect/index.js';
import { completionCommand } from './commands/completion/index.js';
import { serveCommand } from './commands/serve/index.js';
import { demoCommand } from './commands/demo/index.js';
import { scanCommand } from './commands/scan/index.js';
import { checkCommand } from './commands/check/index.js';
import { pingCommand } from './commands/ping/index.js';
import { apiCommand } from './commands/api/index.js';
import { manCommand } from './commands/man/index.js';

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/**
 * Settings every command needs; commander does not pass them to commands added with addCommand.
 * Help goes through the IO's writers, so process.stdout (a stream built on first touch) is
 * touched only to ask a terminal its width.
 */
function configureTree(command: AnyCommand, io: IO): void {
  const width = (out: IO['stdout'], stream: () => NodeJS.WriteStream) => (out.isTTY ? stream().columns : 80);
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    // Global options once, in `authctl --help`; each command's help names where they are.
    .configureHelp({ showGlobalOptions: false, sortSubcommands: false })
    .configureOutput({
      outputError: () => {},
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => width(io.stdout, () => process.stdout),
      getErrHelpWidth: () => width(io.stderr, () => process.stderr),
      getOutHasColors: () => colorEnabled(true, io.env, io.stdout),
      getErrHasColors: () => colorEnabled(true, io.env, io.stderr),
    });
  for (const sub of command.commands) configureTree(sub as AnyCommand, io);
}

/** Every command but completion (which walks the whole tree), in help order. */
const COMMANDS = {
  keygen: keygenCommand,
  key: keyCommand,
  token: tokenCommand,
  decode: decodeCommand,
  lint: lintCommand,
  verify: verifyCommand,
  introspect: introspectCommand,
  ping: pingCommand,
  api: apiCommand,
  credentials: credentialsCommand,
  profile: profileCommand,
  scan: scanCommand,
  check: checkCommand,
  serve: serveCommand,
  demo: demoCommand,
  version: versionCommand,
} as const;

/**
 * The command a command line runs when it names one of COMMANDS: its first word that is neither
 * an option nor a global option's value (and no --help comes before it, which asks for the list).
 * Only that command is then built (start-up time: building all of them costs more than running
 * decode); `version` for -V/--version; otherwise, for help, completion and suggestions on a typo, all.
 */
export function commandNamed(argv: string[]): keyof typeof COMMANDS | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--config' || word === '--profile' || word === '--jq') i++;
    else if (word === '--' || word === '-h' || word === '--help') return undefined;
    else if (word === '-V' || word === '--version') return 'version';
    else if (!word.startsWith('-')) return Object.hasOwn(COMMANDS, word) ? (word as keyof typeof COMMANDS) : undefined;
  }
  return undefined;
}

/** Stand-ins for commands' run functions (tests of argv → options: test/commands). */
export type StandIns = { [K in keyof typeof COMMANDS]?: Parameters<(typeof COMMANDS)[K]>[1] };

/** The root command and its global flags, with the command argv names attached (or all of them). */
export function buildProgram(deps: Deps, argv: string[], standIns: StandIns = {}) {
  const profiles: string[] = [];
  const program = new Command('authctl')
    .description('JWT and OAuth2 from the command line: keys, tokens, decode, lint, verify, credentials and CI checks')
    .option('-V, --version', 'print the version (authctl version)')
    .option('--json', 'print one JSON document (errors too)')
    .option('--jq <expression>', 'filter the JSON output with jq (implies --json; strings print raw)')
    .option('--no-color', 'no colour (also NO_COLOR); FORCE_COLOR forces it')
    .option('--debug', 'show stack traces for unexpected errors')
    .option('-v, --verbose', 'more detail on stderr (secrets stay redacted)')
    .addOption(new Option('--config <file>', 'config file').env('AUTHCTL_CONFIG'))
    // Every --profile is kept: `check` takes several; the others refuse more than one (see globalsOf).
    .addOption(
      new Option('--profile <name>', 'profile to use (check: repeatable)').env('AUTHCTL_PROFILE').argParser((name: string) => {
        profiles.push(name);
        return name;
      }),
    )
    .addHelpText(
      'after',
      `
Examples:
  authctl decode "$TOKEN"
  authctl lint --policy justgold "$TOKEN"
  authctl profile add gooclaim --provider gooclaim --base-url https://api.gooclaim.com --client-id me

Exit codes: 0 ok, 1 check failed, 2 usage, 3 network/server, 4 authentication, 70 internal error (a bug),
130 interrupted.`,
    );
  program.addHelpText('afterAll', ({ command }) =>
    command === (program as unknown) ? '' : '\nGlobal options (authctl --help): --json, --no-color, --debug, -v/--verbose, --config FILE, --profile NAME',
  );
  const only = commandNamed(argv);
  for (const [name, make] of Object.entries(COMMANDS) as [keyof typeof COMMANDS, (deps: Deps, standIn?: object) => Command][])
    if (!only || only === name) program.addCommand(make(deps, standIns[name]));
  if (!only) program.addCommand(completionCommand(deps, () => program as never));
  if (!only) program.addCommand(manCommand(deps, () => program as never));
  configureTree(program as unknown as AnyCommand, deps.io);
  // AUTHCTL_PROFILE goes through the same parser, but only flags typed on the command line count here.
  program.hook('preAction', () => void program.setOptionValue('profiles', program.getOptionValueSource('profile') === 'cli' ? [...profiles] : []));
  return program;
}

/**
 * `-V`/`--version` before any command is the `version` command (so `--version --json` prints one
 * JSON document like every command); anywhere else it stays what it is. A bare `authctl` is `help`.
 */
export function versionFlagAsCommand(argv: string[]): string[] {
  // Bare `authctl` asked for nothing wrong: the help, on stdout, exit 0 (as gh does).
  if (argv.length <= 2) return [...argv, 'help'];
  const index = argv.findIndex((word, i) => i >= 2 && (word === '-V' || word === '--version'));
  return index !== -1 && commandNamed(argv) === 'version' ? [...argv.slice(0, index), 'version', ...argv.slice(index + 1)] : argv;
}

/** A base64url (or dotted JWS/JWE) token, which may begin with "-" one time in 64. */
const DASH_TOKEN = /^-[A-Za-z0-9_-]{15,}(\.[A-Za-z0-9_-]*){0,4}$/;
/** What a mistyped flag looks like; no random token of that length does. */
const FLAG_SHAPE = /^--?[a-z][a-z0-9]*(-[a-z0-9]+)*(=.*)?$/;

/**
 * CLI.md: a token argument that begins with "-" is still a token (opaque tokens are base64url).
 * commander would take it for an option, so before parsing, a token-shaped word that is no
 * option of the command it is given to moves behind a "--". Only commands whose operand is a
 * token are touched, and never the value of an option that takes one.
 */
export function protectDashTokens(program: AnyCommand, argv: string[]): string[] {
  const [node, script, ...args] = argv;
  let command = program;
  const chain = [program];
  const moved: string[] = [];
  const kept: string[] = [];
  const takesValue = (word: string) => {
    const flag = word.split('=')[0]!;
    return !word.includes('=') && chain.some((c) => c.options.some((o) => (o.long === flag || o.short === flag) && (o.required || o.optional)));
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      kept.push(...args.slice(i));
      break;
    }
    const sub = word.startsWith('-') ? undefined : command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      command = sub as AnyCommand;
      chain.push(command);
    }
    const takesToken = command.registeredArguments[0]?.name() === 'token';
    if (takesToken && DASH_TOKEN.test(word) && !FLAG_SHAPE.test(word)) {
      moved.push(word);
      continue;
    }
    kept.push(word);
    if (word.startsWith('-') && takesValue(word) && i + 1 < args.length) kept.push(args[++i]!);
  }
  if (!moved.length) return argv;
  const separator = kept.indexOf('--');
  return separator === -1
    ? [node!, script!, ...kept, '--', ...moved]
    : [node!, script!, ...kept.slice(0, separator + 1), ...moved, ...kept.slice(separator + 1)];
}

/**
 * Flags people bring from other tools or other authctl commands. commander suggests only close
 * spellings; for these the command's own flag is suggested when it has one (`lint --audience`:
 * --aud; `keygen --bits`: --size; `token get --aud`: --audience).
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  '--audience': ['--aud', '--expect-aud'],
  '--aud': ['--audience', '--expect-aud'],
  '--issuer': ['--iss', '--expect-iss'],
  '--iss': ['--issuer', '--expect-iss'],
  '--bits': ['--size'],
  '--key-size': ['--size'],
  '--to': ['--format'],
  '--output': ['--format'],
  '--format': ['--output'],
  '--hint': ['--token-type-hint'],
  '--secret': ['--secret-file', '--secret-stdin'],
  '--client-secret': ['--client-secret-file', '--client-secret-stdin'],
  '--password': ['--password-file', '--password-stdin'],
};

/** The flag this command line's command has for an unknown `flag` that means the same, if any. */
export function synonymFor(program: AnyCommand, argv: string[], flag: string): string | undefined {
  const chain = [program];
  for (const word of argv.slice(2)) {
    const sub = word.startsWith('-') ? undefined : chain.at(-1)!.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) chain.push(sub as AnyCommand);
  }
  const known = new Set(chain.flatMap((c) => c.options.map((o) => o.long)));
  return SYNONYMS[flag.split('=')[0]!]?.find((candidate) => known.has(candidate));
}
