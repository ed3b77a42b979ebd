import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AuthError } from '../errors.js';
import { CI_SECRET_ENV } from '../core/secret-sources.js';
import { writeFileAtomic } from './files.js';
import { dataDir } from './paths.js';
import { isJsonObject, lookup, parseJson } from '../core/json.js';
import { withLock } from './lock.js';

/** A small interface over wherever secrets live; values are opaque strings here. */
export interface KeyStore {
  /** Where the secrets live, for messages. */
  readonly description: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  list(): Promise<{ account: string; value: string }[]>;
}

const KEYCHAIN_TIMEOUT_MS = 10_000;
const ALTERNATIVES = `use environment variables (${CI_SECRET_ENV.join(', ')}), or opt in to the plaintext file store with --store file`;

function unavailable(reason: string): AuthError {
  return new AuthError('keychain_unavailable', `the OS keychain is not available: ${reason}`, ALTERNATIVES);
}

/** Errors from the binding carry platform text; only its gist goes into our one-line message. */
function gist(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to address|org\.freedesktop\.DBus\.Error\.(ServiceUnknown|NoServer)/i.test(text))
    return 'no D-Bus session bus, so no Secret Service';
  if (/no result found|locked|prompt/i.test(text)) return 'the keyring is locked or has no default collection';
  return text.split('\n')[0]!.slice(0, 160);
}

/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Linux
 * Secret Service, pinned: never the kernel keyring as a silent fallback). Every call has a
 * timeout. A locked keyring reads as "not found" in the binding, so a missing entry is
 * confirmed by a write probe before it is reported as not found.
 */
export async function openOsKeychain(service: string, onStuck: () => void): Promise<KeyStore> {
  let binding: typeof import('@napi-rs/keyring');
  try {
    binding = await import('@napi-rs/keyring');
  } catch {
    throw unavailable('the native keychain binding could not be loaded on this platform');
  }
  const options = { linux: { store: 'secret-service' as const } };
  const entry = (account: string) => new binding.AsyncEntry(service, account, options);

  async function call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onStuck();
        reject(unavailable(`no answer to ${what} within ${KEYCHAIN_TIMEOUT_MS / 1000} s (a keyring prompt may be waiting)`));
      }, KEYCHAIN_TIMEOUT_MS + 500);
    });
    try {
      return await Promise.race([run(signal), timeout]);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw unavailable(gist(error));
    } finally {
      clearTimeout(timer);
    }
  }

  async function usable(): Promise<void> {
    const probe = entry('authctl-probe/write-check');
    await call('a write probe', (signal) => probe.setPassword('probe', signal));
    await call('a write probe', (signal) => probe.deleteCredential(signal));
  }

  return {
    description: process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service',
    async get(account) {
      const value = await call('a read', (signal) => entry(account).getPassword(signal));
      if (value !== null && value !== undefined) return value;
      await usable();
      return undefined;
    },
    async set(account, value) {
      await call('a write', (signal) => entry(account).setPassword(value, signal));
    },
    async delete(account) {
      const deleted = await call('a delete', (signal) => entry(account).deleteCredential(signal));
      if (!deleted) await usable();
      return deleted;
    },
    async list() {
      const found = await call('a search', (signal) => binding.findCredentialsAsync(service, undefined, signal));
      if (!found.length) await usable();
      return found.filter((c) => c.account !== 'authctl-probe/write-check').map((c) => ({ account: c.account, value: c.password }));
    },
  };
}

export function fileStorePath(env: Readonly<Record<string, string | undefined>>): string {
  return join(dataDir(env), 'credentials.json');
}

/**
 * The opt-in plaintext store: one 0600 JSON file, written atomically. Every read-modify-write
 * holds the same cross-process lock as the token cache, so parallel writers lose nothing.
 */
export function openFileStore(path: string): KeyStore {
  async function load(): Promise<Record<string, string>> {
    let data: unknown;
    try {
      data = parseJson(await readFile(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      data = undefined;
    }
    if (!isJsonObject(data) || !Object.values(data).every((v) => typeof v === 'string')) {
      throw new AuthError('keychain_unavailable', `the credential file ${path} is unreadable or damaged`, 'fix or remove it');
    }
    return data as Record<string, string>;
  }
  const save = (data: Record<string, string>) => writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  const locked = <T>(run: () => Promise<T>) => withLock(join(dirname(path), '.locks'), path, run);
  return {
    description: `plaintext file ${path}`,
    async get(account) {
      return lookup(await load(), account);
    },
    set: (account, value) => locked(async () => save({ ...(await load()), [account]: value })),
    delete: (account) =>
      locked(async () => {
        const data = await load();
        if (!Object.hasOwn(data, account)) return false;
        delete data[account];
        await save(data);
        return true;
      }),
    async list() {
      return Object.entries(await load()).map(([account, value]) => ({ account, value }));
    },
  };
}
