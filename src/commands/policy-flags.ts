import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { extname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { BUILTIN_POLICIES, mergePolicies, parsePolicy, profilePolicy } from '../core/claims/policy.js';
import type { ClaimsPolicy } from '../core/claims/types.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../errors.js';
import type { Deps, GlobalOptions } from '../deps.js';
import { readTextFile } from '../io/files.js';
import { selectProfile } from '../io/config-store.js';

/** The claims-policy flags shared by `lint` and `verify`, as typed by their parsers below. */
export interface PolicyFlags {
  policy?: string;
  iss?: string[];
  aud?: string[];
  require?: string[];
  requireScope?: string[];
  maxLifetime?: number;
  alg?: string[];
  typ?: string;
  leeway?: number;
  requireJti?: boolean;
  strict?: boolean;
}

export function durationArg(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined) throw new InvalidArgumentError('expected a duration such as 90, 90s, 15m, 1h or 7d.');
  return seconds;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function policyOptions() {
  return [
    new Option('--policy <file|name>', `policy file (TOML or JSON) or built-in policy (${Object.keys(BUILTIN_POLICIES).join(', ')})`),
    new Option('--iss <issuer>', 'accepted issuer (repeatable)').argParser(collect),
    new Option('--aud <audience>', 'accepted audience (repeatable)').argParser(collect),
    new Option('--require <claim>', 'claim that must be present (repeatable)').argParser(collect),
    new Option('--require-scope <scope>', 'scope the token must grant (repeatable)').argParser(collect),
    new Option('--max-lifetime <duration>', 'maximum exp - iat, e.g. 1h').argParser(durationArg),
    new Option('--alg <alg>', 'allowed algorithm (repeatable)').argParser(collect),
    new Option('--typ <typ>', 'expected typ header, e.g. at+jwt'),
    new Option('--leeway <duration>', 'clock tolerance for exp/nbf/iat (default 60s)').argParser(durationArg),
    new Option('--require-jti', 'require a jti claim'),
    new Option('--strict', 'warnings fail too'),
  ];
}

async function loadPolicySource(source: string, cwd: string): Promise<ClaimsPolicy> {
  const path = resolve(cwd, source);
  if (!existsSync(path) && BUILTIN_POLICIES[source]) return BUILTIN_POLICIES[source];
  if (!existsSync(path)) {
    throw new UsageError('file_unreadable', `no policy file ${source}`, `built-in policies: ${Object.keys(BUILTIN_POLICIES).join(', ')}`);
  }
  const text = await readTextFile(path, 'policy file');
  let table: unknown;
  try {
    table = extname(path) === '.json' ? JSON.parse(text) : parseToml(text);
  } catch (error) {
    const line = (error as { line?: number }).line;
    throw new UsageError('invalid_policy', `${source}${line ? `:${line}` : ''}: not valid ${extname(path) === '.json' ? 'JSON' : 'TOML'}: ${String((error as Error).message).split('\n')[0]}`);
  }
  if (table === null || typeof table !== 'object' || Array.isArray(table)) throw new UsageError('invalid_policy', `${source}: expected a table of policy keys`);
  return parsePolicy(table as Record<string, unknown>, source);
}

/**
 * The policy a command checks against, in layers: the profile's policy (explicit profile, or
 * the config's default), then `--policy`, then the ad-hoc flags.
 */
export async function resolvePolicy(flags: PolicyFlags, deps: Deps, globals: GlobalOptions): Promise<ClaimsPolicy> {
  const layers: ClaimsPolicy[] = [];
  const selected = selectProfile(await deps.config(globals), globals.profile, true);
  if (selected) layers.push(profilePolicy(selected.name, selected.profile));
  if (flags.policy) layers.push(await loadPolicySource(flags.policy, deps.io.cwd));
  layers.push({
    issuer: flags.iss,
    audience: flags.aud,
    requiredClaims: flags.require,
    requiredScopes: flags.requireScope,
    maxLifetime: flags.maxLifetime,
    algorithms: flags.alg,
    typ: flags.typ,
    clockTolerance: flags.leeway,
    requireJti: flags.requireJti,
  });
  return mergePolicies(...layers);
}
