import { type AuthctlError, ExitCode } from '../errors.js';
import type { Finding } from '../core/claims/types.js';
import type { IO } from './streams.js';
import { jsonSafe, oneLine, revealSaid, said, terminalSafe } from '../core/untrusted-text.js';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

/** What a command returns: data for `--json`, a human rendering, and whether its check passed. */
export interface CommandResult {
  json: unknown;
  text(style: Style): string;
  /** 1 when the thing checked failed (CLI.md); 0 by default. */
  exitCode?: 0 | 1;
  /** Printing a secret is this result's job (`token get`): what the server said in it is not redacted. */
  revealsSecret?: boolean;
}

/** Bulk results, printed one per line as they come (NDJSON with `--json`). */
export interface StreamResult {
  stream: AsyncIterable<CommandResult>;
}

/** Output the command wrote itself (`authctl api` streams a response body): only its exit code is left. */
export interface WrittenResult {
  written: ExitCode;
}

export type CommandOutput = CommandResult | StreamResult | WrittenResult;

export interface OutputOptions {
  json: boolean;
  /** `--jq`: each JSON document through this filter (io/jq.ts) instead of printed whole. */
  jq?: (value: unknown) => string;
  color: boolean;
  debug: boolean;
  /** Removes the run's secrets from words from outside (only those: see core/untrusted-text.ts). */
  redact?: (text: string) => string;
}

/**
 * CLI.md: colour only on a terminal (not TERM=dumb); never with NO_COLOR or --no-color; FORCE_COLOR forces it.
 */
export function colorEnabled(colorFlag: boolean, env: IO['env'], out: { readonly isTTY?: boolean }): boolean {
  if (!colorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  if (env.TERM === 'dumb') return false;
  // Last: asking whether it is a terminal can load node:tty (see descriptorOut in streams.ts).
  return Boolean(out.isTTY);
}

/** No colour: text as it is. */
export const PLAIN: Style = { bold: same, dim: same, red: same, yellow: same, green: same, cyan: same };
function same(text: string): string {
  return text;
}

/**
 * kleur is loaded only when colour is on: it looks at process.stdout when it loads, and building
 * that stream is a measurable part of a start (see descriptorOut in streams.ts).
 */
async function makeStyle(enabled: boolean): Promise<Style> {
  if (!enabled) return PLAIN;
  const k = (await import('kleur')).default;
  k.enabled = true;
  return {
    bold: (t) => k.bold(t),
    dim: (t) => k.dim(t),
    red: (t) => k.red(t),
    yellow: (t) => k.yellow(t),
    green: (t) => k.green(t),
    cyan: (t) => k.cyan(t),
  };
}

function write(io: IO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Renders a command's output on stdout and returns the exit code it implies. */
export async function writeOutput(output: CommandOutput, io: IO, options: OutputOptions): Promise<ExitCode> {
  if ('written' in output) return output.written;
  const style = await makeStyle(options.color);
  const render = (item: CommandResult, indent?: number) => {
    // The net under the values sanitized where they were laid out: nothing from outside reaches
    // the terminal raw, and JSON stays the same JSON.
    // jq's raw strings are words from outside like any text: through the sanitizer to the terminal.
    const text = options.jq
      ? terminalSafe(options.jq(item.json), false)
      : options.json
        ? jsonSafe(JSON.stringify(item.json, null, indent))
        : terminalSafe(item.text(style), options.color);
    return revealSaid(text, item.revealsSecret ? undefined : options.redact);
  };
  if ('stream' in output) {
    // One write per batch of results, not per line (a write is a system call): the batch goes
    // out when it grows large or when the stream pauses (the next turn of the event loop), so a
    // result still shows at once when input arrives slowly.
    let pending = '';
    let scheduled: NodeJS.Immediate | undefined;
    const flush = () => {
      scheduled = undefined;
      if (pending) io.stdout.write(pending);
      pending = '';
    };
    let exitCode: ExitCode = ExitCode.ok;
    try {
      for await (const item of output.stream) {
        const text = render(item);
        pending += text === '' || text.endsWith('\n') ? text : `${text}\n`;
        if (pending.length >= 64 * 1024) flush();
        else scheduled ??= setImmediate(flush);
        if (item.exitCode) exitCode = ExitCode.checkFailed;
      }
    } finally {
      if (scheduled) clearImmediate(scheduled);
      flush();
    }
    return exitCode;
  }
  const text = render(output, 2);
  // A jq filter may select nothing: then nothing is printed, not an empty line.
  if (text !== '') write(io, text);
  return output.exitCode ?? ExitCode.ok;
}

/** The one-line error of CLI.md (plus a hint line), or the `{"error": …}` document. */
export async function renderError(error: AuthctlError, options: OutputOptions): Promise<string> {
  if (options.json) {
    const doc: Record<string, unknown> = { code: error.code, message: error.message };
    if (error.hint) doc.hint = error.hint;
    return revealSaid(`${jsonSafe(JSON.stringify({ error: doc }))}\n`, options.redact);
  }
  const style = await makeStyle(options.color);
  const hint = error.hint ? `\n${style.dim(`hint: ${oneLine(error.hint)}`)}` : '';
  const stack = options.debug && error.stack ? `\n${style.dim(terminalSafe(error.stack, false))}` : '';
  return revealSaid(`${style.red(`authctl: error[${error.code}]`)}: ${oneLine(error.message)}${hint}${stack}\n`, options.redact);
}

/** Findings as aligned lines: severity, code, claim, message. */
export function renderFindings(findings: readonly Finding[], style: Style, indent = '  '): string {
  return findings
    .map((f) => {
      const mark = f.severity === 'error' ? style.red('✖ error  ') : style.yellow('! warning');
      const claim = f.claim ? style.dim(` ${said(f.claim)}:`) : '';
      return `${indent}${mark} ${style.bold(f.code)}${claim} ${oneLine(f.message)}`;
    })
    .join('\n');
}

/** `key  value` rows with the keys padded to one column; keys may come from outside (a token's claim names). */
export function renderTable(rows: readonly (readonly [string, string])[], style: Style, indent = '  '): string {
  const keys = rows.map(([k]) => said(k));
  const width = Math.max(0, ...keys.map((k) => k.length));
  return rows.map(([, v], i) => `${indent}${style.cyan(keys[i]!.padEnd(width))}  ${v}`).join('\n');
}

/**
 * Rows under a header, each column padded to its widest cell (cells are plain text: colour goes
 * on whole columns through `paint`), two spaces apart.
 *
 * @example renderColumns(['NAME', 'AGE'], [['kc', '3 d']], PLAIN) // 'NAME  AGE\nkc    3 d'
 */
export function renderColumns(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style: Style,
  paint: readonly (((text: string) => string) | undefined)[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], head: boolean) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
        return head ? style.dim(padded) : (paint[i]?.(padded) ?? padded);
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** "1 file", "2 files": a count with its noun. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

/** A value from outside (a claim, a server's field) as one table cell: a string as itself, anything else as JSON. */
export function cell(value: unknown): string {
  return said(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

/** A diagnostic line on stderr that may carry words from outside: sanitized, and redacted there. */
export function diagnostic(io: IO, line: string, redact?: (text: string) => string): void {
  io.stderr.write(`${revealSaid(terminalSafe(line, false), redact)}\n`);
}

/** What a verify or health endpoint said about the caller, as a table under the verdict. */
export function renderInfoTable(info: Record<string, unknown> | undefined, style: Style): string {
  return info
    ? `\n${renderTable(
        Object.entries(info).map(([k, v]) => [k, cell(v)] as const),
        style,
      )}`
    : '';
}
