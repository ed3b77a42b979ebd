import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'authctl.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would, with a clean environment (no colour, a throwaway HOME
 * and XDG dirs unless given), and returns exit code, stdout and stderr.
 */
export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: options.env?.HOME ?? tmpHome(), LANG: 'C.UTF-8' };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading all of a large input
    child.stdin.end(options.input ?? '');
  });
}

const homes: string[] = [];
export function tmpHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authctl-test-'));
  homes.push(dir);
  return dir;
}

export function cleanupHomes(): void {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A user's machine in a directory: HOME and the XDG config, cache and data directories inside
 * it (so nothing touches the real ones), and `run` with that environment and working directory.
 */
export function sandbox(): {
  dir: string;
  env: Record<string, string>;
  run(args: string[], extra?: Record<string, string | undefined>, input?: string): Promise<CliResult>;
} {
  const dir = tmpHome();
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'cfg'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data') };
  return { dir, env, run: (args, extra = {}, input) => runCli(args, { cwd: dir, input, env: { ...env, ...extra } }) };
}
