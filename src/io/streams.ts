import { fstatSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** Where output goes: what authctl asks of stdout and stderr (a Writable stream has it). */
export interface Out {
  isTTY?: boolean;
  /** false: wait for 'drain' before writing more. */
  write(chunk: string | Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** The process's streams and environment, injected so commands never touch `process` directly. */
export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Out;
  stderr: Out;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** How a write to stdout or stderr failed for good: the edge decides what that means (src/main.ts). */
export type OutputFailure = (fd: 1 | 2, error: NodeJS.ErrnoException) => never;

export function processIO(failed: OutputFailure): IO {
  return {
    // process.stdin builds a stream on first touch (about a millisecond): only commands that read it pay.
    get stdin() {
      return process.stdin;
    },
    stdout: descriptorOut(1, failed),
    stderr: descriptorOut(2, failed),
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * stdout or stderr written straight to its descriptor. process.stdout is a stream that Node builds
 * on first touch, loading node's stream modules: 5-7% of a whole `authctl decode` start, measured.
 * A write here is complete when it returns (nothing waits in a buffer at exit). A descriptor
 * someone made non-blocking (a pipe shared with a Node parent) can refuse a write with EAGAIN:
 * from then on the rest goes through process.stdout, which waits for the reader.
 */
function descriptorOut(fd: 1 | 2, failed: OutputFailure): Out {
  let stream: NodeJS.WriteStream | undefined;
  const handOver = () => {
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      stream.on('error', (error: NodeJS.ErrnoException) => failed(fd, error));
    }
    return stream;
  };
  let terminal: boolean | undefined;
  return {
    // node:tty loads node:net and the stream modules (as long again as the rest of a decode):
    // asked only when a terminal is possible, a character device (a pipe or a file is not).
    get isTTY() {
      terminal ??= characterDevice(fd) && process.getBuiltinModule('node:tty').isatty(fd);
      return terminal;
    },
    write(chunk) {
      if (stream) return stream.write(chunk);
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      while (bytes.length) {
        try {
          bytes = bytes.subarray(writeSync(fd, bytes));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') failed(fd, error as NodeJS.ErrnoException);
          return handOver().write(bytes);
        }
      }
      return true;
    },
    once(event, listener) {
      return handOver().once(event, listener);
    },
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

function characterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed
  }
}
