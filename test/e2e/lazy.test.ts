import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { executed } from '../helpers/coverage.js';

/** What one run of authctl executed (V8 coverage). */
function ranBy(args: string[]): { scripts: string[]; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'authctl-coverage-'));
  try {
    try {
      execFileSync(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_V8_COVERAGE: dir }, stdio: 'ignore' });
    } catch {
      // exit codes do not matter here, only what ran
    }
    return executed(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loads = (ran: { scripts: string[] }, ending: string) => ran.scripts.some((url) => url.endsWith(ending));
const runs = (ran: { modules: string[] }, prefix: string) => ran.modules.some((name) => name.startsWith(prefix));

describe('lazy loading', () => {
  const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.`;

  it('decode runs neither jose nor the TOML parser, and never loads the HTTP stack or the keychain binding', () => {
    const ran = ranBy(['decode', token]);
    expect(loads(ran, '/dist/main.cjs')).toBe(true);
    expect(runs(ran, 'src/core/jwt/parse.ts')).toBe(true);
    for (const library of ['node_modules/jose/', 'node_modules/smol-toml/']) expect(runs(ran, library), library).toBe(false);
    expect(loads(ran, '/dist/undici.cjs')).toBe(false);
    expect(ran.scripts.some((url) => url.includes('keyring'))).toBe(false);
  });

  it('verify with a key file does run jose (the checks above and below can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'authctl-lazy-'));
    try {
      const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
      writeFileSync(join(dir, 'key.pem'), pem);
      expect(runs(ranBy(['verify', '--key', join(dir, 'key.pem'), token]), 'node_modules/jose/')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--version and --help run neither jose nor the TOML parser, and load neither the HTTP stack nor the keychain binding', () => {
    for (const args of [['--version'], ['--help'], ['token', '--help'], ['keygen', '--help']]) {
      const ran = ranBy(args);
      expect(loads(ran, '/dist/main.cjs'), args.join(' ')).toBe(true);
      // (commander 15 is an ES module, bundled into the top level: it has no initializer of its own to
      // count; the verify test above shows that a module that runs is seen)
      for (const library of ['node_modules/jose/', 'node_modules/smol-toml/']) expect(runs(ran, library), `${args.join(' ')} ran ${library}`).toBe(false);
      expect(loads(ran, '/dist/undici.cjs'), `${args.join(' ')} loaded undici`).toBe(false);
      expect(ran.scripts.some((url) => url.includes('keyring'))).toBe(false);
    }
  });

  it('the scan detectors run only for scan (the check can fail: scan itself runs them)', () => {
    expect(runs(ranBy(['decode', token]), 'src/core/scan/key-rules.ts')).toBe(false);
    expect(runs(ranBy(['scan', '-']), 'src/core/scan/key-rules.ts')).toBe(true);
  });

  it('verify with a remote JWKS does load the HTTP stack (the check above can fail)', () => {
    expect(loads(ranBy(['verify', '--jwks', 'http://127.0.0.1:9/jwks', '--timeout', '1s', token]), '/dist/undici.cjs')).toBe(true);
  });
});
