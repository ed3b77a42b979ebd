import { UsageError } from '../errors.js';
import { SECRET_SOURCES, type SecretKind } from '../core/secret-sources.js';
import { readAll, type IO } from './streams.js';
import { readTextFile } from './files.js';

const MAX_SECRET_BYTES = 64 * 1024;

/** One trailing newline is what editors and `echo` add; it is never part of a secret. */
function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** The source flags a command was given for a secret: a file, or stdin. Never the value. */
export interface GivenSource {
  file?: string;
  stdin?: boolean;
}

/**
 * The first two steps of the credential chain (CLI.md), for the kind's row of the table: the
 * flag naming a source (file or stdin), then its environment variable. Undefined when neither
 * has it, so the resolver can go on to the credential store or a prompt. The value never
 * appears in any message.
 */
export async function readGivenSecret(kind: SecretKind, given: GivenSource, io: IO): Promise<string | undefined> {
  const { what, env } = SECRET_SOURCES[kind];
  if (given.file !== undefined && given.stdin) throw new UsageError('conflicting_options', `give the ${what} through one source only`);
  if (given.file !== undefined) return nonEmpty(stripNewline(await readTextFile(given.file, `${what} file`, MAX_SECRET_BYTES)), what);
  if (given.stdin) {
    if (io.stdin.isTTY) throw new UsageError('invalid_argument', `stdin is a terminal; pipe the ${what} in`);
    const text = await readAll(io.stdin, MAX_SECRET_BYTES);
    if (text === undefined) throw new UsageError('invalid_argument', `the ${what} on stdin is over ${MAX_SECRET_BYTES / 1024} KiB`);
    return nonEmpty(stripNewline(text), what);
  }
  const fromEnv = io.env[env];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function nonEmpty(value: string, what: string): string {
  if (value === '') throw new UsageError('invalid_argument', `the ${what} is empty`);
  return value;
}
