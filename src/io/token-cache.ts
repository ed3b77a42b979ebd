import { createHash } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenSet } from '../core/oauth/token.js';
import type { KeyStore } from './keychain.js';

export interface CachedToken {
  token: TokenSet;
  obtainedAt: number;
  /** When the cached access token stops being handed out (expiry minus the margin). */
  reuseUntil?: number;
  expiresAt?: number;
  key: Record<string, unknown>;
}

export const CACHE_KIND = 'token_cache';

/** The cache account for a request: everything that changes which token the server issues. */
export function cacheAccount(profile: string, parts: Record<string, unknown>): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  return `${profile}/token:${hash}`;
}

export async function readCache(store: KeyStore, account: string): Promise<CachedToken | undefined> {
  const raw = await store.get(account);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { kind?: string; secret?: string };
    return parsed.kind === CACHE_KIND && parsed.secret ? (JSON.parse(parsed.secret) as CachedToken) : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCache(store: KeyStore, account: string, entry: CachedToken): Promise<void> {
  await store.set(account, JSON.stringify({ authctl: 1, kind: CACHE_KIND, created: entry.obtainedAt, secret: JSON.stringify(entry) }));
}

const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

/**
 * A cross-process lock (an exclusive lock file), so that concurrent `token get` for the same
 * cache key make one network request: the first fetches, the rest wait and read the cache.
 */
export async function withLock<T>(dir: string, account: string, run: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${createHash('sha256').update(account).digest('hex').slice(0, 16)}.lock`);
  const started = Date.now();
  let locked = false;
  while (!locked) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      locked = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs).catch(() => 0);
      if (age > LOCK_STALE_MS) await rm(path, { force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) break; // give up waiting; proceed without the lock
      else await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await run();
  } finally {
    if (locked) await rm(path, { force: true });
  }
}
