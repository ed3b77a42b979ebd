import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { unwritable } from './files.js';
import { keepAtExit, removeAtExit } from './exit-cleanup.js';
import { join } from 'node:path';

/** A lock older than this whose owner cannot be checked (another host) is taken as abandoned. */
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

const HOST = hostname();

/** The owner written into a lock file: pid and host, so a dead owner on this host is seen at once. */
function ownerAlive(text: string): boolean | undefined {
  const [pidText, host] = text.split('@');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host !== HOST) return undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner text of a lock file, when it is there. */
async function ownerOf(path: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  const [text, info] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
  return text === undefined || !info ? undefined : { text, mtimeMs: info.mtimeMs };
}

function isAbandoned(owner: { text: string; mtimeMs: number }): boolean {
  const alive = ownerAlive(owner.text);
  if (alive !== undefined) return !alive;
  // A lock still being written (empty) or owned on another host: trust it only for a while.
  return Date.now() - owner.mtimeMs > LOCK_STALE_MS;
}

/**
 * Breaks an abandoned lock without a check-then-act race: the lock file is first renamed to a
 * name of our own (of two breakers, only one moves a given file), then what was moved is checked
 * again. If it is not the abandoned lock that was judged (another process took the lock between
 * our look and our move), it is put back where it was.
 */
async function breakAbandoned(path: string): Promise<void> {
  const judged = await ownerOf(path);
  if (!judged || !isAbandoned(judged)) return;
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await ownerOf(aside);
  if (moved && (moved.text !== judged.text || !isAbandoned(moved))) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * A cross-process lock (an exclusive lock file named after `name` in `dir`): concurrent
 * `token get` for one cache key make one request between them, and concurrent writers of the
 * credential file do not lose each other's entries. A lock whose owner process is gone is free
 * at once; one this process holds is released on exit, Ctrl-C and SIGTERM. A lock that cannot be
 * written (a full disk, no permission) is `file_unwritable`.
 */
export async function withLock<T>(dir: string, name: string, run: () => Promise<T>): Promise<T> {
  const path = join(dir, `${createHash('sha256').update(name).digest('hex').slice(0, 16)}.lock`);
  const started = Date.now();
  let locked = false;
  // The lock file appears with its owner already in it (written aside, then hard-linked into
  // place, which fails if it exists): a process killed at any moment never leaves an anonymous
  // lock. The owner text is unique to this attempt, so a breaker can tell one lock from another.
  const owner = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.owner`;
  removeAtExit(owner);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(owner, `${process.pid}@${HOST}@${randomBytes(8).toString('hex')}`, { mode: 0o600 });
  } catch (error) {
    keepAtExit(owner);
    await rm(owner, { force: true }).catch(() => undefined);
    throw unwritable(owner, error);
  }
  while (!locked) {
    try {
      await link(owner, path);
      removeAtExit(path);
      locked = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(owner, { force: true });
        keepAtExit(owner);
        throw unwritable(path, error);
      }
      await breakAbandoned(path);
      if (Date.now() - started > LOCK_WAIT_MS) break; // give up waiting; proceed without the lock
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  await rm(owner, { force: true });
  keepAtExit(owner);
  try {
    return await run();
  } finally {
    if (locked) {
      keepAtExit(path);
      await rm(path, { force: true });
    }
  }
}
