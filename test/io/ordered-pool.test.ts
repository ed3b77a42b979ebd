import { describe, expect, it } from 'vitest';
import { orderedPool } from '../../src/io/ordered-pool.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('the ordered pool', () => {
  it('keeps input order whatever order the jobs end in, and never runs more than its concurrency', async () => {
    let running = 0;
    let most = 0;
    const work = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await pause((n * 7) % 5);
      running--;
      return n * 2;
    };
    const input = Array.from({ length: 60 }, (_, i) => i);
    expect(await collect(orderedPool(from(input), work, { concurrency: 4, held: 16 }))).toEqual(input.map((n) => n * 2));
    expect(most).toBe(4);
  });

  it('a slow head holds back the output, at most `held` results, never the pool', async () => {
    let release!: () => void;
    const head = new Promise<void>((resolve) => (release = resolve));
    const started: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      if (n === 0) await head;
      return n;
    };
    const pool = orderedPool(from(Array.from({ length: 100 }, (_, i) => i)), work, { concurrency: 4, held: 10 });
    const first = pool.next();
    await pause(20);
    // the head blocks; the jobs behind it ran, up to the held bound
    expect(started.length).toBe(10);
    release();
    expect((await first).value).toBe(0);
    expect(await collect(pool)).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
  });

  it('a failed job fails the pool when its turn comes, after the results before it', async () => {
    const out: number[] = [];
    const work = async (n: number) => {
      if (n === 3) throw new Error('job 3');
      return n;
    };
    await expect(
      (async () => {
        for await (const n of orderedPool(from([0, 1, 2, 3, 4]), work, { concurrency: 2, held: 4 })) out.push(n);
      })(),
    ).rejects.toThrow('job 3');
    expect(out).toEqual([0, 1, 2]);
  });

  it('a live stream: what is done goes out while the next input is slow to come', async () => {
    let more!: () => void;
    const gate = new Promise<void>((resolve) => (more = resolve));
    async function* live() {
      yield 1;
      yield 2;
      await gate; // a log followed live: nothing new for a while
      yield 3;
    }
    const pool = orderedPool(live(), async (n: number) => n * 10, { concurrency: 4, held: 8 });
    expect((await pool.next()).value).toBe(10);
    expect((await pool.next()).value).toBe(20);
    more();
    expect(await collect(pool)).toEqual([30]);
  });

  it('an empty source ends at once', async () => {
    expect(await collect(orderedPool(from([]), async (n: number) => n, { concurrency: 2, held: 2 }))).toEqual([]);
  });
});
