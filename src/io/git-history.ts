import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';

/** What one commit added to one file: the added lines and their line numbers in that commit's version. */
export interface AddedText {
  commit: string;
  /** Author date, ISO 8601. */
  date: string;
  path: string;
  text: string;
  /** `lines[i]` is the file line number of line i of `text`. */
  lines: number[];
}

const COMMIT = '\u0000commit ';

/**
 * Every line each commit added, from one streamed `git log -p -U0` (not a process per commit):
 * file by file, commit by commit, so memory holds one file's additions at a time. Deletions,
 * binary files and a file's additions past `maxBytes` are skipped (the last are counted).
 */
export async function* addedLines(
  cwd: string,
  range: string | undefined,
  maxBytes: number,
  onSkipped: (path: string, commit: string) => void,
): AsyncGenerator<AddedText> {
  const args = [
    '-c',
    'core.quotepath=off',
    'log',
    '-p',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--diff-filter=AM',
    `--format=${COMMIT.replace('\u0000', '%x00')}%H %aI`,
  ];
  if (range) {
    if (range.startsWith('-')) throw new UsageError('invalid_argument', `--history ${range}: a range, such as origin/main..HEAD`);
    args.push(range, '--');
  }
  const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));

  let commit = '';
  let date = '';
  let path: string | undefined;
  let lineNo = 0;
  let text: string[] = [];
  let lines: number[] = [];
  let size = 0;
  let oversized = false;
  const flush = (): AddedText | undefined => {
    const out = path && text.length && !oversized ? { commit, date, path, text: text.join('\n'), lines } : undefined;
    if (path && oversized) onSkipped(path, commit);
    text = [];
    lines = [];
    size = 0;
    oversized = false;
    return out;
  };

  const input = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) {
    if (line.startsWith(COMMIT)) {
      const done = flush();
      if (done) yield done;
      [commit = '', date = ''] = line.slice(COMMIT.length).split(' ');
      path = undefined;
    } else if (line.startsWith('diff --git ')) {
      const done = flush();
      if (done) yield done;
      path = undefined;
    } else if (line.startsWith('+++ ')) {
      path = line === '+++ /dev/null' ? undefined : line.replace(/^\+\+\+ (b\/)?/, '').replace(/^"(.*)"$/, '$1');
    } else if (line.startsWith('@@ ')) {
      lineNo = Number(/\+(\d+)/.exec(line)?.[1] ?? 0);
    } else if (path && line.startsWith('+')) {
      size += line.length;
      if (size > maxBytes) oversized = true;
      else {
        text.push(line.slice(1));
        lines.push(lineNo);
      }
      lineNo++;
    }
  }
  const last = flush();
  if (last) yield last;
  const code = await Promise.race([exited, spawnError]);
  if (code instanceof Error) throw new UsageError('git_failed', `--history needs git: ${code.message}`);
  if (code !== 0)
    throw new UsageError(
      'git_failed',
      `git log failed: ${stderr.trim().split('\n')[0] || `exit ${code}`}`,
      'run it inside a git repository; a range looks like origin/main..HEAD',
    );
}
