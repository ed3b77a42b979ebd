import { loadKey, type LoadedKey } from '../core/keys/load.js';
import { UsageError, type UsageCode } from '../errors.js';
import { readTextFile } from './files.js';
import { readGivenSecret } from './secret-input.js';
import { readAll, type IO } from './streams.js';

export interface KeyFileOptions {
  kid?: string;
  passphraseFile?: string;
  passphraseStdin?: boolean;
}

/** Reads a key file (or `-` for stdin) in any format loadKey knows; errors name the file. */
export async function loadKeyFile(path: string, options: KeyFileOptions, io: IO): Promise<LoadedKey> {
  const text = path === '-' ? await readAll(io.stdin, 1024 * 1024) : await readTextFile(path, 'key file');
  if (text === undefined) throw new UsageError('invalid_key', 'the key on stdin is over 1 MiB');
  const passphrase = await readGivenSecret('passphrase', { file: options.passphraseFile, stdin: options.passphraseStdin }, io);
  try {
    return loadKey(text, { kid: options.kid, passphrase });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.code as UsageCode, `${path === '-' ? 'stdin' : path}: ${error.message}`, error.hint);
    throw error;
  }
}
