import { UsageError } from '../errors.js';
import { PROFILE_NAME } from './config-values.js';
import { parseJson } from './json.js';

import type { CredentialKind } from './secret-sources.js';

export { CREDENTIAL_KINDS, type CredentialKind } from './secret-sources.js';

/** The Gooclaim document's rule: rotate client secrets every 90 days. */
export const DEFAULT_ROTATION_DAYS = 90;

/** Secret Service and Windows Credential Manager limit entries; larger private keys are refused. */
export const MAX_SECRET_CHARS = 8 * 1024;

export interface StoredCredential {
  kind: CredentialKind;
  /** Seconds since the epoch. */
  created: number;
  secret: string;
}

export function accountName(profile: string, kind: CredentialKind): string {
  if (!PROFILE_NAME.test(profile)) throw new UsageError('invalid_argument', `"${profile}" is not a usable profile name`);
  return `${profile}/${kind}`;
}

export function parseAccount(account: string): { profile: string; kind: string } | undefined {
  const slash = account.lastIndexOf('/');
  return slash > 0 ? { profile: account.slice(0, slash), kind: account.slice(slash + 1) } : undefined;
}

/**
 * The value written to the store: the secret with its kind and creation time, so `list` can
 * show ages without any other file.
 *
 * @example decodeCredential(encodeCredential({ kind: 'password', created: 1, secret: 's' })).secret // 's'
 */
export function encodeCredential(credential: StoredCredential): string {
  return JSON.stringify({ authctl: 1, kind: credential.kind, created: credential.created, secret: credential.secret });
}

/** Reads an entry; one written by another tool is taken as a bare secret of unknown age. */
export function decodeCredential(value: string, fallbackKind = 'client_secret'): StoredCredential & { created: number | 0 } {
  try {
    const parsed = parseJson(value) as Record<string, unknown>;
    if (parsed && parsed.authctl === 1 && typeof parsed.secret === 'string') {
      return { kind: String(parsed.kind) as CredentialKind, created: Number(parsed.created) || 0, secret: parsed.secret };
    }
  } catch {
    // not ours: a bare secret
  }
  return { kind: fallbackKind as CredentialKind, created: 0, secret: value };
}

/** Whole days since creation, and whether that passes the rotation age. */
export function credentialAge(created: number, now: number, rotationDays = DEFAULT_ROTATION_DAYS): { days: number | undefined; stale: boolean } {
  if (!created) return { days: undefined, stale: false };
  const days = Math.floor((now - created) / 86400);
  return { days, stale: days >= rotationDays };
}
