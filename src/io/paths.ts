import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CACHE_HOME/authctl` (~/.cache/authctl): the token cache, JWKS cache and locks. */
export function cacheDir(env: Env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'authctl');
}

/** `$XDG_DATA_HOME/authctl` (~/.local/share/authctl): the opt-in plaintext credential file. */
export function dataDir(env: Env): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'authctl');
}
