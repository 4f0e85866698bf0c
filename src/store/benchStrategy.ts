// The benchmark (scripts/bench) compares our load with the naive
// pipeline on the same page and server. It asks for the naive strategy
// by setting `window.__orthancWarehouseBench` before the page loads; the
// page has no control for it, and a URL cannot set it.

import type { CrawlStrategy } from '../pipeline/crawlPlan';

interface BenchSettings {
  strategy?: unknown;
}

/** The strategy the benchmark set for the next loads, if any. */
export function benchStrategy(): CrawlStrategy | undefined {
  const settings = (globalThis as { __orthancWarehouseBench?: BenchSettings })
    .__orthancWarehouseBench;
  const strategy = settings?.strategy;
  return strategy === 'naive' || strategy === 'paged' ? strategy : undefined;
}
