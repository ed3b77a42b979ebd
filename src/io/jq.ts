import { UsageError } from '../errors.js';
import { printable } from '../core/untrusted-text.js';
import { seaAsset } from './sea.js';

/** A jq filter over JSON values, as `gh --jq` applies one: strings print raw, each result on its line. */
export type JqFilter = (value: unknown) => string;

/**
 * `--jq EXPR` through jq itself (jq-wasm: jq 1.8 built for WebAssembly; never a hand-written
 * interpreter), loaded only when asked for. The expression is compiled first, so a syntax error
 * is a usage error before any command runs; an error on a result is one too.
 */
export async function loadJqFilter(expression: string): Promise<JqFilter> {
  const { loadJq } = await import('jq-wasm');
  // The single executable carries jq.wasm as an asset; elsewhere jq-wasm reads it beside itself.
  const wasmBinary = seaAsset('jq.wasm');
  const jq = await loadJq(wasmBinary ? { wasmBinary } : undefined);
  const run = (json: string, program = expression): string => {
    const result = jq.raw(json, program, ['-r']);
    if (result.exitCode !== 0) {
      const said = result.stderr.split('\n').find((line) => line.trim()) ?? `jq exited ${result.exitCode}`;
      throw new UsageError('invalid_argument', `--jq: ${printable(said.replace(/^jq: (error: )?/, ''), 300)}`, 'see https://jqlang.org/manual/');
    }
    return result.stdout === '' ? '' : `${result.stdout.replace(/\n$/, '')}\n`;
  };
  // Compiled, never run: a syntax error is found before the command runs; `.payload | keys` on
  // null would be an error of the data, which there is none of yet.
  // The wrapper's error would give positions in the wrapper: jq's own, on the bare expression.
  if (jq.raw('null', `def authctl_compile_check: (${expression}\n); empty`).exitCode !== 0) run('null');
  return (value) => run(JSON.stringify(value ?? null));
}
