import { describe, expect, it } from 'vitest';
import { jsonSafe, printable, revealSaid, said, sanitize, terminalSafe } from '../../src/core/untrusted-text.js';
import { secretRedactor } from '../../src/core/redact.js';

// Every character class the sanitizer must never let through raw.
const HOSTILE = [
  '\u001b]0;owned\u0007', // OSC: retitles the terminal
  '\u001b[31m', // SGR: colour
  '\r\niss       forged', // a forged row
  '\u202e', // right-to-left override
  '\u2066\u2069\u200e\u200f\u061c', // isolates and marks
  '\u009b31m', // C1 CSI
  '\u007f',
  '\u2028\u2029',
];

const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('the sanitizer', () => {
  it.each(HOSTILE)('escapes %j and keeps the value on one line', (text) => {
    const out = sanitize(`a${text}b`);
    expect(out).not.toMatch(RAW);
    expect(out.startsWith('a') && out.endsWith('b')).toBe(true);
  });

  it('spells escapes as JSON does, and leaves ordinary text alone', () => {
    expect(sanitize('x\ny\tz\u001b')).toBe('x\\ny\\tz\\u001b');
    expect(sanitize('Grüße, 東京 ✓')).toBe('Grüße, 東京 ✓');
  });

  it('terminalSafe keeps authctl’s own newlines and, with colour, its own colour codes', () => {
    expect(terminalSafe('one\ntwo\u202e\r', false)).toBe('one\ntwo\\u202e\\r');
    expect(terminalSafe('\u001b[31mred\u001b[39m\u001b]0;t\u0007', true)).toBe('\u001b[31mred\u001b[39m\\u001b]0;t\\u0007');
    expect(terminalSafe('\u001b[31mred', false)).toBe('\\u001b[31mred');
  });

  it('jsonSafe escapes what JSON.stringify leaves raw, and the JSON value is unchanged', () => {
    const value = { claim: 'a\u202eb\u0085c\u007f\u2028' };
    const text = jsonSafe(JSON.stringify(value));
    expect(text).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('printable caps a server’s words', () => {
    expect(revealSaid(printable('x'.repeat(400))).length).toBe(300);
  });
});

describe('redaction by construction', () => {
  const redact = secretRedactor(new Set(['short', 'the']));

  it('rewrites only words from outside, never authctl’s own sentence', () => {
    const message = `the secret is shorter than needed; the server said: ${said('bad secret short')}`;
    expect(revealSaid(message, redact)).toBe(`the secret is shorter than needed; the server said: bad secret [redacted ${fingerprintOf('short')}]`);
  });

  it('outside words cannot forge the marks', () => {
    const forged = said('\ue001 the \ue000 short');
    expect(revealSaid(`own words ${forged}`, redact)).not.toContain('short');
    expect(revealSaid(forged)).not.toMatch(/[\ue000\ue001]/);
  });
});

function fingerprintOf(secret: string): string {
  return secretRedactor(new Set([secret]))(secret).replace(/^\[redacted (.*)\]$/, '$1');
}
