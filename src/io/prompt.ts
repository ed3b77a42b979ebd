import { UsageError, InterruptedError } from '../errors.js';
import type { IO } from './streams.js';

/**
 * Reads a line from the terminal without echoing it. Only for a terminal: scripts give
 * secrets through files, stdin or the environment.
 */
export async function promptHidden(question: string, io: IO): Promise<string> {
  const stdin = io.stdin as IO['stdin'] & { setRawMode?: (raw: boolean) => void };
  if (!stdin.isTTY || !stdin.setRawMode) throw new UsageError('not_a_terminal', 'no terminal to prompt on');
  io.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(value);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new InterruptedError());
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    io.stderr.write('\n');
  }
}
