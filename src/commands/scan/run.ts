import { oneLine, said, terminalSafe } from '../../core/untrusted-text.js';
import type { Deps, GlobalOptions } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { SEVERITIES, type ScanSeverity } from '../../core/scan/catalog.js';
import { severityAtLeast, type ScanFinding } from '../../core/scan/scan.js';
import { accepts, githubAnnotations, parseBaseline, toBaseline, toSarif } from '../../core/scan/report.js';
import { collectFiles, stagedFiles } from '../../io/walk.js';
import { classify, emptyTally, scanFilesParallel, tallyText } from '../../io/scan-files.js';
import { readTextFile, writeFileAtomic } from '../../io/files.js';
import { readAll } from '../../io/streams.js';
import { startProgress } from '../../io/progress.js';
import { counted, type CommandResult, type Style } from '../../io/output.js';

export interface ScanFlags {
  paths: string[];
  staged?: boolean;
  format: 'text' | 'json' | 'sarif';
  failOn: ScanSeverity;
  baseline?: string;
  writeBaseline?: string;
  maxSize: number;
  strict?: boolean;
  /** `--history [RANGE]`: true for everything reachable from HEAD. */
  history?: string | boolean;
}

const RANK = (f: ScanFinding) => -SEVERITIES.indexOf(f.severity);

export async function runScan(flags: ScanFlags, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const { io } = deps;
  const paths = flags.paths.length ? flags.paths : ['.'];
  if (flags.staged && flags.paths.length) throw new UsageError('conflicting_options', '--staged scans the git index; do not name paths as well');
  if (flags.history !== undefined && (flags.paths.length || flags.staged))
    throw new UsageError('conflicting_options', '--history scans what commits added; do not name paths or --staged as well');
  const accepted = flags.baseline ? parseBaseline(await readTextFile(flags.baseline, 'baseline', 64 * 1024 * 1024), flags.baseline) : new Set<string>();
  const now = deps.now();
  let result = emptyTally();
  let skippedSymlinks = 0;
  let commits = 0;
  // A progress line on a terminal, for the text report only (never in pipes, JSON, SARIF or CI).
  const progress = globals.json || flags.format !== 'text' ? undefined : startProgress(io.stderr, io.env, 'scanning');
  const report = (tally: typeof result) => progress?.update({ files: tally.scanned, findings: tally.findings.length });
  try {
    if (flags.history !== undefined) {
      const { addedLines } = await import('../../io/git-history.js');
      const seen = new Set<string>();
      for await (const added of addedLines(
        io.cwd,
        typeof flags.history === 'string' ? flags.history : undefined,
        flags.maxSize,
        () => result.large++,
        io.env,
      )) {
        if (!seen.has(added.commit)) {
          seen.add(added.commit);
          commits++;
        }
        const before = result.findings.length;
        tallyText(result, added.path, added.text, now);
        // Lines of the added text back to lines of the file in that commit.
        for (const f of result.findings.slice(before)) Object.assign(f, { line: added.lines[f.line - 1] ?? f.line, commit: added.commit, date: added.date });
        report(result);
      }
    } else if (flags.staged) {
      for (const file of await stagedFiles(io.cwd, flags.maxSize, io.env))
        tallyText(result, file.path, file.content === 'large' ? 'large' : classify(file.content, flags.maxSize), now);
    } else if (paths.includes('-')) {
      if (paths.length > 1) throw new UsageError('conflicting_options', '- (stdin) cannot be combined with other paths');
      const text = await readAll(io.stdin, flags.maxSize);
      if (text === undefined) throw new UsageError('input_too_large', `stdin is over --max-size (${flags.maxSize} bytes)`);
      tallyText(result, '<stdin>', text, now);
    } else {
      const walked = await collectFiles(paths, io.cwd);
      skippedSymlinks = walked.skippedSymlinks;
      result = await scanFilesParallel(walked.files, now, flags.maxSize, report);
      result.failed.push(...walked.failed);
    }
  } finally {
    progress?.stop();
  }

  const all = result.findings.sort((a, b) => RANK(a) - RANK(b) || a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column);
  const findings = all.filter((f) => !accepts(accepted, f));
  const suppressed = all.length - findings.length;

  if (flags.writeBaseline) {
    await writeFileAtomic(flags.writeBaseline, `${JSON.stringify(toBaseline(all), null, 2)}\n`);
    return {
      json: { baseline: flags.writeBaseline, recorded: all.length },
      text: (style) => `${style.green('✔')} recorded ${all.length} finding${all.length === 1 ? '' : 's'} in ${flags.writeBaseline}`,
    };
  }
  if (io.env.GITHUB_ACTIONS === 'true' && findings.length) io.stderr.write(`${terminalSafe(githubAnnotations(findings), false)}\n`);

  const failing = findings.filter((f) => severityAtLeast(f.severity, flags.failOn));
  // --strict: a file that could not be read or scanned fails the run too.
  const exitCode = failing.length || (flags.strict && result.failed.length) ? 1 : 0;
  const failed = result.failed.sort((a, b) => a.path.localeCompare(b.path));
  const summary = {
    ...(flags.history !== undefined ? { commits_scanned: commits } : {}),
    files_scanned: result.scanned,
    skipped_binary: result.binary,
    skipped_large: result.large,
    skipped_symlinks: skippedSymlinks,
    not_scanned: failed.length,
    suppressed_by_baseline: suppressed,
    failing: failing.length,
  };
  if (globals.json && flags.format === 'sarif')
    throw new UsageError('conflicting_options', '--json and --format sarif ask for two different documents', 'drop --json: SARIF is JSON already');
  const format = globals.json ? 'json' : flags.format;
  if (format === 'sarif') {
    const sarif = toSarif(findings, VERSION, failed);
    return { json: sarif, exitCode, text: () => JSON.stringify(sarif, null, 2) };
  }
  const json = { findings, not_scanned: failed, summary };
  if (format === 'json') return { json, exitCode, text: () => JSON.stringify(json, null, 2) };
  return { json, exitCode, text: (style) => renderScan(findings, failed, summary, flags.failOn, style) };
}

function renderScan(
  findings: ScanFinding[],
  failed: { path: string; reason: string }[],
  summary: Record<string, number>,
  failOn: ScanSeverity,
  style: Style,
): string {
  const paint = (s: ScanSeverity) => (s === 'critical' || s === 'high' ? style.red : s === 'medium' ? style.yellow : style.dim)(s.padEnd(8));
  const lines = findings.map(
    (f) =>
      `${style.bold(`${said(f.path)}:${f.line}:${f.column}`)}${f.commit ? style.dim(` (${f.commit.slice(0, 12)}, ${f.date?.slice(0, 10)})`) : ''}  ${paint(f.severity)} ${style.cyan(f.rule)}  ${said(f.masked)}\n    ${oneLine(f.message)}`,
  );
  const skipped = [
    summary.not_scanned && `${summary.not_scanned} not scanned`,
    summary.skipped_binary && `${summary.skipped_binary} binary`,
    summary.skipped_large && `${summary.skipped_large} over --max-size`,
    summary.skipped_symlinks && `${summary.skipped_symlinks} symlinks`,
  ].filter(Boolean);
  const where =
    summary.commits_scanned !== undefined
      ? `${counted(summary.commits_scanned, 'commit')} (${counted(summary.files_scanned ?? 0, 'file change')})`
      : counted(summary.files_scanned ?? 0, 'file');
  const tail = `${counted(findings.length, 'finding')} in ${where}${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}${summary.suppressed_by_baseline ? `; ${summary.suppressed_by_baseline} accepted by the baseline` : ''}`;
  const verdict = summary.failing ? style.red(`✖ ${tail}; ${summary.failing} at or above ${failOn}`) : style.green(`✔ ${tail}; none at or above ${failOn}`);
  const notScanned = failed.map((f) => style.yellow(`! ${said(f.path)}: not scanned: ${oneLine(f.reason)}`));
  return [...lines, ...notScanned, verdict].join('\n');
}
