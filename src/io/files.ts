// fs.promises loads on first use (the writes below): reading a key or config file, which nearly
// every command does at start, goes through the plain calls and never loads it.
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';

/** Larger than any key, policy, claims or certificate file; callers with bigger files say so. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads a text file of at most `maxBytes`. Only regular files: a FIFO would block forever and
 * /dev/zero never ends, so both are refused before any read (opened non-blocking, then checked).
 * Any failure is a one-line `file_unreadable` (or `file_too_large`) usage error naming the path.
 */
export async function readTextFile(path: string, what = 'file', maxBytes = MAX_FILE_BYTES): Promise<string> {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError('file_unreadable', `cannot read ${what} ${path}: ${reason}`);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UsageError('file_unreadable', `cannot read ${what} ${path}: it is a directory`);
    if (!info.isFile()) {
      const pipe = info.isFIFO() || info.isSocket();
      throw new UsageError(
        'file_unreadable',
        `cannot read ${what} ${path}: ${pipe ? 'a pipe' : 'a device'}, not a regular file`,
        pipe ? 'pipe it to stdin instead (the --…-stdin flag, or -)' : 'give a regular file',
      );
    }
    if (info.size > maxBytes)
      throw new UsageError('input_too_large', `cannot read ${what} ${path}: ${info.size} bytes, over the ${Math.round(maxBytes / 1024)} KiB limit`);
    // The size can change under us: read at most one byte past the limit to notice.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1));
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, length);
    if (length > maxBytes) throw new UsageError('input_too_large', `cannot read ${what} ${path}: over the ${Math.round(maxBytes / 1024)} KiB limit`);
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('file_unreadable', `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  } finally {
    closeSync(fd);
  }
}

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is larger than this system allows',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
};

/** A failed write as a one-line coded error; anything not in the table keeps its errno code. */
export function unwritable(path: string, error: unknown): UsageError {
  if (error instanceof UsageError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new UsageError('file_unwritable', `cannot write ${path}: ${WRITE_REASONS[code] ?? code}`, undefined, { cause: error });
}

/**
 * Writes a file so that readers see either the old content or the new, never a truncated
 * mix: a temp file beside it, flushed, then renamed over. `mode` applies from creation, so a
 * secret is never readable by others even for a moment. With `exclusive`, an existing file
 * is left alone and `file_exists` is thrown. Any failure (a full disk, a size limit) is
 * `file_unwritable` and leaves no temp file behind.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.exclusive) {
      // link() fails if the target exists, which rename() would silently replace.
      await fs.link(temp, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new UsageError('file_exists', `${path} already exists`);
        throw error;
      });
      await fs.rm(temp, { force: true });
    } else {
      await fs.rename(temp, path);
    }
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw unwritable(path, error);
  }
}

/** Several files, all or none: when one cannot be written, the ones already written are removed. */
export async function writeFilesAtomic(
  files: readonly { path: string; data: string | Uint8Array; mode?: number }[],
  options: { exclusive?: boolean } = {},
): Promise<void> {
  const written: string[] = [];
  try {
    for (const file of files) {
      await writeFileAtomic(file.path, file.data, { mode: file.mode, exclusive: options.exclusive });
      written.push(file.path);
    }
  } catch (error) {
    await Promise.all(written.map((path) => fs.rm(path, { force: true }).catch(() => undefined)));
    throw error;
  }
}

/** What is at a path, if anything: for refusing a directory where a file name is expected. */
export async function pathKind(path: string): Promise<'file' | 'directory' | 'other' | undefined> {
  const info = await fs.stat(path).catch(() => undefined);
  return !info ? undefined : info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
}

/** When a file was last modified, in seconds since the epoch (a key file's age). */
export async function modifiedAt(path: string): Promise<number> {
  return Math.floor((await fs.stat(path)).mtimeMs / 1000);
}

/** A fresh private directory under the system's temp directory (`authctl demo`'s sandbox). */
export function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

/** Removes a directory tree; missing is fine. */
export function removeTree(path: string): Promise<void> {
  return fs.rm(path, { recursive: true, force: true });
}
