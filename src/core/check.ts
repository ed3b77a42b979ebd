import type { Profile } from './config.js';
import type { CredentialKind } from './credentials.js';
import { SECRET_SOURCES } from './secret-sources.js';

const CHECK_NAMES = ['profile', 'credentials', 'key', 'certificate', 'token', 'claims', 'signature', 'expiry', 'health'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  profile: string;
  check: CheckName;
  status: CheckStatus;
  message: string;
  /** The error or finding code behind a failure or warning. */
  code?: string;
}

export interface NeededCredential {
  kind: CredentialKind;
  /** The environment variable that supplies it in CI. */
  envVar: string;
}

/**
 * The secrets a profile cannot work without: its client authentication's, its grant's, and
 * an HMAC secret when it mints HS* tokens. A private key kept in a file (`private_key`) is
 * checked as a key, not as a stored credential.
 *
 * @example neededCredentials({ token_url: 'https://a/token', grant: 'password' }).map((c) => c.kind) // ['client_secret', 'password']
 */
export function neededCredentials(profile: Profile): NeededCredential[] {
  const kinds: CredentialKind[] = [];
  if (profile.token_url || profile.issuer) {
    const auth = profile.client_auth ?? 'client_secret_basic';
    if (auth === 'client_secret_basic' || auth === 'client_secret_post' || auth === 'client_secret_jwt') kinds.push('client_secret');
    if (auth === 'api_key') kinds.push('api_key');
    if (auth === 'private_key_jwt' && !profile.private_key) kinds.push('private_key');
    if (profile.grant === 'password') kinds.push('password');
    if (profile.grant === 'refresh_token') kinds.push('refresh_token');
  }
  if (profile.alg?.startsWith('HS') && profile.mint) kinds.push('hmac_secret');
  return kinds.map((kind) => ({ kind, envVar: SECRET_SOURCES[kind].env }));
}

/** Failures fail the run; warnings too with --strict. */
export function checksPass(results: readonly CheckResult[], strict: boolean): boolean {
  return results.every((r) => r.status !== 'fail' && (!strict || r.status !== 'warn'));
}

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/**
 * A JUnit XML report (the dialect CI systems read: GitLab, Jenkins, GitHub test reporters):
 * one testsuite per profile, one testcase per check; warnings are failures with --strict and
 * otherwise passing cases with the warning in system-out.
 */
export function toJunit(results: readonly CheckResult[], strict: boolean, timestamp: string): string {
  const profiles = [...new Set(results.map((r) => r.profile))];
  const failed = (r: CheckResult) => r.status === 'fail' || (strict && r.status === 'warn');
  const count = (rs: readonly CheckResult[]) =>
    `tests="${rs.length}" failures="${rs.filter(failed).length}" errors="0" skipped="${rs.filter((r) => r.status === 'skip').length}"`;
  const suites = profiles.map((profile) => {
    const rs = results.filter((r) => r.profile === profile);
    const cases = rs.map((r) => {
      const open = `    <testcase classname="authctl.check.${xml(profile)}" name="${r.check}" time="0"`;
      if (failed(r)) return `${open}>\n      <failure message="${xml(r.message)}" type="${xml(r.code ?? r.status)}"/>\n    </testcase>`;
      if (r.status === 'skip') return `${open}>\n      <skipped message="${xml(r.message)}"/>\n    </testcase>`;
      return `${open}>\n      <system-out>${xml(`${r.status === 'warn' ? 'warning: ' : ''}${r.message}`)}</system-out>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(profile)}" ${count(rs)} timestamp="${timestamp}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="authctl check" ${count(results)}>\n${suites.join('\n')}\n</testsuites>\n`;
}
