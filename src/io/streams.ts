import type { Readable, Writable } from 'node:stream';

/** The process's streams and environment, injected so commands never touch `process` directly. */
export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIO(): IO {
  return {
    // process.stdin builds a stream on first touch (about a millisecond): only commands that read it pay.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Yields the lines of a stream without holding more than one line (capped at `maxLine`
 * characters) in memory; an over-long line is yielded truncated with `overflow` set.
 */
export async function* readLines(stream: Readable, maxLine: number): AsyncGenerator<{ text: string; overflow: boolean }> {
  let current = '';
  let overflow = false;
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    let start = 0;
    for (let nl = chunk.indexOf('\n', start); nl !== -1; nl = chunk.indexOf('\n', start)) {
      ({ current, overflow } = append(current, overflow, chunk.slice(start, nl), maxLine));
      yield { text: current, overflow };
      current = '';
      overflow = false;
      start = nl + 1;
    }
    ({ current, overflow } = append(current, overflow, chunk.slice(start), maxLine));
  }
  if (current !== '' || overflow) yield { text: current, overflow };
}

function append(current: string, overflow: boolean, piece: string, maxLine: number): { current: string; overflow: boolean } {
  if (overflow) return { current, overflow };
  const next = current + piece;
  return next.length > maxLine ? { current: next.slice(0, maxLine), overflow: true } : { current: next, overflow: false };
}

/** Reads a whole stream as UTF-8, refusing more than `maxBytes`. */
export async function readAll(stream: Readable, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves on SIGTERM (a service manager or a test stopping us); Ctrl-C stays the edge's interrupt. */
export function untilTerminated(): Promise<void> {
  return new Promise((resolve) => process.once('SIGTERM', () => resolve()));
}
