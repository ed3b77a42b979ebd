import type { Deps, GlobalOptions } from '../../deps.js';
import { CheckFailedError } from '../../errors.js';
import { inspectToken, unexpectedFinding, type TokenReport } from '../../core/jwt/inspect.js';
import { maskToken } from '../../core/redact.js';
import { decodeJwtUnverified, normalizeTokenInput } from '../../core/jwt/parse.js';
import { readTokens } from '../../io/token-input.js';
import { renderFindings, type CommandResult, type StreamResult } from '../../io/output.js';
import { resolvePolicy } from '../../services/policy.js';
import type { PolicyFlags } from '../policy-options.js';
import { decrypting } from '../decrypt-options.js';
import type { DecryptFlags } from '../../services/jwe.js';

/** With a JWE's decryption key (DecryptFlags), the nested JWT inside is what is linted. */
export interface LintOptions extends PolicyFlags, DecryptFlags {
  token?: string;
}

/** `policy` names the policy applied (in every JSON result); `announce` says it in text too. */
function lintResult(report: TokenReport, line: number | undefined, raw: string, policy: string, announce: boolean): CommandResult {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const tokenId = maskToken(normalizeTokenInput(raw));
  return {
    json: { ...(line !== undefined ? { line } : {}), token: tokenId, valid: report.valid, findings: report.findings, policy },
    exitCode: report.valid ? 0 : 1,
    text: (style) => {
      const where = line !== undefined ? `line ${line}: ` : '';
      const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      const head = report.valid ? style.green(`✔ ${where}passes (${summary})`) : style.red(`✖ ${where}fails (${summary})`);
      const body = report.findings.length ? `${head}\n${renderFindings(report.findings, style)}` : head;
      return announce ? `${body}\n${style.dim(`  policy: ${policy}`)}` : body;
    },
  };
}

/**
 * Checks one token, or every line of stdin, against the policy. Bulk input is streamed: one
 * result per line as it is checked, in the same process.
 */
export async function runLint(options: LintOptions, deps: Deps, globals: GlobalOptions): Promise<StreamResult> {
  const bulk = options.token === undefined || options.token === '-';
  // One token: the profile its iss names may judge it (services/policy.ts implicitProfile).
  const iss = bulk ? undefined : decodeJwtUnverified(normalizeTokenInput(options.token!))?.iss;
  const { policy, source } = await resolvePolicy(options, deps, globals, { tokenIssuer: typeof iss === 'string' ? iss : undefined });
  const jwe = decrypting(options, options.token) ? await import('../../services/jwe.js') : undefined;
  const decryptKey = jwe ? await jwe.decryptionKey(options, deps, globals) : undefined;
  /** The token to lint: as given, or (with --decrypt-key) the signed JWT a JWE holds. */
  async function opened(text: string): Promise<string | TokenReport> {
    if (!jwe || !decryptKey) return text;
    try {
      const inside = await jwe.openJwe(text, decryptKey);
      if ('token' in inside) return inside.token;
      return {
        findings: [{ code: 'invalid_token', severity: 'error', message: 'the JWE holds claims, not a signed JWT: see them with decode --decrypt-key' }],
        valid: false,
      };
    } catch (error) {
      if (!(error instanceof CheckFailedError)) throw error;
      return { findings: [{ code: 'invalid_token', severity: 'error', message: error.message }], valid: false };
    }
  }
  async function* results(): AsyncGenerator<CommandResult> {
    let count = 0;
    for await (const { line, text } of readTokens(options.token, deps.io)) {
      count++;
      let report: TokenReport;
      try {
        const token = await opened(text);
        report = typeof token === 'string' ? inspectToken(token, policy, { now: deps.now(), strict: options.strict }) : token;
      } catch (error) {
        if (!bulk || globals.debug) throw error;
        report = { findings: [unexpectedFinding(error)], valid: false };
      }
      // The policy's name is said once: on the only result, or the first of a batch.
      yield lintResult(report, bulk ? line : undefined, text, source, count === 1);
    }
    if (count === 0) yield lintResult(inspectToken('', policy, { now: deps.now() }), undefined, '', source, true);
  }
  return { stream: results() };
}
