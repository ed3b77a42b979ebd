import { spawn } from 'node:child_process';
import { atExit, cancelAtExit } from './exit-cleanup.js';

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs this same authctl (the running node binary and entry script) as a child process, the
 * way a user would type it, with its own environment and working directory.
 */
export function runSelf(args: readonly string[], options: { env: Record<string, string | undefined>; cwd: string; timeoutMs: number }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // Node's own command line, or the single executable alone (it is node and the script at once).
    const self = process.getBuiltinModule('node:sea')?.isSea() ? [] : [process.argv[1]!];
    const child = spawn(process.execPath, [...self, ...args], {
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    // A step still running when this process is ended is ended with it.
    const key = `child:${child.pid}`;
    atExit(key, () => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      cancelAtExit(key);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
