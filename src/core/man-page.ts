/**
 * authctl.1, the man page, from the command tree: each command's own help text (what `authctl
 * help COMMAND` prints, examples included), then the exit codes, the environment and the files.
 * Pure: the caller collects the texts; this only writes roff.
 */
export interface ManPage {
  version: string;
  /** The date in the page's footer (YYYY-MM-DD). */
  date: string;
  description: string;
  /** Every command path and its help text, the root's first. */
  commands: readonly { path: string; help: string }[];
  exitCodes: readonly { code: number; meaning: string; errors: readonly string[] }[];
  environment: readonly { name: string; meaning: string }[];
  files: readonly { path: string; meaning: string }[];
}

/**
 * Text as roff sees it: backslashes, minus signs (flags stay copyable, never hyphens), characters
 * beyond ASCII (as \[uXXXX], for any troff) and lines that would read as requests, escaped.
 */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

export function renderManPage(page: ManPage): string {
  const out: string[] = [
    `.TH AUTHCTL 1 "${page.date}" "authctl ${roff(page.version)}" "User Commands"`,
    '.SH NAME',
    `authctl \\- ${roff(page.description)}`,
    '.SH SYNOPSIS',
    '.B authctl',
    '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]',
    '.SH DESCRIPTION',
    'Each command below is shown as its \\fB\\-\\-help\\fR shows it (\\fBauthctl help\\fR \\fIcommand\\fR prints the same text).',
    '.SH COMMANDS',
  ];
  for (const { path, help } of page.commands) {
    out.push(`.SS "${roff(path)}"`, '.nf', roff(help.trimEnd()), '.fi');
  }
  out.push('.SH "EXIT STATUS"', '.TP');
  for (const [i, exit] of page.exitCodes.entries()) {
    if (i) out.push('.TP');
    out.push(`.B ${exit.code}`, roff(`${exit.meaning}${exit.errors.length ? `: ${exit.errors.join(', ')}` : ''}`));
  }
  out.push('.SH ENVIRONMENT');
  for (const env of page.environment) out.push('.TP', `.B ${roff(env.name)}`, roff(env.meaning));
  out.push('.SH FILES');
  for (const file of page.files) out.push('.TP', `.I ${roff(file.path)}`, roff(file.meaning));
  out.push('.SH "SEE ALSO"', '.BR jq (1),', '.BR openssl (1)');
  return `${out.join('\n')}\n`;
}
