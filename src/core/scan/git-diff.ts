/**
 * The lines each commit added, read from `git log -p -U0 --cc` output one line at a time. A
 * scanned repository is hostile input: its file names and its committed lines are the attacker's,
 * so a header is read only where git writes headers (between `diff --git`/`diff --cc` and the first
 * hunk), a committed line that starts with `++ ` stays content, and quoted paths are unquoted the
 * way git quotes them. Merge commits come as combined diffs (`--cc`): a line counts as added when
 * it is new against every parent, which is what a conflict resolution or an "evil merge" adds.
 */

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

/** The line that starts each commit in the log (its format is `%x00commit %H %aI`). */
export const COMMIT_MARK = '\u0000commit ';

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * A path as git writes it in a diff header: quoted C-style (with octal escapes for bytes) when it
 * holds a control character, a quote or a backslash, else as itself.
 *
 * @example unquoteGitPath('"b/a\\tb"') // 'b/a\tb'
 */
export function unquoteGitPath(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(Number.parseInt(octal, 8) & 0xff);
      i += octal.length;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The new file's path from a `+++ ` header line, or undefined for a deletion. */
function newPath(header: string): string | undefined {
  const raw = header.slice(4);
  if (raw === '/dev/null') return undefined;
  const path = unquoteGitPath(raw);
  return path.startsWith('b/') ? path.slice(2) : path;
}

/**
 * A push parser: `line` takes each line of the log, `end` closes it; each returns the files whose
 * added lines are complete. Lines of one file past `maxBytes` are dropped and the file reported
 * through `onSkipped` instead.
 */
export function gitDiffParser(maxBytes: number, onSkipped: (path: string, commit: string) => void) {
  let commit = '';
  let date = '';
  let path: string | undefined;
  /** Between a `diff` line and its first hunk: where git writes headers. */
  let inHeader = false;
  /** How many parents the current hunks compare against (1, or more for a merge's combined diff). */
  let parents = 1;
  let lineNo = 0;
  let text: string[] = [];
  let lines: number[] = [];
  let size = 0;
  let oversized = false;

  const flush = (): AddedText[] => {
    const out = path && text.length && !oversized ? [{ commit, date, path, text: text.join('\n'), lines }] : [];
    if (path && oversized) onSkipped(path, commit);
    text = [];
    lines = [];
    size = 0;
    oversized = false;
    return out;
  };

  return {
    line(line: string): AddedText[] {
      if (line.startsWith(COMMIT_MARK)) {
        const done = flush();
        [commit = '', date = ''] = line.slice(COMMIT_MARK.length).split(' ');
        path = undefined;
        inHeader = false;
        return done;
      }
      if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
        const done = flush();
        path = undefined;
        inHeader = true;
        return done;
      }
      if (inHeader && line.startsWith('+++ ')) {
        path = newPath(line);
        return [];
      }
      const hunk = /^(@{2,}) .*?\+(\d+)(?:,\d+)? @{2,}/.exec(line);
      if (hunk) {
        inHeader = false;
        parents = hunk[1]!.length - 1;
        lineNo = Number(hunk[2]);
        return [];
      }
      if (inHeader || path === undefined) return [];
      const marks = line.slice(0, parents);
      if (marks.length < parents || /[^+ -]/.test(marks)) return [];
      // A combined diff's line is in the result when no parent column says "-"; it is new when every column says "+".
      if (marks.includes('-')) return [];
      if (marks === '+'.repeat(parents)) {
        size += line.length;
        if (size > maxBytes) oversized = true;
        else {
          text.push(line.slice(parents));
          lines.push(lineNo);
        }
      }
      lineNo++;
      return [];
    },
    end: (): AddedText[] => flush(),
  };
}
