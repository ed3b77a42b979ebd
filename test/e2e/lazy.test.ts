import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/cli.js';

/** The bundle chunks that contain a given library's code. */
function chunksWith(marker: string): string[] {
  const dir = join(ROOT, 'dist', 'chunks');
  return readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes(marker));
}

function loadedBy(args: string[]): string[] {
  const trace = join(mkdtempSync(join(tmpdir(), 'authctl-trace-')), 'modules.txt');
  try {
    execFileSync(process.execPath, ['--import', join(ROOT, 'test/helpers/trace-loader.mjs'), BIN, ...args], {
      env: { ...process.env, AUTHCTL_TRACE_FILE: trace },
      stdio: 'ignore',
    });
  } catch {
    // exit codes do not matter here, only what was loaded
  }
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

describe('lazy loading', () => {
  const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.`;

  it('decode never loads the HTTP stack', () => {
    const undici = chunksWith('node_modules/undici/');
    expect(undici.length).toBeGreaterThan(0);
    const loaded = loadedBy(['decode', token]);
    expect(loaded.some((url) => url.includes('/dist/chunks/'))).toBe(true);
    for (const chunk of undici) expect(loaded.some((url) => url.endsWith(chunk))).toBe(false);
    expect(loaded.some((url) => url.includes('keyring'))).toBe(false);
  });

  it('--version and --help load neither jose, the TOML parser, the HTTP stack nor the keychain binding', () => {
    const heavy = ['node_modules/jose/', 'node_modules/smol-toml/', 'node_modules/undici/'].flatMap(chunksWith);
    expect(heavy.length).toBeGreaterThanOrEqual(3);
    for (const args of [['--version'], ['--help'], ['token', '--help'], ['keygen', '--help']]) {
      const loaded = loadedBy(args);
      expect(loaded.some((url) => url.endsWith('/dist/main.js'))).toBe(true);
      for (const chunk of heavy)
        expect(
          loaded.some((url) => url.endsWith(chunk)),
          `${args.join(' ')} loaded ${chunk}`,
        ).toBe(false);
      expect(loaded.some((url) => url.includes('keyring'))).toBe(false);
    }
    // the same check sees jose when a command needs it
    expect(chunksWith('node_modules/jose/').some((chunk) => loadedBy(['decode', token]).some((url) => url.endsWith(chunk)))).toBe(true);
  });

  it('the scan detectors load only for scan (the check can fail: scan itself loads them)', () => {
    const detectors = chunksWith('openssh-key-v1');
    expect(detectors.length).toBeGreaterThan(0);
    const loaded = (args: string[]) => detectors.some((chunk) => loadedBy(args).some((url) => url.endsWith(chunk)));
    expect(loaded(['decode', token])).toBe(false);
    expect(loaded(['scan', '-'])).toBe(true);
  });

  it('verify with a remote JWKS does load it (the check above can fail)', () => {
    const undici = chunksWith('node_modules/undici/');
    const loaded = loadedBy(['verify', '--jwks', 'http://127.0.0.1:9/jwks', '--timeout', '1s', token]);
    expect(undici.some((chunk) => loaded.some((url) => url.endsWith(chunk)))).toBe(true);
  });
});
