import type { Deps, GlobalOptions } from '../../deps.js';
import { isDpopBound } from '../../core/oauth/token.js';
import { UsageError } from '../../errors.js';
import { checksPass, neededCredentials, toJunit, type CheckName, type CheckResult, type CheckStatus } from '../../core/check.js';
import { accountName, credentialAge, decodeCredential } from '../../core/credentials.js';
import { remoteKeySet } from '../../services/key-source.js';
import { judgeToken, parseForJudging, type SignatureCheck } from '../../core/jwt/judge.js';
import { profilePolicy } from '../../core/claims/policy.js';
import { remainingLifetime } from '../../core/claims/times.js';
import { formatSpan } from '../../core/duration.js';
import { selectProfile } from '../../io/config-store.js';
import { writeFileAtomic } from '../../io/files.js';
import type { CommandResult, Style } from '../../io/output.js';
import { openSession, type EndpointFlags, type Session } from '../../services/session.js';
import { acquireToken } from '../../services/tokens.js';
import { type HeldToken, presenting, profileToken } from '../../services/profile-token.js';
import { buildHealthRequest, parseBearerResponse } from '../../core/oauth/endpoints.js';
import { describeBare } from '../../core/json.js';
import { revealSaid } from '../../core/untrusted-text.js';
import { secretRedactor } from '../../core/redact.js';
import { type Add, checkCertificate, checkKey, why } from './files.js';

export interface CheckFlags extends EndpointFlags {
  profiles: string[];
  all?: boolean;
  minTtl?: number;
  rotationDays: number;
  strict?: boolean;
  junit?: string;
}

/**
 * The checks of one profile, in order; a check whose input is missing (no token because the
 * credentials are) is skipped with the reason, so the report names the first cause.
 */
async function checkProfile(name: string, flags: CheckFlags, deps: Deps, globals: GlobalOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (check: CheckName, status: CheckStatus, message: string, code?: string) =>
    results.push({ profile: name, check, status, message, ...(code ? { code } : {}) });
  let session: Session;
  try {
    session = await openSession(flags, deps, { ...globals, profile: name });
  } catch (error) {
    add('profile', 'fail', why(error).message, why(error).code);
    return results;
  }
  try {
    const { profile } = session;
    add(
      'profile',
      'pass',
      [profile.provider && `provider ${profile.provider}`, profile.token_url && `token endpoint ${profile.token_url}`].filter(Boolean).join(', ') ||
        'no endpoints: signing material only',
    );

    const now = deps.now();
    const credentialsOk = await checkCredentials(session, flags, now, deps, add);
    await checkKey(profile.private_key, profile.alg, flags.rotationDays, now, deps, add);
    if (profile.tls_client_cert) await checkCertificate(profile.tls_client_cert, now, add);

    const token = await checkToken(session, credentialsOk, flags, deps, globals, add);
    await checkHealth(session, token, credentialsOk, deps, globals, add);
    return results;
  } finally {
    await session.close();
  }
}

/** Each secret the profile needs: present in the environment or the store (never a prompt); a stored one has an age. */
async function checkCredentials(session: Session, flags: CheckFlags, now: number, deps: Deps, add: Add): Promise<boolean> {
  let credentialsOk = true;
  const needed = neededCredentials(session.profile);
  for (const need of needed) {
    const explicit =
      need.kind === 'client_secret' || need.kind === 'api_key'
        ? (flags.clientSecretFile ?? (flags.clientSecretStdin ? 'stdin' : undefined))
        : need.kind === 'password'
          ? (flags.passwordFile ?? (flags.passwordStdin ? 'stdin' : undefined))
          : undefined;
    if (explicit) {
      add('credentials', 'pass', `${need.kind} from ${explicit}`);
      continue;
    }
    if (need.envVar && deps.io.env[need.envVar]) {
      add('credentials', 'pass', `${need.kind} from ${need.envVar}`);
      continue;
    }
    const store = await session.store();
    let raw: string | undefined;
    try {
      raw = store ? await store.get(accountName(session.name, need.kind)) : undefined;
    } catch (error) {
      add('credentials', 'fail', `${need.kind}: ${why(error).message}`, why(error).code);
      credentialsOk = false;
      continue;
    }
    if (raw === undefined) {
      credentialsOk = false;
      add(
        'credentials',
        'fail',
        `no ${need.kind}${need.envVar ? ` in ${need.envVar} or` : ' in'} ${store ? store.description : 'a credential store (none is reachable)'}`,
        'credential_missing',
      );
      continue;
    }
    const age = credentialAge(decodeCredential(raw, need.kind).created, now, flags.rotationDays);
    const where = `${need.kind} from ${store!.description}`;
    if (age.days === undefined) add('credentials', 'pass', `${where} (age unknown: not stored by authctl)`);
    else if (age.stale) add('credentials', 'warn', `${where} is ${age.days} days old: rotate it (every ${flags.rotationDays} days)`, 'rotation_due');
    else add('credentials', 'pass', `${where}, ${age.days} days old`);
  }
  if (!needed.length) add('credentials', 'skip', 'the profile needs no stored secret');
  return credentialsOk;
}

/** A fresh token (no cache), judged like any other: claims, signature, headroom. Returns it for the health check. */
async function checkToken(
  session: Session,
  credentialsOk: boolean,
  flags: CheckFlags,
  deps: Deps,
  globals: GlobalOptions,
  add: Add,
): Promise<HeldToken | undefined> {
  const { name, profile } = session;
  const skipAll = (from: readonly CheckName[], reason: string): undefined => {
    for (const check of from) add(check, 'skip', reason);
  };
  if (!profile.token_url) return skipAll(['token', 'claims', 'signature', 'expiry'], 'no token endpoint in the profile');
  if (!credentialsOk) return skipAll(['token', 'claims', 'signature', 'expiry'], 'credentials are missing');
  const now = deps.now();
  // The headroom (--min-ttl, else the policy's min_ttl) is judged on its own row, below.
  const { minRemaining: policyHeadroom, ...policy } = profilePolicy(name, profile);
  const minRemaining = flags.minTtl ?? policyHeadroom;
  let acquired;
  try {
    acquired = await acquireToken(session, { noCache: true }, deps, globals);
  } catch (error) {
    add('token', 'fail', `${profile.token_url}: ${why(error).message}`, why(error).code);
    return skipAll(['claims', 'signature', 'expiry'], 'no token');
  }
  const accessToken = acquired.token.access_token;
  const parsed = parseForJudging(accessToken);
  const jws = 'token' in parsed ? parsed.token : undefined;
  add('token', 'pass', `obtained from ${profile.token_url} (${jws ? `JWT, ${describeBare(jws.header.alg)}` : 'opaque'})`);

  if (jws) {
    // The key set first (when the profile leads to one), then one verdict from the judge: its
    // signature finding is the signature row, the rest the claims row.
    let check: SignatureCheck | undefined;
    let jwksUri: string | undefined;
    let keysFailed: { code: string; message: string } | undefined;
    try {
      const { discover } = await import('../../io/jwks.js');
      jwksUri = profile.jwks_uri ?? (profile.issuer ? (await discover(profile.issuer, session.http)).jwks_uri : undefined);
      if (jwksUri) check = (await remoteKeySet(jwksUri, session.http, deps, policy)).check;
    } catch (error) {
      keysFailed = why(error);
    }
    const verdict = await judgeToken(jws, check, policy, { now });
    const claims = verdict.findings.filter((f) => f !== verdict.signature);
    const errors = claims.filter((f) => f.severity === 'error');
    const warnings = claims.filter((f) => f.severity === 'warning');
    if (errors.length) add('claims', 'fail', errors.map((f) => f.message).join('; '), errors[0]!.code);
    else if (warnings.length) add('claims', 'warn', warnings.map((f) => f.message).join('; '), warnings[0]!.code);
    else add('claims', 'pass', `pass the profile policy${profile.policy ? '' : ' (the profile sets none: only the RFC 7519 basics were checked)'}`);
    if (keysFailed) add('signature', 'fail', keysFailed.message, keysFailed.code);
    else if (!jwksUri) add('signature', 'skip', 'no jwks_uri in the profile, and no issuer to discover one from');
    else if (verdict.signature) add('signature', 'fail', `${jwksUri}: ${verdict.signature.message}`, verdict.signature.code);
    else add('signature', 'pass', `verified against ${jwksUri}${jws.header.kid ? ` (kid ${describeBare(jws.header.kid)})` : ''}`);
  } else {
    add('claims', 'skip', 'an opaque token has no claims to read (use authctl introspect)');
    add('signature', 'skip', 'an opaque token has no signature');
  }

  // The headroom is the claims module's rule (policy min_ttl, or --min-ttl): its finding is the
  // expiry row, for an opaque token too (from expires_in).
  const exp = typeof jws?.payload.exp === 'number' ? jws.payload.exp : acquired.expiresAt;
  const headroom = remainingLifetime(exp, now, minRemaining);
  if (headroom) add('expiry', 'fail', headroom.message, headroom.code);
  else if (exp === undefined) add('expiry', 'warn', 'the token states no expiry', 'missing_required_claim');
  else add('expiry', 'pass', `${formatSpan(exp - now)} left${minRemaining ? ` (at least ${formatSpan(minRemaining)} asked)` : ''}`);
  return { token: accessToken, ...(isDpopBound(acquired.token) ? { dpop: true } : {}) };
}

/** The profile's health endpoint (JustGold's ping) with the token, or one minted from the profile. */
async function checkHealth(
  session: Session,
  token: HeldToken | undefined,
  credentialsOk: boolean,
  deps: Deps,
  globals: GlobalOptions,
  add: Add,
): Promise<void> {
  const url = session.profile.health_url;
  if (!url) return add('health', 'skip', 'no health_url in the profile');
  if (!credentialsOk) return add('health', 'skip', 'credentials are missing');
  if (!token && session.profile.token_url) return add('health', 'skip', 'no token');
  try {
    const held = token ?? (await profileToken(session, deps, globals));
    const verdict = parseBearerResponse(await presenting(session, buildHealthRequest(session.profile, held.token), held, session.send), 'the health endpoint');
    if (verdict.valid) add('health', 'pass', `${url} answered 2xx`);
    else add('health', 'fail', `${url} refused the token: ${verdict.findings[0]!.message}`, verdict.findings[0]!.code);
  } catch (error) {
    add('health', 'fail', `${url}: ${why(error).message}`, why(error).code);
  }
}

const ICON: Record<CheckStatus, (style: Style) => string> = {
  pass: (s) => s.green('✔'),
  warn: (s) => s.yellow('!'),
  fail: (s) => s.red('✖'),
  skip: (s) => s.dim('-'),
};

export async function runCheck(flags: CheckFlags, deps: Deps, globals: GlobalOptions): Promise<CommandResult> {
  const store = await deps.config(globals);
  const named = [...flags.profiles, ...(globals.profiles?.length ? globals.profiles : [])];
  if (flags.all && named.length) throw new UsageError('conflicting_options', '--all checks every profile; do not name profiles as well');
  const names = flags.all
    ? Object.keys(store.config.profiles)
    : named.length
      ? [...new Set(named)]
      : [selectProfile(store, globals.profile, true)?.name].filter((n): n is string => Boolean(n));
  if (!names.length)
    throw new UsageError(
      'profile_not_found',
      flags.all ? 'the config has no profiles' : 'no profile selected',
      'name profiles (authctl check a b), pass --all, or set a default with `authctl profile use NAME`',
    );
  for (const name of names) selectProfile(store, name, false); // an unknown name is profile_not_found before anything runs

  const results: CheckResult[] = [];
  for (const name of names) results.push(...(await checkProfile(name, flags, deps, globals)));
  const ok = checksPass(results, Boolean(flags.strict));
  // A file, not the terminal: the servers' words in it are redacted there all the same.
  const junit = () => toJunit(results, Boolean(flags.strict), new Date(deps.now() * 1000).toISOString());
  if (flags.junit) await writeFileAtomic(flags.junit, revealSaid(junit(), secretRedactor(deps.run.secrets)));
  const tally = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const summary = { passed: tally('pass'), warnings: tally('warn'), failed: tally('fail'), skipped: tally('skip') };
  return {
    json: { ok, profiles: names, summary, checks: results },
    exitCode: ok ? 0 : 1,
    text: (style) => {
      const width = Math.max(...results.map((r) => r.check.length));
      const blocks = names.map((name) =>
        [
          style.bold(name),
          ...results
            .filter((r) => r.profile === name)
            .map((r) => `  ${ICON[r.status](style)} ${r.check.padEnd(width)}  ${r.status === 'skip' ? style.dim(r.message) : r.message}`),
        ].join('\n'),
      );
      const line = `${summary.passed} passed, ${summary.warnings} warnings, ${summary.failed} failed, ${summary.skipped} skipped (${names.length} profile${names.length === 1 ? '' : 's'})`;
      return `${blocks.join('\n\n')}\n\n${ok ? style.green(`✔ ${line}`) : style.red(`✖ ${line}${!summary.failed && flags.strict ? '; --strict fails on warnings' : ''}`)}`;
    },
  };
}
