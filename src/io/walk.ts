import { lstat, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../errors.js';
import { gitCommand } from './child-env.js';
import { readTextFile } from './files.js';

export interface ScanTarget {
  /** As shown and fingerprinted: relative to the working directory, with forward slashes. */
  path: string;
  abs: string;
}

export interface WalkReport {
  files: ScanTarget[];
  skippedSymlinks: number;
  /** Directories that could not be listed, with why: reported beside unreadable files, never dropped. */
  failed: { path: string; reason: string }[];
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

const IGNORE_FILES = ['.gitignore', '.authctlignore'];

async function ignoresIn(dir: string): Promise<IgnoreRule[]> {
  const rules: IgnoreRule[] = [];
  for (const name of IGNORE_FILES) {
    // An ignore file that is a FIFO or a device is skipped, never waited on.
    const text = await readTextFile(join(dir, name), 'ignore file').catch(() => undefined);
    if (text !== undefined) rules.push({ dir, ig: ignore().add(text) });
  }
  return rules;
}

interface IgnoreRule {
  dir: string;
  ig: Ignore;
}

/** The ignore files of the directories above `dir`, up to the repository root (or `cwd` outside a repository). */
async function inheritedIgnores(dir: string, cwd: string): Promise<IgnoreRule[]> {
  const chain: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (existsSync(join(d, '.git')) || d === cwd || d === dirname(d)) break;
  }
  if (!existsSync(join(chain[0]!, '.git')) && chain[0] !== cwd) return []; // outside both: no ancestor rules apply
  // A directory named on the command line is scanned even when an ignore file above lists it.
  return (await Promise.all(chain.map(ignoresIn))).flat().filter(({ dir: base, ig }) => !ig.ignores(`${toPosix(relative(base, dir))}/`));
}

/**
 * The files under the given paths that a scan should read: `.gitignore` and `.authctlignore`
 * files are honoured at every level (including those above a path, up to the repository root),
 * `.git` is skipped. Symlinks are never followed (only counted): a target inside the tree is
 * scanned at its own path, one outside it not at all. Sizes are checked when a file is read.
 */
export async function collectFiles(roots: readonly string[], cwd: string): Promise<WalkReport> {
  const report: WalkReport = { files: [], skippedSymlinks: 0, failed: [] };
  for (const root of roots) {
    const abs = resolve(cwd, root);
    const info = await lstat(abs).catch(() => undefined);
    if (!info) throw new UsageError('file_unreadable', `${root}: no such file or directory`);
    if (info.isSymbolicLink()) {
      report.skippedSymlinks++;
    } else if (info.isFile()) {
      // A file named on the command line is scanned even if an ignore file lists it.
      report.files.push({ path: toPosix(relative(cwd, abs)) || root, abs });
    } else {
      await walkDir(abs, await inheritedIgnores(abs, cwd), cwd, report);
    }
  }
  return report;
}

async function walkDir(dir: string, inherited: IgnoreRule[], cwd: string, report: WalkReport): Promise<void> {
  const rules = [...inherited, ...(await ignoresIn(dir))];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report.failed.push({
      path: `${toPosix(relative(cwd, dir)) || '.'}/`,
      reason: `directory could not be read${code === 'EACCES' || code === 'EPERM' ? ': permission denied' : code ? ` (${code})` : ''}`,
    });
    return;
  }
  const subdirs: string[] = [];
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const abs = join(dir, entry.name);
    const isDir = entry.isDirectory();
    if (rules.some(({ dir: base, ig }) => ig.ignores(toPosix(relative(base, abs)) + (isDir ? '/' : '')))) continue;
    if (entry.isSymbolicLink()) report.skippedSymlinks++;
    else if (isDir) subdirs.push(abs);
    else if (entry.isFile()) report.files.push({ path: toPosix(relative(cwd, abs)), abs });
  }
  for (const sub of subdirs) await walkDir(sub, rules, cwd, report);
}

const run = promisify(execFile);

/** `--staged`: the files in the git index (added, copied, modified, renamed) with their staged content. */
export async function stagedFiles(
  cwd: string,
  maxBytes: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ path: string; content: Buffer | 'large' }[]> {
  let names: string;
  try {
    const git = gitCommand(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR'], env);
    ({ stdout: names } = await run('git', git.args, { cwd, env: git.env, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    throw new UsageError(
      'git_failed',
      `--staged needs a git work tree: ${(error as { stderr?: string }).stderr?.trim().split('\n')[0] ?? (error as Error).message}`,
    );
  }
  const top = gitCommand(['rev-parse', '--show-toplevel'], env);
  const { stdout: root } = await run('git', top.args, { cwd, env: top.env });
  const files = [];
  for (const name of names.split('\0').filter(Boolean)) {
    const show = gitCommand(['show', `:${name}`], env);
    const { stdout } = await run('git', show.args, { cwd: root.trim(), env: show.env, encoding: 'buffer', maxBuffer: maxBytes + 1 }).catch(() => ({
      stdout: undefined,
    }));
    files.push({ path: toPosix(relative(cwd, join(root.trim(), name))), content: stdout ?? ('large' as const) });
  }
  return files;
}
