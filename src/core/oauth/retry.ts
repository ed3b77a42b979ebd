/**
 * When to try a request again. 429 and 503 honour Retry-After (seconds or an HTTP date);
 * connection failures back off exponentially; nothing else is retried (400 and 401 never:
 * the Gooclaim document forbids retrying 401 in a loop).
 */
export interface RetryPolicy {
  maxAttempts: number;
  /** Total time all waits together may take, in ms. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxWaitMs: 30_000 };

/** Retry-After as milliseconds from now, or undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), or undefined to stop: the
 * attempt budget is spent, the status is not retryable, or the wait would overrun the budget.
 */
export function nextDelay(
  outcome: { status?: number; retryAfter?: string | string[]; connectionFailed?: boolean },
  attempt: number,
  waitedMs: number,
  policy: RetryPolicy,
  nowMs: number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  let delay: number | undefined;
  if (outcome.connectionFailed) delay = 250 * 2 ** (attempt - 1);
  else if (outcome.status === 429 || outcome.status === 503) delay = retryAfterMs(outcome.retryAfter, nowMs) ?? 1000 * 2 ** (attempt - 1);
  if (delay === undefined || waitedMs + delay > policy.maxWaitMs) return undefined;
  return delay;
}
