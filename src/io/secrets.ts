import { AuthError, UsageError } from '../errors.js';
import { readAll, type IO } from './streams.js';
import { readTextFile } from './files.js';

const MAX_SECRET_BYTES = 64 * 1024;

/** One trailing newline is what editors and `echo` add; it is never part of a secret. */
function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export interface SecretSources {
  /** Path of a file holding the secret. */
  file?: string;
  /** Read the secret from stdin. */
  stdin?: boolean;
  /** Environment variable consulted after the explicit sources. */
  envVar: string;
  /** What the secret is, for messages: "HMAC secret", "passphrase". */
  what: string;
  /** The flags that name sources, for the hint. */
  flags: string;
}

/**
 * Resolves a secret in the order CLI.md fixes: the flag naming a source (file or stdin), then
 * the environment. Never argv. Returns undefined when no source is present, so callers can
 * go on to the keychain or a prompt; the value never appears in any message.
 */
export async function resolveSecret(sources: SecretSources, io: IO): Promise<string | undefined> {
  if (sources.file !== undefined && sources.stdin) throw new UsageError('conflicting_options', `give the ${sources.what} through one source only`);
  if (sources.file !== undefined) return nonEmpty(stripNewline(await readTextFile(sources.file, `${sources.what} file`, MAX_SECRET_BYTES)), sources);
  if (sources.stdin) {
    if (io.stdin.isTTY) throw new UsageError('invalid_argument', `stdin is a terminal; pipe the ${sources.what} in`);
    const text = await readAll(io.stdin, MAX_SECRET_BYTES);
    if (text === undefined) throw new UsageError('invalid_argument', `the ${sources.what} on stdin is over ${MAX_SECRET_BYTES / 1024} KiB`);
    return nonEmpty(stripNewline(text), sources);
  }
  const fromEnv = io.env[sources.envVar];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return undefined;
}

function nonEmpty(value: string, sources: SecretSources): string {
  if (value === '') throw new UsageError('invalid_argument', `the ${sources.what} is empty`);
  return value;
}

/** resolveSecret, but a missing secret is `credential_missing` (exit 4) naming every source. */
export async function requireSecret(sources: SecretSources, io: IO): Promise<string> {
  const secret = await resolveSecret(sources, io);
  if (secret === undefined) {
    throw new AuthError('credential_missing', `no ${sources.what} given`, `use ${sources.flags}, or set ${sources.envVar}`);
  }
  return secret;
}
