import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheSeconds, discoveryUrls, parseJwksResponse, parseServerMetadata, type ServerMetadata } from '../core/oauth/discovery.js';
import { NetworkError } from '../errors.js';
import { writeFileAtomic } from './files.js';
import { ownCacheDir, untrustedCachePath } from './own-files.js';
import type { HttpClient } from './http.js';
import { parseJson } from '../core/json.js';

interface CacheEntry {
  url: string;
  expiresAt: number;
  jwks: { keys: Record<string, unknown>[] };
}

function entryPath(dir: string, url: string): string {
  return join(dir, 'jwks', `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`);
}

/**
 * A remote JWKS, reused from the disk cache while its Cache-Control allows; `fresh` skips
 * the cache (used once when a token's kid is not in the cached set, for key rotation).
 */
export async function loadRemoteJwks(
  url: string,
  http: HttpClient,
  options: { dir: string; now: number; fresh?: boolean; useCache: boolean },
): Promise<{ jwks: CacheEntry['jwks']; fromCache: boolean }> {
  const path = entryPath(options.dir, url);
  // A key set decides which tokens are believed: only the user's own cache files count (own-files.ts).
  const useCache = options.useCache && ownCacheDir(options.dir, dirname(path)) === undefined;
  if (useCache && !options.fresh && untrustedCachePath(options.dir, path) === undefined) {
    try {
      const entry = parseJson(await readFile(path, 'utf8')) as CacheEntry;
      if (entry.url === url && entry.expiresAt > options.now && Array.isArray(entry.jwks?.keys)) return { jwks: entry.jwks, fromCache: true };
    } catch {
      // no usable cache entry: fetch
    }
  }
  const response = await http.send({ method: 'GET', url });
  const jwks = parseJwksResponse(response);
  const ttl = cacheSeconds(response.headers);
  if (useCache && ttl > 0) {
    await writeFileAtomic(path, JSON.stringify({ url, expiresAt: options.now + ttl, jwks } satisfies CacheEntry), { mode: 0o600 }).catch(() => undefined);
  }
  return { jwks, fromCache: false };
}

/** OpenID Connect Discovery, then RFC 8414, for an issuer's metadata. */
export async function discover(issuer: string, http: HttpClient): Promise<ServerMetadata> {
  let lastStatus: NetworkError | undefined;
  for (const url of discoveryUrls(issuer)) {
    const response = await http.send({ method: 'GET', url });
    if (response.status === 404) {
      lastStatus = new NetworkError('discovery_failed', `no metadata at ${url} (HTTP 404)`);
      continue;
    }
    return parseServerMetadata(response, issuer);
  }
  throw new NetworkError('discovery_failed', `no OpenID Connect or RFC 8414 metadata for ${issuer}`, lastStatus?.message);
}
