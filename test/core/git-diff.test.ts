import { describe, expect, it } from 'vitest';
import { COMMIT_MARK, gitDiffParser, unquoteGitPath, type AddedText } from '../../src/core/scan/git-diff.js';

function parse(log: string, maxBytes = 1024 * 1024): { added: AddedText[]; skipped: string[] } {
  const skipped: string[] = [];
  const parser = gitDiffParser(maxBytes, (path) => skipped.push(path));
  const added = log.split('\n').flatMap((line) => parser.line(line));
  return { added: [...added, ...parser.end()], skipped };
}

const commit = (hash: string) => `${COMMIT_MARK}${hash} 2026-03-01T12:00:00+00:00`;

describe('the git log -p parser', () => {
  it('takes the path from the header and the added lines with their numbers', () => {
    const { added } = parse(
      [
        commit('c1'),
        '',
        'diff --git a/app.env b/app.env',
        'new file mode 100644',
        'index 0000000..1111111',
        '--- /dev/null',
        '+++ b/app.env',
        '@@ -0,0 +1,2 @@',
        '+A=1',
        '+B=2',
      ].join('\n'),
    );
    expect(added).toEqual([{ commit: 'c1', date: '2026-03-01T12:00:00+00:00', path: 'app.env', text: 'A=1\nB=2', lines: [1, 2] }]);
  });

  it('a committed line that starts with "++ " is content, never a header: the secret on it is kept, and the path stays', () => {
    const { added } = parse(
      [
        commit('c1'),
        'diff --git a/real.txt b/real.txt',
        '--- a/real.txt',
        '+++ b/real.txt',
        '@@ -3,0 +4,3 @@',
        '+++ b/attacker-chosen.txt',
        '+++ SECRET=abc',
        '+later=1',
      ].join('\n'),
    );
    expect(added).toEqual([expect.objectContaining({ path: 'real.txt', text: '++ b/attacker-chosen.txt\n++ SECRET=abc\nlater=1', lines: [4, 5, 6] })]);
  });

  it('removed lines do not count, and do not move the new file’s line numbers', () => {
    const { added } = parse([commit('c1'), 'diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -2 +2 @@', '-old', '+new', '@@ -9,0 +10 @@', '+ten'].join('\n'));
    expect(added[0]).toMatchObject({ text: 'new\nten', lines: [2, 10] });
  });

  it('unquotes git’s C-style quoted paths: tabs, newlines, quotes, backslashes and octal UTF-8', () => {
    expect(unquoteGitPath('"b/a\\tb"')).toBe('b/a\tb');
    expect(unquoteGitPath('"b/line\\nbreak"')).toBe('b/line\nbreak');
    expect(unquoteGitPath('"b/q\\"uote\\\\"')).toBe('b/q"uote\\');
    expect(unquoteGitPath('"b/gr\\303\\274n"')).toBe('b/grün');
    expect(unquoteGitPath('plain name')).toBe('plain name');
    const { added } = parse([commit('c1'), 'diff --git "a/a\\tb" "b/a\\tb"', '--- /dev/null', '+++ "b/a\\tb"', '@@ -0,0 +1 @@', '+x'].join('\n'));
    expect(added[0]!.path).toBe('a\tb');
  });

  it('a merge’s combined diff: lines new against every parent are added; lines from one parent are not', () => {
    const { added } = parse(
      [
        commit('m1'),
        'diff --cc conflict.env',
        'index 1111111,2222222..3333333',
        '--- a/conflict.env',
        '+++ b/conflict.env',
        '@@@ -1,1 -1,1 +1,3 @@@',
        '- ours=1',
        ' -theirs=1',
        '++RESOLVED_SECRET=xyz',
        ' +from_ours=1',
        '+ from_theirs=1',
      ].join('\n'),
    );
    expect(added).toEqual([expect.objectContaining({ commit: 'm1', path: 'conflict.env', text: 'RESOLVED_SECRET=xyz', lines: [1] })]);
  });

  it('deletions and binary files add nothing; a file past the size cap is reported, not returned', () => {
    expect(
      parse([commit('c1'), 'diff --git a/x b/x', 'deleted file mode 100644', '--- a/x', '+++ /dev/null', '@@ -1 +0,0 @@', '-gone'].join('\n')).added,
    ).toEqual([]);
    expect(parse([commit('c1'), 'diff --git a/b.png b/b.png', 'Binary files /dev/null and b/b.png differ'].join('\n')).added).toEqual([]);
    const big = parse(
      [commit('c1'), 'diff --git a/big b/big', '--- /dev/null', '+++ b/big', '@@ -0,0 +1,2 @@', `+${'x'.repeat(20)}`, `+${'y'.repeat(20)}`].join('\n'),
      30,
    );
    expect(big).toEqual({ added: [], skipped: ['big'] });
  });
});
