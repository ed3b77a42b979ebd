import { crc32 } from 'node:zlib';
import type { Hit } from './rules.js';

/*
 * The secrets people actually leak beyond JOSE: cloud and SaaS credentials with a fixed prefix,
 * each a linear, anchored pattern. Where a format carries a checksum (GitHub's and npm's tokens
 * end in a base62 CRC32 of their random part), a failing one is reported low: likely made up.
 * Documented example values are not reported.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** GitHub's and npm's token format: prefix, 30 random base62 characters, then base62(CRC32(random)) in 6. */
export function checksumValid(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  if (body.length !== 36) return false;
  const random = body.slice(0, 30);
  let sum = 0;
  for (const c of body.slice(30)) {
    const digit = BASE62.indexOf(c);
    if (digit < 0) return false;
    sum = sum * 62 + digit;
  }
  return sum === crc32(Buffer.from(random, 'ascii'));
}

/** AWS's documented example credentials, in every AWS page and SDK README. */
const EXAMPLE = /EXAMPLE/;

interface Pattern {
  rule: Hit['rule'];
  re: RegExp;
  severity: Hit['severity'];
  message: string;
  /** The secret inside the match (default: all of it). */
  group?: number;
  check?: (secret: string) => Hit['severity'] | undefined;
}

const PATTERNS: readonly Pattern[] = [
  {
    rule: 'github-token',
    re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    severity: 'critical',
    message: 'GitHub token',
    check: (s) => (checksumValid(s) ? undefined : 'low'),
  },
  {
    rule: 'github-token',
    re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g,
    severity: 'critical',
    message: 'GitHub fine-grained personal access token',
  },
  {
    rule: 'npm-token',
    re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    severity: 'critical',
    message: 'npm access token',
    check: (s) => (checksumValid(s) ? undefined : 'low'),
  },
  { rule: 'gitlab-token', re: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/g, severity: 'critical', message: 'GitLab personal access token' },
  {
    rule: 'slack-token',
    re: /(?<![A-Za-z0-9-])xox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{7,99}[A-Za-z0-9](?![A-Za-z0-9-])/g,
    severity: 'critical',
    message: 'Slack token',
  },
  {
    rule: 'slack-webhook',
    re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}/g,
    severity: 'high',
    message: 'Slack incoming webhook URL',
  },
  { rule: 'stripe-key', re: /(?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{20,99}(?![A-Za-z0-9_])/g, severity: 'critical', message: 'Stripe live secret key' },
  { rule: 'stripe-key', re: /(?<![A-Za-z0-9_])[sr]k_test_[A-Za-z0-9]{20,99}(?![A-Za-z0-9_])/g, severity: 'low', message: 'Stripe test secret key' },
  { rule: 'google-api-key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, severity: 'high', message: 'Google API key' },
  {
    rule: 'pypi-token',
    re: /(?<![A-Za-z0-9_-])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}(?![A-Za-z0-9_-])/g,
    severity: 'critical',
    message: 'PyPI upload token',
  },
  {
    rule: 'sendgrid-key',
    re: /(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    severity: 'critical',
    message: 'SendGrid API key',
  },
  { rule: 'twilio-key', re: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/g, severity: 'high', message: 'Twilio API key' },
  {
    rule: 'azure-storage-key',
    re: /DefaultEndpointsProtocol=https?;AccountName=[A-Za-z0-9-]{3,24};AccountKey=([A-Za-z0-9+/]{86}==)/g,
    group: 1,
    severity: 'critical',
    message: 'Azure storage connection string with its account key',
  },
];

const AWS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z2-7])/g;
const AWS_SECRET = /(?:aws_?)?secret_?access_?key|SecretAccessKey/i;
const AWS_SECRET_VALUE =
  /(?:aws_?)?secret_?access_?key["']?\s{0,8}[:=]\s{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])|SecretAccessKey["']?\s{0,8}[:=]\s{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

/** AWS access key ids, and secret access keys assigned nearby (paired, critical) or alone (high). */
function awsHits(text: string): Hit[] {
  const hits: Hit[] = [];
  const ids = [...text.matchAll(AWS_KEY_ID)].filter((m) => !EXAMPLE.test(m[0]));
  for (const m of ids)
    hits.push({ rule: 'aws-access-key-id', severity: 'high', index: m.index, secret: m[0], message: `AWS access key id ${m[0].slice(0, 4)}…` });
  if (!AWS_SECRET.test(text)) return hits;
  for (const m of text.matchAll(AWS_SECRET_VALUE)) {
    const secret = m[1] ?? m[2]!;
    if (EXAMPLE.test(secret)) continue;
    const paired = ids.some((id) => Math.abs(id.index - m.index) < 1000);
    hits.push({
      rule: 'aws-secret-key',
      severity: paired ? 'critical' : 'high',
      index: m.index,
      secret,
      message: paired ? 'AWS secret access key, next to its access key id' : 'AWS secret access key',
    });
  }
  return hits;
}

/** A cheap test: none of the prefixes, none of the detectors. */
export const PROVIDER_PREFILTER =
  /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|npm_|glpat-|xox[baprs]-|hooks\.slack|[sr]k_(?:live|test)_|AIza|pypi-|SG\.|SK[0-9a-f]|AccountKey=|secret_?access_?key/i;

export function providerHits(text: string): Hit[] {
  const hits = awsHits(text);
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) {
      const secret = m[p.group ?? 0]!;
      const downgraded = p.check?.(secret);
      hits.push({
        rule: p.rule,
        severity: downgraded ?? p.severity,
        index: m.index,
        secret,
        message: downgraded ? `${p.message}, but its checksum does not match: likely made up` : p.message,
      });
    }
  }
  return hits;
}
