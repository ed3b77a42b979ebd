import type { GlobalOptions } from '../deps.js';

/** The root's global flags as seen from any command (commander merges them in). */
export function globalsOf(cmd: { optsWithGlobals(): object }): GlobalOptions {
  return cmd.optsWithGlobals() as unknown as GlobalOptions;
}
