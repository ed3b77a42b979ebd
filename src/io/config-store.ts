import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Config, Profile } from '../core/config.js';
import { readTextFile, writeFileAtomic } from './files.js';
import { existsSync } from 'node:fs';
import { lookup } from '../core/json.js';

export interface ConfigStore {
  path: string;
  exists: boolean;
  config: Config;
  /** Replaces the file atomically; an interrupted write leaves the old file intact. */
  save(config: Config): Promise<void>;
}

/**
 * `--config` (which commander fills from `AUTHCTL_CONFIG` too), else
 * `$XDG_CONFIG_HOME/authctl/config.toml` (~/.config by default).
 */
export function configPath(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'authctl', 'config.toml');
}

export async function loadConfig(path: string): Promise<ConfigStore> {
  const exists = existsSync(path);
  const save = async (next: Config) => writeFileAtomic(path, (await import('../core/config.js')).serializeConfig(next), { mode: 0o600 });
  // The config module (and its TOML parser) loads only when there is a file to parse.
  if (!exists) return { path, exists, config: { profiles: {} }, save };
  const { parseConfig, PROFILE_PATH_KEYS } = await import('../core/config.js');
  const config = parseConfig(await readTextFile(path, 'config file', 16 * 1024 * 1024), path);
  config.profiles ??= {};
  // A hand-edited relative path means "beside the config file", wherever authctl runs from.
  for (const profile of Object.values(config.profiles)) {
    for (const key of PROFILE_PATH_KEYS) if (profile[key] !== undefined) profile[key] = resolve(dirname(path), profile[key]!);
  }
  return { path, exists, config, save };
}

/**
 * The profile a command should use: the explicit name (`--profile`, `AUTHCTL_PROFILE`), or
 * else the config's default when `fallBackToDefault`. Unknown names are a usage error.
 */
export function selectProfile(store: ConfigStore, name: string | undefined, fallBackToDefault: boolean): { name: string; profile: Profile } | undefined {
  const chosen = name ?? (fallBackToDefault ? store.config.default_profile : undefined);
  if (chosen === undefined) return undefined;
  const profile = lookup(store.config.profiles, chosen);
  if (!profile) {
    const known = Object.keys(store.config.profiles);
    throw new UsageError(
      'profile_not_found',
      `no profile named "${chosen}" in ${store.path}`,
      known.length ? `known profiles: ${known.join(', ')}` : 'create one with `authctl profile add NAME`',
    );
  }
  return { name: chosen, profile };
}
