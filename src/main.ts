import { CommanderError } from '@commander-js/extra-typings';
import { AuthctlError, ExitCode, InterruptedError, UsageError } from './errors.js';
import { createDeps } from './deps.js';
import { buildProgram, protectDashTokens } from './program.js';
import { colorEnabled, renderError } from './io/output.js';
import { processIO } from './io/streams.js';

/** commander's error codes (`commander.unknownOption`) as authctl codes (`unknown_option`). */
function fromCommander(error: CommanderError): AuthctlError | undefined {
  if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return undefined;
  const [first, ...rest] = error.message.replace(/^error: /, '').split('\n');
  const code = error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1').trim() || 'see --help';
  return new UsageError(code, first!, hint);
}

/** The edge: the only place that exits, and the only place errors become exit codes. */
async function main(argv: string[]): Promise<{ code: number; stuck: boolean }> {
  const io = processIO();
  const deps = createDeps(io);
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const color = colorEnabled(!argv.includes('--no-color'), io.env, io.stderr.isTTY);
  process.once('SIGINT', () => {
    io.stderr.write(renderError(new InterruptedError(), { json, debug: false, color }));
    process.exit(ExitCode.interrupted);
  });
  const program = buildProgram(deps);
  try {
    await program.parseAsync(protectDashTokens(program as never, argv));
    return { code: deps.exitCode, stuck: deps.stuck };
  } catch (caught) {
    let error: AuthctlError;
    if (caught instanceof CommanderError) {
      const mapped = fromCommander(caught);
      // `authctl help decode` and --help asked for help (0); help shown for a missing command is a usage error.
      if (!mapped) return { code: caught.exitCode === 0 ? ExitCode.ok : ExitCode.usage, stuck: false };
      error = mapped;
    } else if (caught instanceof AuthctlError) {
      error = caught;
    } else {
      // Unexpected: one short line; the stack only on request. Never the raw message of a
      // library error that might echo input, only its class.
      const name = caught instanceof Error ? caught.name : typeof caught;
      error = new AuthctlError('internal_error', `unexpected ${name}${debug && caught instanceof Error ? `: ${caught.message}` : ''}`, ExitCode.usage, 'run again with --debug for the stack trace');
      if (caught instanceof Error) error.stack = caught.stack;
    }
    // With --json the error is the command's one JSON document, on stdout where scripts read.
    (json ? io.stdout : io.stderr).write(renderError(error, { json, debug, color }));
    return { code: error.exitCode, stuck: deps.stuck };
  }
}

const { code, stuck } = await main(process.argv);
process.exitCode = code;
// A keychain call that never answered holds a native thread; end the process ourselves.
if (stuck) setImmediate(() => process.exit(code));
