// THE rule for which cache files are the user's own (CLI.md, Files). A cache hands out tokens,
// key sets and compiled code, so it is trusted only where no one else could have written: the
// file and every directory from $XDG_CACHE_HOME/authctl down are real (not links), this user's,
// and writable by no group or other user, and $XDG_CACHE_HOME itself is not a place anyone may
// write in (world-writable without the sticky bit). Built into the bundle and, on its own, into
// dist/own-files.cjs for bin/authctl.cjs, which checks the code cache before the bundle runs.
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Why a place is not the user's own, or undefined when it is. */
function distrust(path: string, uid: number): string | undefined {
  let info;
  try {
    info = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return `${path} cannot be examined: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  if (!info) return `${path} does not exist`;
  if (info.isSymbolicLink()) return `${path} is a symbolic link`;
  if (info.uid !== uid) return `${path} belongs to another user`;
  if ((info.mode & 0o022) !== 0) return `${path} is writable by others`;
  return undefined;
}

/** Why the directory that holds the cache lets anyone replace it: world-writable without the sticky bit. */
function openToAll(dir: string): string | undefined {
  let info;
  try {
    info = lstatSync(dir, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  return info && (info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0 ? `${dir} is world-writable without the sticky bit` : undefined;
}

/**
 * Why `path` (a file or directory at or below `top`, the cache's own directory) is not to be
 * trusted, or undefined when it and every directory from `top` down are the user's own and the
 * directory holding `top` lets no one else replace it.
 *
 * @example untrustedCachePath('/home/me/.cache/authctl', '/home/me/.cache/authctl/tokens/x.json') // undefined
 */
export function untrustedCachePath(top: string, path: string): string | undefined {
  if (typeof process.getuid !== 'function') return undefined; // Windows: ACLs, not modes
  const uid = process.getuid();
  const home = openToAll(dirname(top));
  if (home) return home;
  const rest = relative(top, path);
  if (rest.startsWith('..')) return `${path} is outside ${top}`;
  let place = top;
  for (const part of ['', ...(rest ? rest.split(sep) : [])]) {
    place = part ? join(place, part) : place;
    const why = distrust(place, uid);
    if (why) return why;
  }
  return undefined;
}

/**
 * Makes `dir` (at or below `top`) with mode 0700 where missing, then says why it is not to be
 * trusted, or undefined when it is the user's own.
 */
export function ownCacheDir(top: string, dir: string): string | undefined {
  const home = typeof process.getuid === 'function' ? openToAll(dirname(top)) : undefined;
  if (home) return home; // nothing is made there
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    return `${dir} cannot be made: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  return untrustedCachePath(top, dir);
}
