import { extname, resolve } from 'node:path';
import { BUILTIN_POLICIES, mergePolicies, parsePolicy, profilePolicy } from '../core/claims/policy.js';
import type { ClaimsPolicy } from '../core/claims/types.js';
import type { Profile } from '../core/config.js';
import { lookup, parseJson } from '../core/json.js';
import type { Deps, GlobalOptions } from '../deps.js';
import { UsageError } from '../errors.js';
import { selectProfile, type ConfigStore } from '../io/config-store.js';
import { pathKind, readTextFile } from '../io/files.js';

/** The claims-policy flags shared by `lint` and `verify` (commands/policy-options.ts defines them). */
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

async function loadPolicySource(source: string, cwd: string): Promise<ClaimsPolicy> {
  const path = resolve(cwd, source);
  const builtin = lookup(BUILTIN_POLICIES, source);
  const kind = await pathKind(path);
  if (!kind && builtin) return builtin;
  if (!kind) {
    throw new UsageError('file_unreadable', `no policy file ${source}`, `built-in policies: ${Object.keys(BUILTIN_POLICIES).join(', ')}`);
  }
  const text = await readTextFile(path, 'policy file');
  const json = extname(path) === '.json';
  // The TOML parser loads only for a TOML policy file (start-up time of lint and verify).
  const parseToml = json ? undefined : (await import('smol-toml')).parse;
  let table: unknown;
  try {
    table = parseToml ? parseToml(text) : parseJson(text);
  } catch (error) {
    const line = (error as { line?: number }).line;
    throw new UsageError(
      'invalid_policy',
      `${source}${line ? `:${line}` : ''}: not valid ${json ? 'JSON' : 'TOML'}: ${String((error as Error).message).split('\n')[0]}`,
    );
  }
  if (table === null || typeof table !== 'object' || Array.isArray(table)) throw new UsageError('invalid_policy', `${source}: expected a table of policy keys`);
  return parsePolicy(table as Record<string, unknown>, source);
}

/** The policy a command checks against, where it came from, and the profile it belongs to (if any). */
export interface ResolvedPolicy {
  policy: ClaimsPolicy;
  /** For output: `--policy justgold`, `profile kc`, `default profile gooclaim`, `flags`, `built-in rules`. */
  source: string;
  profile?: { name: string; profile: Profile };
}

/**
 * The profile a token is judged by when the call names none: one whose policy expects the token's
 * `iss` (the default profile first); else the default profile when it expects no particular issuer
 * (or the token names none: a token of that provider without `iss` is what the profile should
 * catch); else the built-in rules, saying why, rather than another provider's rules.
 */
function implicitProfile(store: ConfigStore, iss: string | undefined): { profile?: { name: string; profile: Profile }; source: string } {
  const byDefault = selectProfile(store, undefined, true);
  const expects = (entry: { name: string; profile: Profile }) => profilePolicy(entry.name, entry.profile).issuer;
  if (iss === undefined || !byDefault) return byDefault ? { profile: byDefault, source: `default profile ${byDefault.name}` } : { source: 'built-in rules' };
  if (expects(byDefault)?.includes(iss)) return { profile: byDefault, source: `default profile ${byDefault.name}` };
  for (const [name, profile] of Object.entries(store.config.profiles)) {
    if (expects({ name, profile })?.includes(iss)) return { profile: { name, profile }, source: `profile ${name} (it expects the token's iss)` };
  }
  if (!expects(byDefault)?.length) return { profile: byDefault, source: `default profile ${byDefault.name}` };
  return { source: `built-in rules (the token's iss is none that a profile expects)` };
}

/**
 * CLI.md's precedence: `--policy` replaces any profile's policy; otherwise an explicit
 * `--profile` (or AUTHCTL_PROFILE); otherwise, when the call names no policy, key or claim
 * rule of its own, a profile (implicitProfile: the one the token's `iss` names, else the default);
 * otherwise the built-in rules. The ad-hoc flags (`--iss`, `--aud`, …) always apply on top.
 * `explicitKey` marks a call that names its own key (`verify --key/--jwks/--issuer`): it does not
 * borrow a profile either. `tokenIssuer` is the `iss` of the one token judged, when there is one.
 */
export async function resolvePolicy(
  flags: PolicyFlags,
  deps: Deps,
  globals: GlobalOptions,
  options: { explicitKey?: boolean; tokenIssuer?: string } = {},
): Promise<ResolvedPolicy> {
  const adHoc: ClaimsPolicy = {
    issuer: flags.iss,
    audience: flags.aud,
    requiredClaims: flags.require,
    requiredScopes: flags.requireScope,
    maxLifetime: flags.maxLifetime,
    algorithms: flags.alg,
    typ: flags.typ,
    clockTolerance: flags.leeway,
    requireJti: flags.requireJti,
  };
  const hasAdHoc = Object.values(adHoc).some((v) => v !== undefined);
  const store = await deps.config(globals);
  const explicit = selectProfile(store, globals.profile, false);
  const implicit = explicit || flags.policy || hasAdHoc || options.explicitKey ? undefined : implicitProfile(store, options.tokenIssuer);
  const fallback = explicit ?? implicit?.profile;
  let base: ClaimsPolicy = {};
  let source = implicit?.source ?? 'built-in rules';
  if (flags.policy) {
    base = await loadPolicySource(flags.policy, deps.io.cwd);
    source = `--policy ${flags.policy}`;
  } else if (fallback) {
    base = profilePolicy(fallback.name, fallback.profile);
    if (explicit) source = `profile ${explicit.name}`;
  }
  if (hasAdHoc) source = source === 'built-in rules' ? 'flags' : `${source} + flags`;
  return { policy: mergePolicies(base, adHoc), source, profile: fallback };
}
