import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';

/** Reads a text file; any failure is a one-line `file_unreadable` usage error naming the path. */
export async function readTextFile(path: string, what = 'file'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError('file_unreadable', `cannot read ${what} ${path}: ${reason}`);
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a truncated
 * mix: a temp file beside it, flushed, then renamed over. `mode` applies from creation, so a
 * secret is never readable by others even for a moment. With `exclusive`, an existing file
 * is left alone and `file_exists` is thrown.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.exclusive) {
      // link() fails if the target exists, which rename() would silently replace.
      await link(temp, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new UsageError('file_exists', `${path} already exists`, 'use --force to overwrite it');
        throw error;
      });
      await rm(temp, { force: true });
    } else {
      await rename(temp, path);
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** What is at a path, if anything: for refusing a directory where a file name is expected. */
export async function pathKind(path: string): Promise<'file' | 'directory' | 'other' | undefined> {
  const info = await stat(path).catch(() => undefined);
  return !info ? undefined : info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
}
