import type { GlobalOptions } from '../deps.js';
import { UsageError } from '../errors.js';

/** The root's global flags as seen from any command (commander merges them in). */
export function globalsOf(cmd: { optsWithGlobals(): object; name(): string }): GlobalOptions {
  const given = cmd.optsWithGlobals() as unknown as GlobalOptions;
  // The switches have no default in the help ("(default: false)" on every line said nothing).
  // --jq filters JSON, so it asks for JSON.
  const globals = { ...given, json: Boolean(given.json || given.jq !== undefined), debug: Boolean(given.debug), verbose: Boolean(given.verbose) };
  if ((globals.profiles?.length ?? 0) > 1 && cmd.name() !== 'check') {
    throw new UsageError('conflicting_options', `--profile given ${globals.profiles!.length} times`, 'only authctl check takes several profiles');
  }
  return globals;
}
