import type { Deps, GlobalOptions } from '../deps.js';
import { AuthError, type AuthCode, type AuthctlError } from '../errors.js';
import { accountName, decodeCredential, encodeCredential } from '../core/credentials.js';
import { type CredentialKind, SECRET_SOURCES, sourceFlags, type SecretKind } from '../core/secret-sources.js';
import type { KeyStore } from '../io/keychain.js';
import { promptHidden } from '../io/prompt.js';
import { readGivenSecret, type GivenSource } from '../io/secret-input.js';

/** Where the credential store comes from for one resolution: lazily, with the reason when unreachable. */
export interface StoreAccess {
  /** The profile whose stored credentials apply. */
  profile: string;
  store(): Promise<KeyStore | undefined>;
  /** Why the store is unreachable, once store() gave undefined. */
  failure(): AuthctlError | undefined;
}

/** A credential store opened on first use, its failure kept for the message that needs it. */
export function storeAccess(profile: string, deps: Deps, globals: GlobalOptions, choice?: 'keychain' | 'file'): StoreAccess {
  let opened: Promise<KeyStore | undefined> | undefined;
  let failure: AuthctlError | undefined;
  return {
    profile,
    store: () =>
      (opened ??= deps.keystore(globals, choice).catch((error: AuthctlError) => {
        failure = error;
        return undefined;
      })),
    failure: () => failure,
  };
}

/**
 * THE secret resolver, for every command: walks the kind's row of the credential table (core/
 * secret-sources.ts) in CLI.md's order: the flag naming a source, the environment, the
 * credential store (when the kind is stored and a profile is selected), a hidden prompt on a
 * terminal (when the kind allows one). Undefined when no source has it. A resolved secret is
 * remembered for redaction, so nothing a server echoes can print it.
 */
export async function findSecret(kind: SecretKind, given: GivenSource, deps: Deps, access?: StoreAccess): Promise<string | undefined> {
  const { found, storeError } = await walk(kind, given, deps, access);
  if (found === undefined && storeError) throw storeError;
  return found?.value;
}

/** A secret and where it came from (`AUTHCTL_CLIENT_SECRET`, `the Secret Service`, …), for hints that name the source. */
export interface FoundSecret {
  value: string;
  origin: string;
}

async function walk(kind: SecretKind, given: GivenSource, deps: Deps, access?: StoreAccess): Promise<{ found?: FoundSecret; storeError?: AuthctlError }> {
  const source = SECRET_SOURCES[kind];
  const remember = (value: string, origin: string) => {
    deps.run.secrets.add(value);
    return { found: { value, origin } };
  };
  const direct = await readGivenSecret(kind, given, deps.io);
  if (direct !== undefined) return remember(direct, given.file !== undefined ? `the file ${given.file}` : given.stdin ? 'stdin' : source.env);
  let storeError: AuthctlError | undefined;
  if (source.stored && access) {
    try {
      const store = await access.store();
      const raw = store ? await store.get(accountName(access.profile, kind as CredentialKind)) : undefined;
      if (raw !== undefined) return remember(decodeCredential(raw, kind).secret, `the ${store!.description}`);
    } catch (error) {
      // A locked or unreachable keychain: a person at a terminal can still type the secret.
      if (!(error instanceof AuthError && error.code === 'keychain_unavailable')) throw error;
      storeError = error;
    }
    storeError ??= access.failure();
  }
  // A stored kind is a profile's (the prompt names it); one never stored (a JWE's password) is asked for alone.
  if (source.prompt && (access || !source.stored) && deps.io.stdin.isTTY)
    return remember(await promptHidden(access ? `${source.what} for profile ${access.profile}: ` : `${source.what}: `, deps.io), 'the prompt');
  return { storeError };
}

/** findSecret, but a missing secret is `credential_missing` (exit 4) naming every source the table lists. */
export async function requireSecret(kind: SecretKind, given: GivenSource, deps: Deps, access?: StoreAccess): Promise<string> {
  return (await requireSecretFrom(kind, given, deps, access)).value;
}

/** requireSecret, with where the secret came from. */
export async function requireSecretFrom(kind: SecretKind, given: GivenSource, deps: Deps, access?: StoreAccess): Promise<FoundSecret> {
  const { found, storeError } = await walk(kind, given, deps, access);
  if (found !== undefined) return found;
  const source = SECRET_SOURCES[kind];
  const flags = sourceFlags(kind);
  const given_ = [flags, source.env].filter(Boolean).join(' or ');
  if (storeError) throw new AuthError(storeError.code as AuthCode, `no ${source.what} from ${given_}, and ${storeError.message}`, storeError.hint);
  const store = source.stored && access ? `, or store it: authctl credentials set ${kind} --profile ${access.profile}` : '';
  throw new AuthError(
    'credential_missing',
    `no ${source.what}${access ? ` for profile "${access.profile}"` : ' given'}`,
    `${flags ? `use ${flags}, or set ` : 'set '}${source.env}${store}`,
  );
}

/**
 * Keeps a secret authctl obtained itself (a refresh token, a DPoP key) as the profile's credential
 * of that kind. Undefined when it landed, else why not (no store reachable): never fatal.
 */
export async function keepSecret(kind: CredentialKind, value: string, deps: Deps, access: StoreAccess): Promise<AuthctlError | undefined> {
  try {
    const store = await access.store();
    if (!store) return access.failure() ?? new AuthError('keychain_unavailable', 'no credential store is reachable');
    await store.set(accountName(access.profile, kind), encodeCredential({ kind, created: deps.now(), secret: value }));
    return undefined;
  } catch (error) {
    if (error instanceof AuthError && error.code === 'keychain_unavailable') return error;
    throw error;
  }
}
