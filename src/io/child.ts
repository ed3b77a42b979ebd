import { spawn } from 'node:child_process';

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
    const child = spawn(process.execPath, [process.argv[1]!, ...args], {
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
