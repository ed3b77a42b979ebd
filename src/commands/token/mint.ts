import type { Deps, GlobalOptions } from '../../deps.js';
import { diagnostic, PLAIN, renderFindings, type CommandResult } from '../../io/output.js';
import { mintToken, type MintOptions } from '../../services/mint.js';

export type { MintOptions };

/**
 * `token mint`: the compact token alone on stdout; findings (warnings: no exp, a long lifetime)
 * in the JSON form, under it on a terminal, else on stderr, so `TOKEN=$(authctl token mint …)`
 * still says what is wrong with the token it keeps.
 */
export async function runMint(options: MintOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const minted = await mintToken(options, deps, globals);
  if (minted.findings.length && !globals.json && !deps.io.stdout.isTTY)
    diagnostic(deps.io, `authctl: warning: the minted token:\n${renderFindings(minted.findings, PLAIN)}`);
  return {
    json: minted,
    text: (style) => (minted.findings.length && deps.io.stdout.isTTY ? `${minted.token}\n${renderFindings(minted.findings, style)}` : minted.token),
  };
}
