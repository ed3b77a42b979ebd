import { CheckFailedError, UsageError } from '../errors.js';
import { MAX_TOKEN_BYTES } from '../core/jwt/parse.js';
import { readAll, readLines, type IO } from './streams.js';

function fromStdin(arg: string | undefined, io: IO): boolean {
  if (arg !== undefined && arg !== '-') return false;
  if (arg === undefined && io.stdin.isTTY) {
    throw new UsageError('missing_token', 'no token given', 'pass it as an argument, or pipe it in: echo "$TOKEN" | authctl decode');
  }
  return true;
}

/** One token from the argument or stdin (CLI.md "Input"); parsing and trimming happen in core. */
export async function readOneToken(arg: string | undefined, io: IO): Promise<string> {
  if (!fromStdin(arg, io)) return arg!;
  const text = await readAll(io.stdin, MAX_TOKEN_BYTES * 4);
  if (text === undefined) throw new CheckFailedError('invalid_token', `not a valid token: stdin holds more than ${MAX_TOKEN_BYTES / 1024} KiB`);
  return text;
}

/**
 * Tokens for bulk commands: the argument, or every stdin line (a blank one too, so that every
 * input line gets exactly one result), streamed so that a million tokens need no more memory
 * than one. An over-long line comes through as oversized text, which the parser refuses with
 * its precise reason.
 */
export async function* readTokens(arg: string | undefined, io: IO): AsyncGenerator<{ line: number; text: string }> {
  if (!fromStdin(arg, io)) {
    yield { line: 1, text: arg! };
    return;
  }
  let line = 0;
  for await (const { text } of readLines(io.stdin, MAX_TOKEN_BYTES + 1)) {
    line++;
    yield { line, text };
  }
}
