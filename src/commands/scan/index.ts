import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { Deps } from '../../deps.js';
import { emit, lazyRuns } from '../options.js';
import { SEVERITIES, RULES } from '../../core/scan/catalog.js';

/** The run functions, loaded on first call; a test hands in stand-ins (gh's runF seam). */
const RUNS = lazyRuns({
  runScan: () => import('./run.js'),
});
type Runs = typeof RUNS;

function bytes(value: string): number {
  const m = /^(\d+)\s*(k|kb|kib|m|mb|mib)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 1048576, 512k or 2m.');
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
}

export function scanCommand(deps: Deps, standIn: Partial<Runs> = {}) {
  const runs: Runs = { ...RUNS, ...standIn };
  return new Command('scan')
    .description('find leaked tokens, private keys, client secrets and passwords in files (for CI and pre-commit)')
    .argument('[paths...]', 'files or directories (default: .); - reads stdin')
    .option('--staged', 'scan what is staged in the git index (a pre-commit hook)')
    .option('--history [range]', "scan the lines every commit added: all of HEAD's history, or a range such as origin/main..HEAD")
    .addOption(
      new Option('--format <format>', 'text, json or sarif (SARIF 2.1.0 for GitHub code scanning)')
        .choices(['text', 'json', 'sarif'] as const)
        .default('text' as const),
    )
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices(SEVERITIES).default('medium' as const))
    .option('--baseline <file>', 'accept the findings recorded in this baseline')
    .option('--write-baseline <file>', 'record the current findings as accepted, and exit 0')
    .option('--strict', 'files that could not be read or scanned fail the run too')
    .addOption(new Option('--max-size <bytes>', 'skip files larger than this (512k, 2m)').argParser(bytes).default(1024 * 1024, '1m'))
    .addHelpText(
      'after',
      `
Rules: ${Object.keys(RULES).join(', ')}.
Severity: a live JWT or an unencrypted private key is critical, an assigned secret high, an
unsigned (alg none) token medium, an expired token or a passphrase-encrypted key low.
Values are always masked. .gitignore and .authctlignore are honoured; symlinks are not followed.
Suppress a false positive with an "authctl:allow" comment on the line or the line above, or a baseline
(the rule and a fingerprint of the secret, so it survives edits, renames, moves and history).

Exit status: 1 if anything at or above --fail-on is found (in every format), 0 otherwise.

Examples:
  authctl scan
  authctl scan --staged                                    # .git/hooks/pre-commit
  authctl scan --history origin/main..HEAD                 # what a pull request's commits added
  authctl scan --history                                   # everything HEAD's history ever added
  authctl scan --format sarif > authctl.sarif              # upload with github/codeql-action/upload-sarif
  authctl scan --write-baseline .authctl-baseline.json && authctl scan --baseline .authctl-baseline.json
  kubectl logs deploy/api | authctl scan -`,
    )
    .action((paths, flags, cmd) => emit(deps, cmd, async (globals) => runs.runScan({ ...flags, paths }, deps, globals)));
}
