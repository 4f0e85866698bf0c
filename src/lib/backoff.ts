// Capped exponential backoff with jitter, and a sleep that a cancel can
// cut short. Jitter spreads the retries of parallel requests so that they
// do not hit a struggling server at the same instant.

import { WarehouseError } from './errors';

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** A number in [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8000 };

/**
 * The wait before retry number `attempt` (0 for the first): half of the
 * capped exponential step is fixed, the other half random, so a retry
 * never comes at once and never later than the cap.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  const random = options.random ?? Math.random;
  return step / 2 + (step / 2) * random();
}

/** The error a cancelled operation ends with. */
export function cancelledError(): WarehouseError {
  return new WarehouseError('cancelled', 'The load was cancelled.');
}

/** Waits `ms`; rejects with a `cancelled` error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
