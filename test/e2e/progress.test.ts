import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from '../../src/io/progress.js';

function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

describe('scan progress on stderr', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('appears on a terminal only after about a second, redraws in place, and is cleared at the end', () => {
    const { stream, writes } = terminal(true);
    const progress = startProgress(stream, {}, 'scanning');
    progress.update({ files: 10, findings: 0 });
    vi.advanceTimersByTime(750);
    expect(writes).toEqual([]);
    progress.update({ files: 2000, findings: 3 });
    vi.advanceTimersByTime(500);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.at(-1)).toMatch(/^\r\x1b\[Kscanning: 2000 files, 3 findings, \d+ files\/s$/);
    progress.stop();
    expect(writes.at(-1)).toBe('\r\x1b[K');
    const count = writes.length;
    vi.advanceTimersByTime(5000);
    expect(writes.length).toBe(count);
  });

  it('a short run draws nothing and clears nothing', () => {
    const { stream, writes } = terminal(true);
    const progress = startProgress(stream, {}, 'scanning');
    vi.advanceTimersByTime(500);
    progress.stop();
    expect(writes).toEqual([]);
  });

  it('never in a pipe or in CI', () => {
    for (const [isTTY, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { CI: '1' }],
    ] as const) {
      const { stream, writes } = terminal(isTTY);
      const progress = startProgress(stream, env, 'scanning');
      progress.update({ files: 5, findings: 1 });
      vi.advanceTimersByTime(3000);
      progress.stop();
      expect(writes).toEqual([]);
    }
    const { stream, writes } = terminal(true);
    const progress = startProgress(stream, { CI: 'false' }, 'scanning');
    vi.advanceTimersByTime(1500);
    progress.stop();
    expect(writes.length).toBeGreaterThan(0);
  });
});
