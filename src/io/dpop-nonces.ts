import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { isJsonObject, parseJson } from '../core/json.js';
import { isDpopNonce } from '../core/oauth/dpop.js';
import { writeFileAtomic } from './files.js';
import { ownCacheDir, untrustedCachePath } from './own-files.js';
import { cacheDir } from './paths.js';

/** The last DPoP nonce each server gave out (RFC 9449 §8.2: a client uses the most recent one). */
export interface NonceMemory {
  get(origin: string): string | undefined;
  set(origin: string, nonce: string): Promise<void>;
}

/** Servers remembered at most (the oldest go first). */
const MAX_ORIGINS = 64;

/**
 * Nonces remembered per server origin across runs, in the cache directory (`dpop-nonces.json`,
 * 0600), so a proof made by a run that sends no token request (a cached token, `--output header`)
 * carries the nonce the server asked for last. A nonce is public (the server sends it in the
 * clear); still, a file that is not the user's own is not read, and only well-formed nonces are.
 */
export async function nonceMemory(env: Readonly<Record<string, string | undefined>>): Promise<NonceMemory> {
  const top = cacheDir(env);
  const path = join(top, 'dpop-nonces.json');
  const nonces = new Map<string, string>();
  if (!untrustedCachePath(top, path)) {
    try {
      const saved = parseJson(await readFile(path, 'utf8'));
      if (isJsonObject(saved))
        for (const [origin, nonce] of Object.entries(saved))
          if (typeof nonce === 'string' && isDpopNonce(nonce) && nonces.size < MAX_ORIGINS) nonces.set(origin, nonce);
    } catch {}
  }
  return {
    get: (origin) => nonces.get(origin),
    async set(origin, nonce) {
      if (nonces.get(origin) === nonce) return;
      nonces.delete(origin);
      nonces.set(origin, nonce);
      while (nonces.size > MAX_ORIGINS) nonces.delete(nonces.keys().next().value!);
      if (ownCacheDir(top, top)) return;
      await writeFileAtomic(path, JSON.stringify(Object.fromEntries(nonces)), { mode: 0o600 }).catch(() => undefined);
    },
  };
}
