import type { Deps, GlobalOptions } from '../../deps.js';
import { CheckFailedError, UsageError } from '../../errors.js';
import { normalizeTokenInput, type ParsedToken } from '../../core/jwt/parse.js';
import { judgeClaims, parseForJudging } from '../../core/jwt/judge.js';
import { describeTimes, unexpectedFinding } from '../../core/jwt/inspect.js';
import { passes } from '../../core/claims/validate.js';
import type { Finding } from '../../core/claims/types.js';
import { maskToken } from '../../core/redact.js';
import { readTokens } from '../../io/token-input.js';
import { orderedPool } from '../../io/ordered-pool.js';
import { PROVIDERS } from '../../core/providers.js';
import { isHttpUrl } from '../../core/origin.js';
import { renderFindings, type CommandResult, type StreamResult } from '../../io/output.js';
import { resolvePolicy } from '../../services/policy.js';
import type { PolicyFlags } from '../policy-options.js';
import { describeBare, describeValue, isJsonObject, lookup } from '../../core/json.js';
import { verificationKeys, type VerifyKeyFlags } from '../../services/key-source.js';
import type { DecryptFlags } from '../../services/jwe.js';
import type { LoadedKey } from '../../core/keys/load.js';
import { decrypting } from '../decrypt-options.js';

/** With a JWE's decryption key (DecryptFlags), the nested JWT inside is what is verified. */
export interface VerifyOptions extends PolicyFlags, VerifyKeyFlags, Omit<DecryptFlags, 'kid'> {
  token?: string;
  /** RFC 9449: a DPoP proof that goes with the token, checked for the request --htm/--htu names. */
  dpopProof?: string;
  htm?: string;
  htu?: string;
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
/** The policy, with the issuer the key source vouched for, and the keys: resolved once per run. */
async function verifyContext(options: VerifyOptions, deps: Deps, globals: GlobalOptions) {
  const explicitKey =
    options.key !== undefined ||
    options.jwks !== undefined ||
    options.issuer !== undefined ||
    options.roots !== undefined ||
    options.secretFile !== undefined ||
    Boolean(options.secretStdin);
  const resolved = await resolvePolicy(options, deps, globals, { explicitKey });
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
  const keys = await verificationKeys(options, deps, globals, resolved.profile, basePolicy);
  const policy = keys.issuer && !basePolicy.issuer ? { ...basePolicy, issuer: [keys.issuer] } : basePolicy;
  return { source: resolved.source, policy, keys };
}

/** The token lines (one token, or stdin's lines), or one empty line when there are none (so the result says why). */
async function* tokenLines(token: string | undefined, io: Deps['io'], bulk: boolean): AsyncGenerator<{ text: string; line: number | undefined }> {
  let count = 0;
  for await (const { text, line } of readTokens(token, io)) {
    count++;
    yield { text, line: bulk ? line : undefined };
  }
  if (count === 0) yield { text: '', line: undefined };
}

/** A JWE opened with the decryption key: the signed JWT nested in it, or the finding that says why there is none. */
async function nestedToken(given: string, jwe: typeof import('../../services/jwe.js'), key: LoadedKey): Promise<{ text: string } | { early: Finding }> {
  try {
    const opened = await jwe.openJwe(given, key);
    if ('claims' in opened)
      return { early: { code: 'invalid_token', severity: 'error', message: 'the JWE holds claims, not a signed JWT: nothing to verify' } };
    return { text: opened.token };
  } catch (error) {
    if (!(error instanceof CheckFailedError)) throw error;
    return { early: { code: 'invalid_token', severity: 'error', message: error.message } };
  }
}

/** The DPoP proof that goes with the token (RFC 9449 §4.3, §7.1): for this request, this token (ath) and the key it is bound to (cnf.jkt). */
async function proofFindings(proof: string, request: { htm?: string; htu: string }, token: JwsToken, now: number): Promise<Finding[]> {
  const cnf = token.payload.cnf;
  const jkt = isJsonObject(cnf) && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
  if (jkt === undefined)
    return [{ code: 'invalid_token', severity: 'error', claim: 'cnf', message: 'the token is not DPoP-bound (no cnf.jkt), so no proof goes with it' }];
  const { judgeProof } = await import('../../core/oauth/dpop.js');
  const verdict = await judgeProof(normalizeTokenInput(proof), { htm: request.htm ?? 'GET', htu: request.htu, now, accessToken: token.compact, jkt });
  return verdict.findings.map((f) => ({ ...f, claim: `dpop.${f.claim ?? 'proof'}`, message: `DPoP proof: ${f.message}` }));
}

export async function runVerify(options: VerifyOptions, deps: Deps, globals: GlobalOptions): Promise<StreamResult> {
  const bulk = options.token === undefined || options.token === '-';
  if (options.dpopProof !== undefined && bulk)
    throw new UsageError('conflicting_options', 'a DPoP proof goes with one token', 'give the token as an argument with --dpop-proof');
  if (options.dpopProof !== undefined && options.htu === undefined)
    throw new UsageError('missing_argument', '--dpop-proof needs the request it was made for', 'add --htu URL (and --htm METHOD; default GET)');
  if (options.htu !== undefined && !isHttpUrl(options.htu)) throw new UsageError('invalid_argument', `--htu ${options.htu}: an http(s) URL`);
  const { source, policy, keys } = await verifyContext(options, deps, globals);
  const seenJti = new Set<string>();
  const jwe = decrypting(options, options.token) ? await import('../../services/jwe.js') : undefined;
  const decryptKey = jwe ? await jwe.decryptionKey({ ...options, kid: undefined }, deps, globals) : undefined;
  const failed = (line: number | undefined, text: string, early: Finding): Checked => ({ line, id: maskToken(normalizeTokenInput(text)), early });

  /** Parsing (a JWE opened first) and the signature: independent per token, so many run at once. In a batch, an unexpected failure is that line's result. */
  async function checkOne(given: string, line: number | undefined): Promise<Checked> {
    try {
      const nested = jwe && decryptKey ? await nestedToken(given, jwe, decryptKey) : { text: given };
      if ('early' in nested) return failed(line, given, nested.early);
      const parsed = parseForJudging(nested.text);
      if ('finding' in parsed) return failed(line, nested.text, parsed.finding);
      return { line, id: maskToken(parsed.token.compact), token: parsed.token, signature: await keys.check(parsed.token) };
    } catch (error) {
      if (!bulk || globals.debug) throw error;
      return failed(line, given, unexpectedFinding(error));
    }
  }

  /** The claims, in input order, so replay detection sees tokens in the order given. */
  let judged = 0;
  async function judge(checked: Checked): Promise<CommandResult> {
    const announce = judged++ === 0;
    const now = deps.now();
    const early = (finding: Finding) => result({ line: checked.line, policy: source, token: checked.id, valid: false, findings: [finding] }, now, announce);
    if (!checked.token) return early(checked.early!);
    const { header, payload } = checked.token;
    let findings: Finding[];
    try {
      findings = judgeClaims(checked.token, checked.signature, { ...policy, algorithms: keys.algorithms }, { now, seenJti }).findings;
    } catch (error) {
      if (!bulk || globals.debug) throw error;
      return early(unexpectedFinding(error));
    }
    if (!checked.signature && policy.requireJti && typeof payload.jti === 'string') seenJti.add(payload.jti);
    if (options.dpopProof !== undefined)
      findings = [...findings, ...(await proofFindings(options.dpopProof, { htm: options.htm, htu: options.htu! }, checked.token, now))];
    return result({ line: checked.line, policy: source, token: checked.id, valid: passes(findings, options.strict), findings, header, payload }, now, announce);
  }

  // Signature checks run on libuv's thread pool, VERIFY_WINDOW at once (io/ordered-pool.ts); the
  // claims are judged in input order as the checks come out, so replay detection sees that order.
  async function* results(): AsyncGenerator<CommandResult> {
    const checks = orderedPool(tokenLines(options.token, deps.io, bulk), ({ text, line }) => checkOne(text, line), {
      concurrency: VERIFY_WINDOW,
      held: VERIFY_HELD,
    });
    for await (const checked of checks) yield await judge(checked);
  }
  return { stream: results() };
}
