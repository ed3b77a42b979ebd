import { describe, expect, it } from 'vitest';
import { formatRelative, formatSpan, parseDuration } from '../../src/core/duration.js';

describe('durations', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['7d', 604800],
    [' 2w ', 1209600],
  ])('parseDuration(%j) = %d', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'h', '1.5h', '-1h', '1y', 'soon'])('parseDuration(%j) is undefined', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [30, '30 s'],
    [840, '14 min'],
    [3 * 3600, '3 h'],
    [3 * 86400, '3 d'],
  ])('formatSpan(%d) = %s', (s, text) => expect(formatSpan(s)).toBe(text));

  it('says in/ago relative to now', () => {
    expect(formatRelative(1840, 1000)).toBe('in 14 min');
    expect(formatRelative(1000 - 3 * 3600, 1000)).toBe('3 h ago');
  });
});
