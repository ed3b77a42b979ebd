import { cacheDir } from '../../io/paths.js';
import type { Deps, GlobalOptions } from '../../deps.js';
import { UsageError, type UsageCode } from '../../errors.js';
import { normalizeTokenInput, type ParsedToken } from '../../core/jwt/parse.js';
import { judgeClaims, parseForJudging } from '../../core/jwt/judge.js';
import { allowedAlgorithms, signatureChecker, toJwks, type Verifier } from '../../core/jwt/verify.js';
import { describeTimes, unexpectedFinding } from '../../core/jwt/inspect.js';
import { passes } from '../../core/claims/validate.js';
import type { Finding } from '../../core/claims/types.js';
import { maskToken } from '../../core/redact.js';
import { NetworkError } from '../../errors.js';
import { readTokens } from '../../io/token-input.js';
import { orderedPool } from '../../io/ordered-pool.js';
import { resolveKey, type KeyFlags } from '../../services/signing-key.js';
import { storeAccess } from '../../services/secrets.js';
import { SECRET_SOURCES } from '../../core/secret-sources.js';
import { readTextFile } from '../../io/files.js';
import { PROVIDERS } from '../../core/providers.js';
import type { Profile } from '../../core/config.js';
import { diagnostic, renderFindings, type CommandResult, type StreamResult } from '../../io/output.js';
import { resolvePolicy } from '../../services/policy.js';
import type { PolicyFlags } from '../policy-options.js';
import { describeBare, describeValue, lookup, parseJson } from '../../core/json.js';

export interface VerifyOptions extends PolicyFlags, KeyFlags {
  token?: string;
  jwks?: string;
  issuer?: string;
  jwksCache?: boolean;
  timeout?: number;
  cacert?: string;
}

interface VerifierSource {
  verifier: Verifier;
  /** Fetches the remote JWKS again, once, when a token's kid is not in a cached copy. */
  refresh?: () => Promise<Verifier>;
  /** The issuer that discovery vouched for, checked as `iss`. */
  issuer?: string;
}

/**
 * Whether the key is local (a key file, an HMAC secret) rather than a key set from a URL, by the
 * resolver's precedence: a flag naming a key beats --jwks/--issuer, which beat the secret in the
 * environment, which beats the profile's jwks_uri or issuer.
 */
function localKeyFirst(options: VerifyOptions, deps: Deps): boolean {
  if (options.key !== undefined || options.secretFile !== undefined || options.secretStdin) return true;
  if (options.jwks !== undefined || options.issuer !== undefined) return false;
  return Boolean(deps.io.env[SECRET_SOURCES.hmac_secret.env]);
}

/** With -v, says which JWKS keys were left out (a key type authctl does not verify with). */
function skipNote(deps: Deps, globals: GlobalOptions): ((why: string) => void) | undefined {
  return globals.verbose ? (why) => diagnostic(deps.io, `  ${why}`) : undefined;
}

/** --jwks URL, --issuer URL (discovery), or the profile's jwks_uri / issuer. */
async function remoteVerifier(options: VerifyOptions, deps: Deps, globals: GlobalOptions, profile: Profile | undefined): Promise<VerifierSource | undefined> {
  const issuer = options.issuer ?? (options.jwks ? undefined : profile?.issuer);
  const jwksUri = options.jwks ?? (options.issuer ? undefined : profile?.jwks_uri);
  if (!issuer && !jwksUri) return undefined;
  const { discover, loadRemoteJwks } = await import('../../io/jwks.js');
  const ca = options.cacert ? await readTextFile(options.cacert, 'CA file') : undefined;
  const http = await deps.http({ timeoutMs: (options.timeout ?? 10) * 1000, ca, verbose: globals.verbose });
  const url = jwksUri ?? (await discover(issuer!, http)).jwks_uri;
  if (!url) throw new NetworkError('discovery_failed', `the metadata of ${issuer} has no jwks_uri`);
  const settings = { dir: cacheDir(deps.io.env), now: deps.now(), useCache: options.jwksCache !== false };
  const skip = skipNote(deps, globals);
  const first = await loadRemoteJwks(url, http, settings);
  return {
    verifier: { kind: 'jwks', jwks: toJwks(first.jwks, skip) },
    refresh: first.fromCache
      ? async () => ({ kind: 'jwks', jwks: toJwks((await loadRemoteJwks(url, http, { ...settings, fresh: true })).jwks, skip) })
      : undefined,
    issuer,
  };
}

/** A JWKS file is a set to select from by kid; any other key file is one key. */
async function localVerifier(options: VerifyOptions, deps: Deps, globals: GlobalOptions, profileName: string | undefined): Promise<Verifier> {
  if (options.key !== undefined && options.key !== '-' && options.kid === undefined) {
    const text = await readTextFile(options.key, 'key file');
    if (/^\s*\{[\s\S]*"keys"\s*:/.test(text)) {
      try {
        return { kind: 'jwks', jwks: toJwks(parseJson(text), skipNote(deps, globals)) };
      } catch (error) {
        if (error instanceof UsageError) throw new UsageError(error.code as UsageCode, `${options.key}: ${error.message}`, error.hint);
        throw new UsageError('invalid_key', `${options.key}: not valid JSON`);
      }
    }
  }
  const key = await resolveKey(options, deps, { access: profileName ? storeAccess(profileName, deps, globals) : undefined });
  if (key.kind === 'private') {
    // Verification needs only the public half; never use a private key where a public one does.
    const { publicKeyOf } = await import('../../core/keys/export.js');
    return { kind: 'key', key: { ...key, kind: 'public', key: publicKeyOf(key) } };
  }
  return { kind: 'key', key };
}

/** Signature checks in flight at once (32, 64 and 128 measured alike on two cores; 16 was slower). */
const VERIFY_WINDOW = 32;
/** Results held back behind a slow check at the head, at most. */
const VERIFY_HELD = 8 * VERIFY_WINDOW;

type JwsToken = Extract<ParsedToken, { kind: 'jws' }>;

interface Checked {
  line?: number;
  id: string;
  token?: JwsToken;
  signature?: Finding;
  /** Why the token never reached the signature check. */
  early?: Finding;
}

interface Outcome {
  line?: number;
  /** The policy applied and where it came from. */
  policy: string;
  token: string;
  valid: boolean;
  findings: Finding[];
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

function result(outcome: Outcome, now: number, announce: boolean): CommandResult {
  return {
    json: outcome,
    exitCode: outcome.valid ? 0 : 1,
    text: (style) => {
      const where = outcome.line !== undefined ? `line ${outcome.line}: ` : '';
      const sub = outcome.payload?.sub !== undefined ? ` sub=${describeValue(outcome.payload.sub)}` : '';
      const exp = outcome.payload ? describeTimes(outcome.payload, now).exp : undefined;
      const head = outcome.valid
        ? style.green(`✔ ${where}valid: signature verified (${describeBare(outcome.header?.alg)}), claims pass${sub}${exp ? `, expires ${exp.relative}` : ''}`)
        : style.red(
            `✖ ${where}invalid: ${outcome.findings
              .filter((f) => f.severity === 'error')
              .map((f) => f.code)
              .join(', ')}`,
          );
      const body = outcome.findings.length ? `${head}\n${renderFindings(outcome.findings, style)}` : head;
      return announce ? `${body}\n${style.dim(`  policy: ${outcome.policy}`)}` : body;
    },
  };
}

/**
 * Verifies signatures locally, then the claims through the shared claims module. Many tokens
 * on stdin are verified with one prepared key, one result per line; within such a batch a
 * repeated jti is a replay when the policy asks for jti.
 */
export async function runVerify(options: VerifyOptions, deps: Deps, globals: GlobalOptions): Promise<StreamResult> {
  const explicitKey =
    options.key !== undefined || options.jwks !== undefined || options.issuer !== undefined || options.secretFile !== undefined || Boolean(options.secretStdin);
  const resolved = await resolvePolicy(options, deps, globals, explicitKey);
  const basePolicy = resolved.policy;
  const profile = resolved.profile?.profile;
  const pin = profile?.provider ? lookup(PROVIDERS, profile.provider)?.pinsIssuer : undefined;
  if (pin && !basePolicy.issuer?.length && !options.issuer) {
    throw new UsageError(
      'issuer_required',
      `profile "${resolved.profile!.name}" pins no issuer, and ${pin}`,
      `pin it with issuer = "…" in [profiles.${resolved.profile!.name}.policy] of the config (or profile add --expect-iss), or pass --iss ISSUER`,
    );
  }
  const source = (!localKeyFirst(options, deps) && (await remoteVerifier(options, deps, globals, profile))) || {
    verifier: await localVerifier(options, deps, globals, resolved.profile?.name),
  };
  const policy = source.issuer && !basePolicy.issuer ? { ...basePolicy, issuer: [source.issuer] } : basePolicy;
  const algorithms = allowedAlgorithms(source.verifier, policy.algorithms);
  const claimsPolicy = { ...policy, algorithms };
  let checker = signatureChecker(source.verifier, algorithms, policy);
  let refreshed: Promise<typeof checker> | undefined;
  const bulk = options.token === undefined || options.token === '-';
  const seenJti = new Set<string>();

  async function checkSignature(token: JwsToken): Promise<Finding | undefined> {
    const finding = await checker(token);
    if (finding?.claim !== 'header.kid' || !source.refresh) return finding;
    // The kid may belong to a key rotated in since the JWKS was cached: fetch it once more,
    // once for the whole batch.
    refreshed ??= source.refresh().then((fresh) => (checker = signatureChecker(fresh, allowedAlgorithms(fresh, policy.algorithms), policy)));
    return (await refreshed)(token);
  }

  /** One token's parse and signature; in a batch, an unexpected failure is that line's result, not the end of the run. */
  async function checkOne(text: string, line: number | undefined): Promise<Checked> {
    try {
      return await parseAndCheck(text, line);
    } catch (error) {
      if (!bulk || globals.debug) throw error;
      return { line, id: maskToken(normalizeTokenInput(text)), early: unexpectedFinding(error) };
    }
  }

  /** Parsing and the signature: independent per token, so many run at once. */
  async function parseAndCheck(text: string, line: number | undefined): Promise<Checked> {
    const parsed = parseForJudging(text);
    if ('finding' in parsed) return { line, id: maskToken(normalizeTokenInput(text)), early: parsed.finding };
    return { line, id: maskToken(parsed.token.compact), token: parsed.token, signature: await checkSignature(parsed.token) };
  }

  /** The claims, in input order, so replay detection sees tokens in the order given. */
  let judged = 0;
  function judge(checked: Checked): CommandResult {
    const announce = judged++ === 0;
    const now = deps.now();
    if (!checked.token)
      return result({ line: checked.line, policy: resolved.source, token: checked.id, valid: false, findings: [checked.early!] }, now, announce);
    const { header, payload } = checked.token;
    let findings: Finding[];
    try {
      findings = judgeClaims(checked.token, checked.signature, claimsPolicy, { now, seenJti }).findings;
    } catch (error) {
      if (!bulk || globals.debug) throw error;
      return result({ line: checked.line, policy: resolved.source, token: checked.id, valid: false, findings: [unexpectedFinding(error)] }, now, announce);
    }
    if (!checked.signature && policy.requireJti && typeof payload.jti === 'string') seenJti.add(payload.jti);
    return result(
      { line: checked.line, policy: resolved.source, token: checked.id, valid: passes(findings, options.strict), findings, header, payload },
      now,
      announce,
    );
  }

  /** The token lines, or one empty line when there are none (so the result says why). */
  async function* lines(): AsyncGenerator<{ text: string; line: number | undefined }> {
    let count = 0;
    for await (const { text, line } of readTokens(options.token, deps.io)) {
      count++;
      yield { text, line: bulk ? line : undefined };
    }
    if (count === 0) yield { text: '', line: undefined };
  }

  // Signature checks run on libuv's thread pool, VERIFY_WINDOW at once (io/ordered-pool.ts); the
  // claims are judged in input order as the checks come out, so replay detection sees that order.
  async function* results(): AsyncGenerator<CommandResult> {
    for await (const checked of orderedPool(lines(), ({ text, line }) => checkOne(text, line), { concurrency: VERIFY_WINDOW, held: VERIFY_HELD }))
      yield judge(checked);
  }
  return { stream: results() };
}
