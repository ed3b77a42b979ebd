import { CommanderError } from '@commander-js/extra-typings';
import { AuthctlError, ERRORS, ExitCode, InterruptedError, isErrorCode, UsageError, type UsageCode } from './errors.js';
import { createDeps, newRunState, type RunState } from './deps.js';
import { buildProgram, protectDashTokens, synonymFor, versionFlagAsCommand } from './program.js';
import { colorEnabled, renderError } from './io/output.js';
import { processIO, type OutputFailure } from './io/streams.js';
import { writeSync } from 'node:fs';

/** commander's error codes (`commander.unknownOption`) as authctl codes (`unknown_option`). */
function fromCommander(error: CommanderError, synonym: (flag: string) => string | undefined): AuthctlError | undefined {
  if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return undefined;
  const [said = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  // commander 15 lists the surplus arguments, and an argument may be a secret someone typed by
  // mistake (credentials set client_secret hunter2): the message says how many, never which.
  const first = error.code === 'commander.excessArguments' ? said.replace(/(got \d+)\b.*$/, '$1.') : said;
  // commander's conflictingOption is authctl's one spelling for flags that exclude each other.
  const name =
    error.code === 'commander.conflictingOption'
      ? 'conflicting_options'
      : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const code = isErrorCode(name) && ERRORS[name].exit === 'usage' ? (name as UsageCode) : 'invalid_argument';
  const hint =
    rest
      .join(' ')
      .replace(/^\((.*)\)$/, '$1')
      .trim() || 'see --help';
  // A flag that means the same here beats commander's nearest spelling (key convert --output: --format, not --out).
  const unknown = error.code === 'commander.unknownOption' ? /'([^']+)'/.exec(first!)?.[1] : undefined;
  const instead = unknown ? synonym(unknown) : undefined;
  return new UsageError(code, first!, instead ? `this command says ${instead}` : hint);
}

/**
 * Output into a closed pipe (`authctl lint - < many | head -1`) ends quietly, as git and rg do;
 * a full device (`> /dev/full`) is one coded line on stderr. Never Node's unhandled 'error' trace.
 */
function outputFailed(run: RunState): OutputFailure {
  return (fd, error) => {
    if (fd === 1 && error.code !== 'EPIPE') {
      const why = error.code === 'ENOSPC' ? 'no space left on the device' : (error.code ?? error.name);
      try {
        writeSync(2, `authctl: error[output_failed]: cannot write to stdout: ${why}\n`);
      } catch {}
      process.exit(ExitCode.usage);
    }
    process.exit(run.exitCode || (fd === 2 ? ExitCode.usage : ExitCode.ok));
  };
}

/** The edge: the only place that exits, and the only place errors become exit codes. */
async function main(argv: string[]): Promise<{ code: number; stuck: boolean }> {
  const run = newRunState();
  const io = processIO(outputFailed(run));
  const deps = createDeps(io, run);
  const json = argv.includes('--json') || argv.some((word) => word === '--jq' || word.startsWith('--jq='));
  const debug = argv.includes('--debug');
  const color = () => colorEnabled(!argv.includes('--no-color'), io.env, io.stderr);
  process.once('SIGINT', () => {
    void renderError(new InterruptedError(), { json, debug: false, color: color() }).then((text) => {
      io.stderr.write(text);
      process.exit(ExitCode.interrupted);
    });
  });
  const program = buildProgram(deps, argv);
  try {
    await program.parseAsync(protectDashTokens(program as never, versionFlagAsCommand(argv)));
    return { code: run.exitCode, stuck: run.stuck };
  } catch (caught) {
    let error: AuthctlError;
    if (caught instanceof CommanderError) {
      const mapped = fromCommander(caught, (flag) => synonymFor(program as never, argv, flag));
      // `authctl help decode` and --help asked for help (0); help shown for a missing command is a usage error.
      if (!mapped) return { code: caught.exitCode === 0 ? ExitCode.ok : ExitCode.usage, stuck: false };
      error = mapped;
    } else if (caught instanceof AuthctlError) {
      error = caught;
    } else {
      // Unexpected: one short line; the stack only on request. Never the raw message of a
      // library error that might echo input, only its class.
      const name = caught instanceof Error ? caught.name : typeof caught;
      error = AuthctlError.of(
        'internal_error',
        `unexpected ${name}: this is a bug in authctl${debug && caught instanceof Error ? ` (${caught.message})` : ''}`,
      );
      if (caught instanceof Error) error.stack = caught.stack;
    }
    // With --json the error is the command's one JSON document, on stdout where scripts read.
    // A server's words can be in the message: never let them carry a secret this run sent.
    const redact = run.secrets.size ? (await import('./core/redact.js')).secretRedactor(run.secrets) : undefined;
    (json ? io.stdout : io.stderr).write(await renderError(error, { json, debug, color: color(), redact }));
    return { code: error.exitCode, stuck: run.stuck };
  }
}

void main(process.argv).then(({ code, stuck }) => {
  process.exitCode = code;
  // A keychain call that never answered holds a native thread; end the process ourselves.
  if (stuck) setImmediate(() => process.exit(code));
});
