import { Command } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { COMMIT, VERSION } from '../../version.js';
import { emit } from '../options.js';

/** What a bug report needs: authctl's version and build, and the Node and platform it runs on. */
function versionInfo(): { authctl: string; commit: string; node: string; platform: string; arch: string } {
  return { authctl: VERSION, commit: COMMIT, node: process.versions.node, platform: process.platform, arch: process.arch };
}

export function versionCommand(deps: Deps) {
  return new Command('version')
    .description('authctl, Node and platform versions (also -V, --version)')
    .addHelpText(
      'after',
      `
Examples:
  authctl version
  authctl --version --json | jq -r .node`,
    )
    .action((_flags, cmd) =>
      emit(deps, cmd, async () => {
        const info = versionInfo();
        return { json: info, text: () => `authctl ${info.authctl} (${info.commit})\nnode ${info.node} ${info.platform} ${info.arch}` };
      }),
    );
}
