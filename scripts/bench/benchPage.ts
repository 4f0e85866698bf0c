// What the benchmark does in the page, each in a browser context of its
// own (a fresh, empty warehouse): a load from pressing "Load" to "Done",
// timed and watched (requests, bytes, memory per target, long tasks),
// and the wire floor, the same requests fetched and read to the end.
import type { Browser, Page } from '@playwright/test';

import { connect, pickResources, runQuery } from '../../e2e/pageSteps.ts';
import { MemoryProbe, type HeapSample } from '../../e2e/memoryProbe.ts';
import type { E2eTarget } from '../../e2e/env.ts';
import type { CrawlStrategy } from '../../src/pipeline/crawlPlan.ts';

/** The eight tables of the four levels: ID lists and details. */
export const LEVEL_RESOURCES = [
  'patients',
  'studies',
  'series',
  'instances',
  'patients_detail',
  'studies_detail',
  'series_detail',
  'instances_detail',
];

/** Memory is sampled this often while a load runs. */
const SAMPLE_INTERVAL_MS = 500;
const LOAD_TIMEOUT_MS = 60 * 60 * 1000;

export interface MemoryPeak {
  /** The highest sum over the page and its workers, heaps and buffers
   *  (DuckDB's WebAssembly memory among them). */
  totalBytes: number;
  /** Each target's highest heap + buffers, by name. */
  byTarget: Record<string, number>;
}

export interface LoadMeasure {
  seconds: number;
  requests: number;
  bytes: number;
  memory: MemoryPeak;
  /** The longest main-thread task while the load ran. */
  longestTaskMs: number;
}

export interface WireMeasure {
  seconds: number;
  requests: number;
  bytes: number;
}

// Long tasks are collected from the page's start; the load picks those
// that began after its button was pressed.
const LONG_TASKS = `
  window.__benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__benchLongTasks.push([entry.startTime, entry.duration]);
    }
  }).observe({ type: 'longtask', buffered: true });
`;

async function openPage(
  browser: Browser,
  target: E2eTarget,
  strategy?: CrawlStrategy,
): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (strategy) {
    await page.addInitScript(
      `window.__orthancWarehouseBench = ${JSON.stringify({ strategy })};`,
    );
  }
  await page.addInitScript(LONG_TASKS);
  await page.goto(target.baseUrl);
  return page;
}

function addPeak(peak: MemoryPeak, samples: HeapSample[]): void {
  let total = 0;
  for (const sample of samples) {
    const bytes = sample.usedBytes + sample.backingBytes;
    total += bytes;
    // DuckDB's worker is named after its hashed script file
    const name = /duckdb/i.test(sample.target) ? 'duckdb' : sample.target;
    peak.byTarget[name] = Math.max(peak.byTarget[name] ?? 0, bytes);
  }
  peak.totalBytes = Math.max(peak.totalBytes, total);
}

/** One load of the level resources with the given strategy. */
export async function measureLoad(
  browser: Browser,
  target: E2eTarget,
  strategy: CrawlStrategy,
): Promise<LoadMeasure> {
  const page = await openPage(browser, target, strategy);
  try {
    await connect(page, target);
    await pickResources(page, LEVEL_RESOURCES);
    const load = page.getByRole('button', { name: 'Load', exact: true });
    await load.waitFor();
    // the warehouse is open (its WebAssembly compiled), as it is when a
    // user presses Load a while after the page opened
    await page
      .getByText(/^(Saved in this browser|In memory: not saved)/)
      .waitFor();
    const probe = await MemoryProbe.attach(page);
    const memory: MemoryPeak = { totalBytes: 0, byTarget: {} };
    addPeak(memory, await probe.sample());

    const startedAt = await page.evaluate(() => performance.now());
    const started = performance.now();
    await load.click();
    const sampling = new AbortController();
    const sampler = (async () => {
      while (!sampling.signal.aborted) {
        addPeak(memory, await probe.sample().catch(() => []));
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
      }
    })();
    const status = page.getByRole('status', { name: 'Load status' });
    const done = status
      .filter({ hasText: /^Done/ })
      .waitFor({ timeout: LOAD_TIMEOUT_MS })
      .then(() => null);
    const failed = status
      .filter({ hasText: /failed|cancelled/i })
      .waitFor({ timeout: LOAD_TIMEOUT_MS })
      .then(() => status.textContent());
    // the one that loses the race fails when the page closes
    done.catch(() => undefined);
    failed.catch(() => undefined);
    const ended = await Promise.race([done, failed]);
    if (ended !== null) throw new Error(`The load ended: ${ended}`);
    const seconds = (performance.now() - started) / 1000;
    const endedAt = await page.evaluate(() => performance.now());
    sampling.abort();
    await sampler;
    addPeak(memory, await probe.sample());

    const tasks = await page.evaluate(
      () =>
        (globalThis as unknown as { __benchLongTasks: [number, number][] })
          .__benchLongTasks,
    );
    const during = tasks.filter(
      ([start, duration]) => start + duration >= startedAt && start <= endedAt,
    );
    const longestTaskMs = Math.max(0, ...during.map(([, d]) => d));

    const [row] = await runQuery(
      page,
      'SELECT requests, bytes FROM orthanc_history.loads ' +
        'ORDER BY started_at DESC LIMIT 1',
    );
    const [requests, bytes] = (row ?? []).map((cell) =>
      Number(cell.replace(/[^\d]/g, '')),
    );
    return {
      seconds,
      requests: requests ?? NaN,
      bytes: bytes ?? NaN,
      memory,
      longestTaskMs,
    };
  } finally {
    await page.context().close();
  }
}

/**
 * Fetches `paths` through the app's proxy from the page, `concurrency`
 * at a time, as the crawl sends them (same headers), and reads each
 * body to its end without decoding it.
 */
export async function measureWire(
  browser: Browser,
  target: E2eTarget,
  paths: string[],
  concurrency: number,
): Promise<WireMeasure> {
  const page = await openPage(browser, target);
  try {
    const authorization =
      'Basic ' +
      Buffer.from(`${target.orthancUser}:${target.orthancPassword}`).toString(
        'base64',
      );
    return await page.evaluate(
      async ({ paths, concurrency, authorization }) => {
        const started = performance.now();
        let next = 0;
        let bytes = 0;
        // no named functions in here: tsx would wrap them in a helper
        // that the page does not have
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            for (let i = next++; i < paths.length; i = next++) {
              const response = await fetch(`/proxy/orthanc${paths[i]}`, {
                headers: {
                  Accept: 'application/json',
                  Authorization: authorization,
                },
              });
              if (!response.ok) {
                throw new Error(`${paths[i]} answered ${response.status}`);
              }
              // read first: `bytes += await …` would add to a stale sum
              const body = await response.arrayBuffer();
              bytes += body.byteLength;
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        return { seconds, requests: paths.length, bytes };
      },
      { paths, concurrency, authorization },
    );
  } finally {
    await page.context().close();
  }
}
