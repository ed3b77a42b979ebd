import type { Deps } from '../../deps.js';
import { readOneToken } from '../../io/token-input.js';
import type { CommandResult } from '../../io/output.js';
import { encryptInput, jweKey } from '../../services/jwe.js';

/** `token encrypt`: the compact JWE alone on stdout (with --json, beside its header). */
export async function runEncrypt(options: { input?: string; key: string; kid?: string; alg?: string; enc?: string }, deps: Deps): Promise<CommandResult> {
  const key = await jweKey(options.key, deps, options.kid);
  const jwe = await encryptInput(await readOneToken(options.input, deps.io), key, options);
  const header = JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { json: { jwe, header }, text: () => jwe };
}
