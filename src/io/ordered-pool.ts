/**
 * A bounded, ordered pool for a stream of independent jobs (bulk verify's signature checks):
 * up to `concurrency` jobs run at once, and a job that ends makes room for the next input at once,
 * whichever job it was; results come out in input order, with at most `held` of them waiting
 * behind a slow head, so a slow job holds back only the output, never the pool. While the next
 * input is slow to come (a log followed live), the results already done go out instead of
 * waiting for it. A job that fails fails the pool when its turn to come out arrives.
 *
 * @example for await (const size of orderedPool(lines, async (l) => l.length, { concurrency: 4, held: 16 })) …
 */
export async function* orderedPool<I, O>(
  source: AsyncIterable<I>,
  work: (item: I) => Promise<O>,
  options: { concurrency: number; held: number },
): AsyncGenerator<O> {
  const window: { result: Promise<O>; done: boolean }[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const changed = () => new Promise<undefined>((resolve) => (wake = () => resolve(undefined)));
  const start = (item: I) => {
    const entry = { result: work(item), done: false };
    const settle = () => {
      entry.done = true;
      inFlight--;
      wake?.();
    };
    entry.result.then(settle, settle);
    inFlight++;
    window.push(entry);
  };
  const items = source[Symbol.asyncIterator]();
  let next = items.next();
  for (;;) {
    while (window[0]?.done) yield await window.shift()!.result;
    if (inFlight >= options.concurrency || window.length >= options.held) {
      await changed();
      continue;
    }
    const arrived = await (inFlight ? Promise.race([next, changed()]) : next);
    if (!arrived) continue; // a job ended first: out go the results it completes
    if (arrived.done) break;
    next = items.next();
    start(arrived.value);
  }
  while (window.length) yield await window.shift()!.result;
}
