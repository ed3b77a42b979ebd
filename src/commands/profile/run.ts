import { stringify as stringifyToml } from 'smol-toml';
import type { Deps, GlobalOptions } from '../../deps.js';
import { resolve } from 'node:path';
import { PROFILE_PATH_KEYS, URL_KEYS, type Config, type Profile } from '../../core/config.js';
import { isHttpUrl } from '../../core/origin.js';
import { PROFILE_NAME } from '../../core/config-values.js';
import type { CredentialKind } from '../../core/credentials.js';
import { PROVIDERS } from '../../core/providers.js';
import { parsePolicy } from '../../core/claims/policy.js';
import { AuthctlError, UsageError } from '../../errors.js';
import { selectProfile } from '../../io/config-store.js';
import { diagnostic, renderColumns, type CommandResult } from '../../io/output.js';
import { parseJson, lookup } from '../../core/json.js';

export interface ProfileAddOptions {
  name: string;
  provider?: string;
  fields: Partial<Record<keyof Profile, string>>;
  extraBody?: string;
  expectIss?: string[];
  expectAud?: string[];
  force?: boolean;
  use?: boolean;
  /** RFC 9449: the profile's tokens bound to its DPoP key. */
  dpop?: boolean;
}

function parseExtraBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw new UsageError('invalid_argument', '--extra-body must be a JSON object, e.g. \'{"claimsSet":{"name":"alice"}}\'');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('invalid_argument', '--extra-body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Builds the profile from the provider template, then the explicit fields on top. */
function buildProfile(options: ProfileAddOptions): Profile {
  const template = options.provider ? lookup(PROVIDERS, options.provider) : undefined;
  if (options.provider && !template) {
    throw new UsageError('invalid_argument', `unknown provider "${options.provider}"`, `providers: ${Object.keys(PROVIDERS).join(', ')}`);
  }
  for (const key of URL_KEYS) {
    const value = options.fields[key];
    if (value !== undefined && !isHttpUrl(value))
      throw new UsageError('invalid_argument', `--${key.replace(/_/g, '-')} must be an http or https URL, not ${JSON.stringify(value)}`);
  }
  const { base_url: base, issuer } = options.fields;
  const profile: Profile = { ...template?.build(template.fromIssuer ? (issuer ?? base) : (base ?? issuer)), ...(options.fields as Profile) };
  if (options.extraBody) profile.extra_body = parseExtraBody(options.extraBody);
  if (options.dpop) profile.dpop = true;
  if (options.expectIss || options.expectAud) {
    profile.policy = { ...profile.policy };
    if (options.expectIss) profile.policy.issuer = options.expectIss;
    if (options.expectAud) profile.policy.audience = options.expectAud;
  }
  // A profile that mints its own tokens (JustGold's partner, the gamification tenant) is their
  // issuer: the one issuer it expects is the one it writes.
  if (profile.mint && options.expectIss?.length === 1 && profile.mint.iss === undefined) profile.mint = { ...profile.mint, iss: options.expectIss[0] };
  if (profile.policy) parsePolicy(profile.policy, `profile ${options.name} policy`);
  return profile;
}

async function update(deps: Deps, globals: GlobalOptions, change: (config: Config) => Config): Promise<string> {
  const store = await deps.config(globals, 'create');
  await store.save(change(structuredClone(store.config)));
  return store.path;
}

/** The secrets a profile needs, as runnable `credentials set` commands, for the hint after `profile add`. */
function secretHints(name: string, profile: Profile): string[] {
  const kinds = new Set<CredentialKind>();
  const template = profile.provider ? lookup(PROVIDERS, profile.provider)?.secret : undefined;
  if (template) kinds.add(template);
  // It signs its own tokens: the key is the secret, unless the profile names a key file.
  else if (profile.mint) {
    if (!profile.private_key) kinds.add('private_key');
  } else if (profile.client_auth === 'api_key') kinds.add('api_key');
  else if (!profile.client_auth || profile.client_auth.startsWith('client_secret')) kinds.add('client_secret');
  if (profile.grant === 'password') kinds.add('password');
  return [...kinds].map((kind) => `authctl credentials set ${kind} --profile ${name}`);
}

/**
 * An issuer is asked for its metadata at once (a few seconds at most): the profile is saved either
 * way, but a typo or a server that is not up is said now, with the reason, not at the first token.
 */
async function probeDiscovery(name: string, issuer: string, deps: Deps, globals: GlobalOptions): Promise<void> {
  try {
    const { discover } = await import('../../io/jwks.js');
    await discover(issuer, await deps.http({ timeoutMs: DISCOVERY_PROBE_MS, verbose: globals.verbose }));
  } catch (error) {
    if (!(error instanceof AuthctlError)) throw error;
    diagnostic(deps.io, `authctl: warning: profile ${name} is saved, but its issuer's discovery did not answer: ${error.code}: ${error.message}`);
  }
}

/** How long `profile add --issuer` waits for the issuer's metadata. */
const DISCOVERY_PROBE_MS = 5000;

export async function runProfileAdd(options: ProfileAddOptions, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  if (!PROFILE_NAME.test(options.name)) {
    throw new UsageError('invalid_argument', `profile name "${options.name}" may only use letters, digits, ".", "_" and "-" (64 at most)`);
  }
  const store = await deps.config(globals, 'create');
  if (lookup(store.config.profiles, options.name) && !options.force) {
    throw new UsageError('profile_exists', `profile "${options.name}" already exists in ${store.path}`, 'use --force to replace it');
  }
  const profile = buildProfile(options);
  // Paths are stored absolute, so the profile works from any directory.
  for (const key of PROFILE_PATH_KEYS) if (profile[key] !== undefined) profile[key] = resolve(deps.io.cwd, profile[key]!);
  const becomesDefault = Boolean(options.use || !store.config.default_profile || store.config.default_profile === options.name);
  const path = await update(deps, globals, (config) => ({
    ...config,
    ...(becomesDefault ? { default_profile: options.name } : {}),
    profiles: { ...config.profiles, [options.name]: profile },
  }));
  const pin = profile.provider ? lookup(PROVIDERS, profile.provider)?.pinsIssuer : undefined;
  if (pin && !profile.policy?.issuer) {
    deps.io.stderr.write(`authctl: warning: profile ${options.name} pins no issuer, so verify will refuse its tokens: ${pin}; add --expect-iss ISSUER\n`);
  }
  if (options.fields.issuer) await probeDiscovery(options.name, options.fields.issuer, deps, globals);
  const hints = secretHints(options.name, profile);
  return {
    json: { name: options.name, path, default: becomesDefault, profile },
    text: (style) =>
      [
        `${style.green('✔')} profile ${style.bold(options.name)} saved to ${path}`,
        ...(becomesDefault
          ? [`  it is the default profile${store.config.default_profile ? '' : ' (the first one)'}; change with: authctl profile use NAME`]
          : []),
        ...(hints.length ? [style.dim(`secrets go in the keychain: ${hints.join(' && ')}`)] : []),
      ].join('\n'),
  };
}

export async function runProfileList(options: { names?: boolean }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.config(globals);
  const { profiles, default_profile } = store.config;
  const names = Object.keys(profiles).sort();
  return {
    json: names.map((name) => ({ name, default: name === default_profile, provider: profiles[name]!.provider ?? null, endpoint: endpointOf(profiles[name]!) })),
    text: (style) => {
      if (options.names) return names.join('\n');
      if (!names.length) return style.dim(`no profiles in ${store.path}; add one with: authctl profile add NAME --provider oauth2 --issuer URL`);
      return renderColumns(
        ['  NAME', 'PROVIDER', 'ENDPOINT'],
        names.map((name) => [`${name === default_profile ? '*' : ' '} ${name}`, profiles[name]!.provider ?? 'custom', endpointOf(profiles[name]!) ?? '']),
        style,
        [undefined, undefined, style.dim],
      );
    },
  };
}

function endpointOf(profile: Profile): string | undefined {
  return profile.token_url ?? profile.issuer ?? profile.verify_url ?? profile.base_url;
}

export async function runProfileShow(options: { name?: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.config(globals);
  const selected = selectProfile(store, options.name ?? globals.profile, true);
  if (!selected) throw new UsageError('profile_not_found', 'no profile named and no default profile set', 'authctl profile use NAME, or pass a name');
  return {
    json: { name: selected.name, default: selected.name === store.config.default_profile, profile: selected.profile },
    text: () => `# ${selected.name}${selected.name === store.config.default_profile ? ' (default)' : ''}\n${stringifyToml(selected.profile)}`,
  };
}

export async function runProfileRemove(options: { name: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.config(globals);
  selectProfile(store, options.name, false);
  await update(deps, globals, ({ default_profile, profiles, ...rest }) => {
    const { [options.name]: _removed, ...kept } = profiles;
    return { ...rest, ...(default_profile !== options.name ? { default_profile } : {}), profiles: kept };
  });
  return { json: { removed: options.name }, text: (style) => `${style.green('✔')} removed profile ${style.bold(options.name)}` };
}

export async function runProfileUse(options: { name: string }, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.config(globals);
  selectProfile(store, options.name, false);
  await update(deps, globals, (config) => ({ ...config, default_profile: options.name }));
  return { json: { default_profile: options.name }, text: (style) => `${style.green('✔')} default profile is now ${style.bold(options.name)}` };
}
