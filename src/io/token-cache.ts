import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenSet } from '../core/oauth/token.js';
import { existsSync } from 'node:fs';
import { writeFileAtomic } from './files.js';
import { ownCacheDir, untrustedCachePath } from './own-files.js';
import type { KeyStore } from './keychain.js';
import { parseJson } from '../core/json.js';

/** A cached access token. Its refresh token never lives here: that is a credential (see acquire). */
export interface CachedToken {
  token: Omit<TokenSet, 'refresh_token'>;
  obtainedAt: number;
  /** When the cached access token stops being handed out (expiry minus the margin). */
  reuseUntil?: number;
  expiresAt?: number;
  /** Whether the grant also returned a refresh token (kept in the credential store). */
  hasRefreshToken?: boolean;
  key: Record<string, unknown>;
  /** RFC 9449: the thumbprint of the DPoP key the token is bound to; handed out only with that key. */
  dpopJkt?: string;
}

/** Where cached access tokens live: files (the default), the credential store, or nowhere. */
export interface TokenCache {
  readonly description: string;
  read(account: string): Promise<CachedToken | undefined>;
  write(account: string, entry: CachedToken): Promise<void>;
  delete(account: string): Promise<boolean>;
  list(): Promise<{ account: string; entry: CachedToken }[]>;
}

const RECORD_KIND = 'token_cache';

/** The cache account for a request: everything that changes which token the server issues. */
export function cacheAccount(profile: string, parts: Record<string, unknown>): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
  return `${profile}/token:${hash}`;
}

/**
 * The endpoint that keys a profile's cached tokens: the configured one (token_url, else the
 * issuer whose discovery gives it), never a discovered one, so a cache hit needs no network.
 */
export function cacheEndpoint(configured: { token_url?: string }, issuer: string | undefined): string | undefined {
  return configured.token_url ?? issuer;
}

/** The profile a cache account belongs to. */
export function accountProfile(account: string): string {
  return account.slice(0, account.indexOf('/token:'));
}

function encode(account: string, entry: CachedToken): string {
  return JSON.stringify({ authctl: 1, kind: RECORD_KIND, account, created: entry.obtainedAt, secret: JSON.stringify(entry) });
}

/** A record written by this or an earlier version; anything else (damaged, foreign) is a miss. */
function decode(raw: string): { account?: string; entry: CachedToken } | undefined {
  try {
    const parsed = parseJson(raw) as { kind?: unknown; account?: unknown; secret?: unknown };
    if (parsed?.kind !== RECORD_KIND || typeof parsed.secret !== 'string') return undefined;
    const entry = parseJson(parsed.secret) as CachedToken;
    if (!entry || typeof entry.token?.access_token !== 'string' || typeof entry.obtainedAt !== 'number') return undefined;
    // Records from before the split kept the refresh token inline; it is a credential now.
    const { refresh_token: _dropped, ...token } = entry.token as TokenSet;
    return { account: typeof parsed.account === 'string' ? parsed.account : undefined, entry: { ...entry, token } };
  } catch {
    return undefined;
  }
}

/**
 * Short-lived access tokens as files under `$XDG_CACHE_HOME/authctl/tokens/` (directory 0700,
 * files 0600, atomic writes), as kubelogin, gcloud and the AWS CLI keep theirs: works on CI
 * runners, in containers and over SSH, where no keychain answers, and a hit costs one read.
 * Only the user's own files are read or written (own-files.ts); anything else is a miss, and
 * `distrusted` hears why.
 */
export function fileTokenCache(dir: string, distrusted: (why: string) => void = () => undefined): TokenCache {
  const tokens = join(dir, 'tokens');
  const pathOf = (account: string) => join(tokens, `${createHash('sha256').update(account).digest('hex').slice(0, 32)}.json`);
  /** The record at `path`, when it is there and the user's own. */
  async function readOwn(path: string): Promise<string | undefined> {
    if (!existsSync(path)) return undefined;
    const why = untrustedCachePath(dir, path);
    if (why) {
      distrusted(`token cache record ignored: ${why}`);
      return undefined;
    }
    return readFile(path, 'utf8').catch(() => undefined);
  }
  return {
    description: `files in ${tokens}`,
    async read(account) {
      const raw = await readOwn(pathOf(account));
      const record = raw === undefined ? undefined : decode(raw);
      return record && record.account === account ? record.entry : undefined;
    },
    async write(account, entry) {
      const why = ownCacheDir(dir, tokens);
      if (why) return distrusted(`token not cached: ${why}`);
      await writeFileAtomic(pathOf(account), encode(account, entry), { mode: 0o600 });
    },
    async delete(account) {
      const path = pathOf(account);
      const existed = existsSync(path);
      await rm(path, { force: true });
      return existed;
    },
    async list() {
      const names = untrustedCachePath(dir, tokens) ? [] : await readdir(tokens).catch(() => [] as string[]);
      const out: { account: string; entry: CachedToken }[] = [];
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const raw = await readOwn(join(tokens, name));
        const record = raw === undefined ? undefined : decode(raw);
        if (record?.account) out.push({ account: record.account, entry: record.entry });
      }
      return out;
    },
  };
}

/** The cache inside the credential store, for those who choose `token_cache = "keychain"`. */
export function storeTokenCache(store: KeyStore): TokenCache {
  return {
    description: store.description,
    async read(account) {
      const raw = await store.get(account);
      return raw === undefined ? undefined : decode(raw)?.entry;
    },
    write: (account, entry) => store.set(account, encode(account, entry)),
    delete: (account) => store.delete(account),
    async list() {
      const out: { account: string; entry: CachedToken }[] = [];
      for (const { account, value } of await store.list()) {
        if (!account.includes('/token:')) continue;
        const record = decode(value);
        if (record) out.push({ account, entry: record.entry });
      }
      return out;
    },
  };
}
