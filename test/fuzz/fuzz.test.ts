import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../helpers/cli.js';

/**
 * The seeded fuzz run, bounded for CI: the same harness `npm run fuzz` runs for as long as you
 * like, in a plain node process (the CLI's stack size). Fixed seeds, so a run is repeatable.
 */
describe('fuzz: every hostile input gives a coded result', () => {
  it.each([20261125, 4242])(
    'seed %i: 4000 inputs over tokens, keys, configs, settings, policies, responses, DPoP proofs, JWEs, x5c certificates and scan text',
    (seed) => {
      const out = execFileSync(process.execPath, ['scripts/fuzz.mjs', '--count', '4000', '--seed', String(seed), '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const report = JSON.parse(out.trim().split('\n').at(-1)!) as { inputs: number; byTarget: Record<string, number>; failures: unknown[] };
      expect(report.inputs).toBe(4000);
      expect(Object.keys(report.byTarget)).toEqual([
        'token',
        'claims',
        'key',
        'config',
        'settings',
        'policy',
        'response',
        'paste',
        'link',
        'dpop',
        'jwe',
        'x5c',
        'scan',
      ]);
      expect(report.failures).toEqual([]);
    },
    120_000,
  );
});
