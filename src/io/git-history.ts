import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { COMMIT_MARK, gitDiffParser, type AddedText } from '../core/scan/git-diff.js';
import { gitCommand } from './child-env.js';
import { printable } from '../core/untrusted-text.js';

export type { AddedText } from '../core/scan/git-diff.js';

/**
 * Every line each commit added, from one streamed `git log -p -U0 --cc` (not a process per
 * commit): file by file, commit by commit, so memory holds one file's additions at a time.
 * Deletions, binary files and a file's additions past `maxBytes` are skipped (the last are
 * counted). git runs as gitCommand says: nothing the scanned repository configures runs.
 */
export async function* addedLines(
  cwd: string,
  range: string | undefined,
  maxBytes: number,
  onSkipped: (path: string, commit: string) => void,
  env: Readonly<Record<string, string | undefined>>,
): AsyncGenerator<AddedText> {
  const args = ['log', '-p', '-U0', '--cc', '--no-color', '--no-renames', '--diff-filter=AM', `--format=${COMMIT_MARK.replace('\u0000', '%x00')}%H %aI`];
  if (range) {
    if (range.startsWith('-')) throw new UsageError('invalid_argument', `--history ${range}: a range, such as origin/main..HEAD`);
    args.push(range, '--');
  }
  const git = gitCommand(args, env);
  const child = spawn('git', git.args, { cwd, env: git.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));

  const parser = gitDiffParser(maxBytes, onSkipped);
  const input = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) yield* parser.line(line);
  yield* parser.end();
  const code = await Promise.race([exited, spawnError]);
  if (code instanceof Error) throw new UsageError('git_failed', `--history needs git: ${code.message}`);
  if (code !== 0)
    throw new UsageError(
      'git_failed',
      `git log failed: ${stderr.trim() ? printable(stderr.trim().split('\n')[0]!, 200) : `exit ${code}`}`,
      'run it inside a git repository; a range looks like origin/main..HEAD',
    );
}
