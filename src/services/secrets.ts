import type { Deps, GlobalOptions } from '../deps.js';
import { accountName, decodeCredential, type CredentialKind } from '../core/credentials.js';

/**
 * A profile's stored secret for the resolver chain (after flags and environment): undefined
 * when none is stored; a keychain that cannot be reached is an error, never a silent skip.
 */
export async function storedSecret(kind: CredentialKind, deps: Deps, globals: GlobalOptions): Promise<string | undefined> {
  const profile = globals.profile ?? (await deps.config(globals)).config.default_profile;
  if (!profile) return undefined;
  const raw = await (await deps.keystore(globals)).get(accountName(profile, kind));
  return raw === undefined ? undefined : decodeCredential(raw, kind).secret;
}
