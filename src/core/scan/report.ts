import { UsageError } from '../../errors.js';
import { RULES, type RuleId, type ScanSeverity } from './catalog.js';
import type { ScanFinding } from './scan.js';
import { parseJson } from '../json.js';

const SARIF_LEVEL: Record<ScanSeverity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
// GitHub code scanning ranks results by security-severity (0-10).
const SECURITY_SEVERITY: Record<ScanSeverity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: one run, a rule per detector, results with
 * a physical location and a partial fingerprint (so alerts follow the secret, not the line).
 */
export function toSarif(
  findings: readonly ScanFinding[],
  version: string,
  notScanned: readonly { path: string; reason: string }[] = [],
): Record<string, unknown> {
  const ruleIds = Object.keys(RULES) as RuleId[];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'authctl',
            semanticVersion: version,
            rules: ruleIds.map((id) => ({
              id,
              name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: RULES[id] },
              help: {
                text: `authctl scan found ${RULES[id]}. Remove it from the file, rotate it, and load it from a secret store instead. Suppress a false positive with an "authctl:allow" comment or a baseline.`,
              },
              properties: { tags: ['security', 'secrets'] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${RULES[f.rule]}: ${f.message} (${f.masked})` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path.split('/').map(encodeURIComponent).join('/') },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
          partialFingerprints: { 'authctlSecret/v1': f.fingerprint },
          properties: {
            severity: f.severity,
            'security-severity': SECURITY_SEVERITY[f.severity],
            ...(f.commit ? { commit: f.commit, commitDate: f.date } : {}),
          },
        })),
        columnKind: 'utf16CodeUnits',
        // Files that could not be scanned are said, not dropped (SARIF §3.20.21 notifications).
        invocations: [
          {
            executionSuccessful: notScanned.length === 0,
            toolExecutionNotifications: notScanned.map((f) => ({
              level: 'error',
              message: { text: `${f.path}: not scanned: ${f.reason}` },
              locations: [{ physicalLocation: { artifactLocation: { uri: f.path.split('/').map(encodeURIComponent).join('/') } } }],
            })),
          },
        ],
      },
    ],
  };
}

/** GitHub Actions workflow commands: an annotation per finding on the pull request diff. */
export function githubAnnotations(findings: readonly ScanFinding[]): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return findings
    .map(
      (f) =>
        `::${f.severity === 'low' ? 'notice' : f.severity === 'medium' ? 'warning' : 'error'} file=${prop(f.path)},line=${f.line},col=${f.column},title=${prop(`authctl ${f.rule}`)}::${escapeData(`${f.message} (${f.masked})`)}`,
    )
    .join('\n');
}

/**
 * Accepted findings. Version 2 keys each by rule and a fingerprint of the secret (not the path),
 * so renaming or moving a file, or finding the secret in history, keeps it accepted; version 1
 * files (rule, path and secret) still load.
 */
export interface Baseline {
  version: 2;
  fingerprints: { fingerprint: string; rule: string; path: string }[];
}

export function toBaseline(findings: readonly ScanFinding[]): Baseline {
  const unique = new Map(findings.map((f) => [f.secretFingerprint, { fingerprint: f.secretFingerprint, rule: f.rule, path: f.path }]));
  return { version: 2, fingerprints: [...unique.values()].sort((a, b) => a.path.localeCompare(b.path) || a.fingerprint.localeCompare(b.fingerprint)) };
}

/** Whether a baseline accepts a finding (by its secret, or, for version 1 files, by rule, path and secret). */
export function accepts(baseline: ReadonlySet<string>, finding: ScanFinding): boolean {
  return baseline.has(finding.secretFingerprint) || baseline.has(finding.fingerprint);
}

/** The fingerprints a baseline file accepts; a file that is not one is `baseline_invalid` (exit 2). */
export function parseBaseline(text: string, file: string): Set<string> {
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch {
    throw new UsageError('baseline_invalid', `${file}: not JSON`, 'write one with --write-baseline FILE');
  }
  const list = (doc as Baseline | null)?.fingerprints;
  const version = (doc as { version?: unknown } | null)?.version;
  if ((version !== 1 && version !== 2) || !Array.isArray(list) || !list.every((e) => typeof e?.fingerprint === 'string')) {
    throw new UsageError(
      'baseline_invalid',
      `${file}: not an authctl baseline (version 1 or 2 with a fingerprints list)`,
      'write one with --write-baseline FILE',
    );
  }
  return new Set(list.map((e) => e.fingerprint));
}
