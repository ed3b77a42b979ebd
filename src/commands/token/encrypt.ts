import type { Deps, GlobalOptions } from '../../deps.js';
import { UsageError } from '../../errors.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { readOneToken } from '../../io/token-input.js';
import type { CommandResult } from '../../io/output.js';
import { encryptInput, resolveJweKey } from '../../services/jwe.js';

export interface EncryptOptions {
  input?: string;
  key?: string;
  kid?: string;
  alg?: string;
  enc?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
}

/** `token encrypt`: the compact JWE alone on stdout (with --json, beside its header). */
export async function runEncrypt(options: EncryptOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const password = options.passwordFile !== undefined || options.passwordStdin || deps.io.env[SECRET_SOURCES.jwe_password.env] !== undefined;
  const pbes2 = options.alg?.startsWith('PBES2');
  if (options.key === undefined && !password && !(pbes2 && deps.io.stdin.isTTY))
    throw new UsageError(
      'missing_mandatory_option_value',
      "token encrypt needs the recipient's key (--key FILE), or a password for PBES2",
      `give --key, or --password-file, --password-stdin or ${SECRET_SOURCES.jwe_password.env}`,
    );
  if (options.passwordStdin && (options.input === undefined || options.input === '-'))
    throw new UsageError(
      'conflicting_options',
      'the input and the password cannot both come from stdin',
      'give the input as an argument, or the password with --password-file',
    );
  const key = await resolveJweKey(
    { keyFile: options.key, kid: options.kid, passwordFile: options.passwordFile, passwordStdin: options.passwordStdin },
    deps,
    globals,
    '--key',
  );
  const jwe = await encryptInput(await readOneToken(options.input, deps.io), key, options);
  const header = JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { json: { jwe, header }, text: () => jwe };
}
