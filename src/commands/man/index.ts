import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { globalsOf } from '../globals.js';

/** `authctl man`: the manual page, as roff (the build writes it to dist/authctl.1 for `man authctl`). */
export function manCommand(deps: Deps, root: () => Command) {
  return new Command('man')
    .description('print the manual page (roff), every command and flag with its examples, exit codes, environment, files')
    .addHelpText(
      'after',
      `
Examples:
  authctl man | man -l -
  authctl man > ~/.local/share/man/man1/authctl.1`,
    )
    .action(async (_flags, cmd) => {
      const { manPageOf } = await import('./run.js');
      const page = manPageOf(root());
      await deps.emit({ json: { page }, text: () => page }, globalsOf(cmd));
    });
}
