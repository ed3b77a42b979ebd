import { createHash } from 'node:crypto';
import { maskSecret, maskToken } from '../redact.js';
import type { Finding } from '../claims/types.js';
import { detect } from './rules.js';
import { SEVERITIES, type RuleId, type ScanSeverity } from './catalog.js';

/** One reported secret. The secret itself is not in here: only its mask and fingerprint. */
export interface ScanFinding {
  path: string;
  line: number;
  column: number;
  rule: RuleId;
  severity: ScanSeverity;
  message: string;
  /** How the value is shown: a token's first characters and a hash prefix, a secret's hash only. */
  masked: string;
  /** Stable across edits elsewhere in the file and across commits: hash of rule, path and secret. */
  fingerprint: string;
  /** Hash of rule and secret only: what a baseline accepts, so a rename or a move keeps it accepted. */
  secretFingerprint: string;
  claims?: Finding[];
  /** For `scan --history`: the commit that added the secret (full id) and its author date. */
  commit?: string;
  date?: string;
}

const CONFIG_LIKE =
  /(^|\/)(\.env(\..*)?|[^/]*\.env|[^/]*\.(json|jsonc|ya?ml|toml|ini|cfg|conf|properties|tfvars|xml|npmrc|netrc|sh|bash|zsh)|\.?npmrc|\.netrc|credentials|docker-compose[^/]*)$/i;

const ALLOW = 'authctl:allow';

function isConfigLike(path: string): boolean {
  return CONFIG_LIKE.test(path);
}

export function scanFingerprint(rule: RuleId, path: string, secret: string): string {
  return createHash('sha256').update(`${rule}\0${path}\0${secret}`).digest('hex').slice(0, 32);
}

/** The secret's own fingerprint (rule and value, no path), for baselines. */
export function secretFingerprint(rule: RuleId, secret: string): string {
  return createHash('sha256').update(`${rule}\0${secret}`).digest('hex').slice(0, 32);
}

export function severityAtLeast(severity: ScanSeverity, threshold: ScanSeverity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/**
 * Scans one file's text: every detector, positions as 1-based line and column, and the
 * `authctl:allow` comment on the same line or the line above honoured.
 *
 * @example scanText('password = "k8#Qz!v2@Lm"\n', '.env', 1_800_000_000)[0].rule // 'password'
 */
export function scanText(text: string, path: string, now: number): ScanFinding[] {
  const hits = detect(text, { now, configLike: isConfigLike(path) });
  if (!hits.length) return [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (index: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // The lines that say authctl:allow, found once (a per-hit look at a 1 MB line would be quadratic).
  const allowed = new Set<number>();
  for (let i = text.indexOf(ALLOW); i !== -1; i = text.indexOf(ALLOW, i + ALLOW.length)) allowed.add(lineOf(i));
  const findings: ScanFinding[] = [];
  for (const hit of hits) {
    const line = lineOf(hit.index);
    if (allowed.has(line) || allowed.has(line - 1)) continue;
    findings.push({
      path,
      line: line + 1,
      column: hit.index - lineStarts[line]! + 1,
      rule: hit.rule,
      severity: hit.severity,
      message: hit.message,
      masked: hit.rule === 'jwt' || hit.rule === 'jwe' ? maskToken(hit.secret) : maskSecret(hit.secret),
      fingerprint: scanFingerprint(hit.rule, path, hit.secret),
      secretFingerprint: secretFingerprint(hit.rule, hit.secret),
      ...(hit.claims ? { claims: hit.claims } : {}),
    });
  }
  return findings;
}
