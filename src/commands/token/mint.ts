import type { Deps, GlobalOptions } from '../../deps.js';
import { renderFindings, type CommandResult } from '../../io/output.js';
import { mintToken, type MintOptions } from '../../services/mint.js';

export type { MintOptions };

/** `token mint`: the compact token alone on stdout; findings (warnings) in the JSON form, or under it on a terminal. */
export async function runMint(options: MintOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const minted = await mintToken(options, deps, globals);
  return {
    json: minted,
    text: (style) => (minted.findings.length && deps.io.stdout.isTTY ? `${minted.token}\n${renderFindings(minted.findings, style)}` : minted.token),
  };
}
