import { describe, expect, it } from 'vitest';
import { WarehouseError } from './errors';
import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 8000 };

  it('doubles per attempt between half and all of the step', () => {
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(250);
    expect(backoffDelay(0, { ...options, random: () => 0.999 })).toBeCloseTo(
      499.75,
    );
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(2000);
  });

  it('never waits longer than the cap', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      expect(backoffDelay(attempt, options)).toBeLessThanOrEqual(8000);
    }
    expect(backoffDelay(30, { ...options, random: () => 0 })).toBe(4000);
  });
});

describe('sleep', () => {
  it('waits about the time asked', async () => {
    const start = performance.now();
    await sleep(30);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('ends early with a cancelled error when aborted', async () => {
    const controller = new AbortController();
    const start = performance.now();
    const waiting = sleep(10_000, controller.signal);
    setTimeout(() => {
      controller.abort();
    }, 10);
    const error: unknown = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).code).toBe('cancelled');
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
