import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';

export interface Served {
  issuer: string;
  doc: Record<string, unknown>;
  log: () => string;
  /** SIGTERM, and the exit code it ended with. */
  stop(): Promise<number | null>;
}

/** `authctl serve --port 0 --json` as a user would run it in the background; resolves once it prints its document. */
export function serve(args: string[], env: Record<string, string>, cwd: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${err}`));
    }, 15_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(out);
      } catch {
        return; // not complete yet
      }
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        issuer: String(doc.issuer),
        doc,
        log: () => err,
        stop: () =>
          new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
