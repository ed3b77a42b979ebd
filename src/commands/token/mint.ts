import type { Deps, GlobalOptions } from '../../deps.js';
import { diagnostic, PLAIN, renderFindings, type CommandResult } from '../../io/output.js';
import { mintToken, type MintOptions } from '../../services/mint.js';

export type { MintOptions };

/**
 * `token mint`: the compact token alone on stdout; findings (warnings: no exp, a long lifetime)
 * in the JSON form, under it on a terminal, else on stderr, so `TOKEN=$(authctl token mint …)`
 * still says what is wrong with the token it keeps.
 */
export async function runMint(options: MintOptions & { encryptTo?: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const signed = await mintToken(options, deps, globals);
  // --encrypt-to: signed, then encrypted (RFC 7519 §11.2: sign first, then encrypt), in one step.
  const minted =
    options.encryptTo === undefined
      ? signed
      : await (async () => {
          const { encryptInput, jweKey } = await import('../../services/jwe.js');
          return { ...signed, token: await encryptInput(signed.token, await jweKey(options.encryptTo!, deps), {}) };
        })();
  if (minted.findings.length && !globals.json && !deps.io.stdout.isTTY)
    diagnostic(deps.io, `authctl: warning: the minted token:\n${renderFindings(minted.findings, PLAIN)}`);
  return {
    json: minted,
    text: (style) => (minted.findings.length && deps.io.stdout.isTTY ? `${minted.token}\n${renderFindings(minted.findings, style)}` : minted.token),
  };
}
