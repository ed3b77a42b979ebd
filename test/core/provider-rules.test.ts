import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { checksumValid } from '../../src/core/scan/provider-rules.js';
import { scanText } from '../../src/core/scan/scan.js';
import { severityAtLeast } from '../../src/core/scan/scan.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (length: number) => Array.from(randomBytes(length), (b) => BASE62[b % 62]).join('');
/** A token in GitHub's and npm's format, with a correct checksum (or a wrong one). */
function checksummed(prefix: string, good = true): string {
  const random = base62(30);
  let sum = crc32(Buffer.from(random)) + (good ? 0 : 1);
  let encoded = '';
  for (let i = 0; i < 6; i++) {
    encoded = BASE62[sum % 62] + encoded;
    sum = Math.floor(sum / 62);
  }
  return `${prefix}${random}${encoded}`;
}
const found = (text: string, path = 'leak.txt') => scanText(text, path, 1_800_000_000).map((f) => [f.rule, f.severity]);

describe('provider rules: each provider on its fixture', () => {
  const cases: [string, string, string, string][] = [
    ['GitHub classic token', `token: ${checksummed('ghp_')}`, 'github-token', 'critical'],
    ['GitHub app token', `GH=${checksummed('ghs_')}`, 'github-token', 'critical'],
    ['GitHub fine-grained token', `github_pat_${base62(22)}_${base62(59)}`, 'github-token', 'critical'],
    ['npm token in .npmrc', `//registry.npmjs.org/:_authToken=${checksummed('npm_')}`, 'npm-token', 'critical'],
    ['GitLab token', `export GITLAB=glpat-${base62(20)}`, 'gitlab-token', 'critical'],
    ['Slack bot token', `SLACK_BOT=xoxb-1234567890-123456789012-${base62(24)}`, 'slack-token', 'critical'], // authctl:allow (a fixture)
    ['Slack webhook', `https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/${base62(24)}`, 'slack-webhook', 'high'],
    ['Stripe live key', `stripe.key = "sk_live_${base62(24)}"`, 'stripe-key', 'critical'],
    ['Stripe restricted key', `rk_live_${base62(24)}`, 'stripe-key', 'critical'],
    ['Stripe test key (low)', `sk_test_${base62(24)}`, 'stripe-key', 'low'],
    ['Google API key', `key=AIza${base62(35)}`, 'google-api-key', 'high'],
    ['PyPI token', `password = pypi-AgEIcHlwaS5vcmc${base62(60)}`, 'pypi-token', 'critical'],
    ['SendGrid key', `SG.${base62(22)}.${base62(43)}`, 'sendgrid-key', 'critical'],
    ['Twilio API key', `TWILIO_KEY=SK${randomBytes(16).toString('hex')}`, 'twilio-key', 'high'],
    [
      'Azure storage',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${randomBytes(64).toString('base64')};EndpointSuffix=core.windows.net`,
      'azure-storage-key',
      'critical',
    ],
  ];
  it.each(cases)('%s', (_name, text, rule, severity) => {
    expect(found(text, 'config.txt')).toContainEqual([rule, severity]);
    // and once: the generic assignment rule does not report the same value again
    expect(found(text, '.env').filter(([r]) => r === rule)).toHaveLength(1);
    expect(
      found(text, '.env')
        .map(([r]) => r)
        .filter((r) => r === 'secret-assignment' || r === 'password'),
    ).toEqual([]);
  });

  it('AWS: an access key id alone is high; with its secret access key next to it the secret is critical', () => {
    const id = `AKIA${Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}`;
    const secret = randomBytes(30).toString('base64');
    expect(found(`aws_access_key_id = ${id}`)).toEqual([['aws-access-key-id', 'high']]);
    expect(found(`[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`, 'credentials')).toEqual([
      ['aws-access-key-id', 'high'],
      ['aws-secret-key', 'critical'],
    ]);
    expect(found(`{"SecretAccessKey": "${secret}"}`, 'out.json')).toEqual([['aws-secret-key', 'high']]);
  });

  it('a GitHub or npm token whose checksum fails is reported low at most', () => {
    expect(checksumValid(checksummed('ghp_'))).toBe(true);
    expect(checksumValid(checksummed('ghp_', false))).toBe(false);
    expect(found(`t=${checksummed('ghp_', false)}`)).toEqual([['github-token', 'low']]);
    expect(found(`t=${checksummed('npm_', false)}`)).toEqual([['npm-token', 'low']]);
  });

  it('a token assembled in code (a prefix followed by an interpolation) is not a literal secret', () => {
    expect(found('const bot = `xoxb-1234567890-123456789012-${suffix}`;', 'make.js')).toEqual([]);
    expect(found("const bot = 'xoxb-1234567890-123456789012-' + suffix;", 'make.js')).toEqual([]);
  });

  it('documented examples are not reported at medium or above', () => {
    const examples = 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n';
    expect(scanText(examples, 'credentials', 0).filter((f) => severityAtLeast(f.severity, 'medium'))).toEqual([]);
    expect(found('see https://docs.stripe.com: sk_live_... and ghp_xxxx')).toEqual([]);
  });
});
