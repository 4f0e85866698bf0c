// What the resilience spec does with a page, a fault proxy and the
// warehouse: start the proxy in front of Orthanc or of the app server,
// type the Advanced settings, load, count the rows and IDs of every level,
// and read the proxy's log for requests, retries and requests in flight.

import { expect, type Page } from '@playwright/test';

import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import {
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRule,
  type ProxyEvent,
  startFaultProxy,
} from './faultProxy';
import type { OrthancAccess, Statistics } from './orthancApi';
import { runQuery } from './pageSteps';

export interface Settings {
  concurrency: number;
  timeoutSeconds: number;
  retries: number;
}

export interface Stack {
  proxy: FaultProxy;
  /** Where the page is opened. */
  pageUrl: string;
  close(): Promise<void>;
}

function appServer(orthancUrl: string): Promise<RunningServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl,
    distDir: e2eEnv().distDir,
  });
}

/** A fault proxy in front of Orthanc, behind the app server: the faults
 *  of a server that goes down or refuses the credentials. */
export async function startBehind(
  orthancUrl: string,
  rules: FaultRule[] = [],
): Promise<Stack> {
  const proxy = await startFaultProxy(orthancUrl, rules);
  const app = await appServer(proxy.url);
  return {
    proxy,
    pageUrl: app.url,
    close: async () => {
      await app.close();
      await proxy.close();
    },
  };
}

/** A fault proxy in front of the app server, which the page is opened
 *  through: the browser's own connections meet the faults, and the proxy
 *  sees exactly the requests the page has in flight. */
export async function startInFront(
  orthancUrl: string,
  rules: FaultRule[] = [],
  options: FaultProxyOptions = {},
): Promise<Stack> {
  const app = await appServer(orthancUrl);
  const proxy = await startFaultProxy(app.url, rules, {
    ...options,
    scope: /^\/proxy\/orthanc\//,
  });
  return {
    proxy,
    pageUrl: proxy.url,
    close: async () => {
      await proxy.close();
      await app.close();
    },
  };
}

/** Opens the page, types the Advanced settings and tests the connection. */
export async function connect(
  page: Page,
  stack: Stack,
  access: OrthancAccess,
  settings: Settings,
): Promise<void> {
  await page.goto(stack.pageUrl);
  await page.getByLabel('Username').fill(access.username);
  await page.getByLabel('Password').fill(access.password);
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Concurrency').fill(String(settings.concurrency));
  await page
    .getByLabel('Request timeout (s)')
    .fill(String(settings.timeoutSeconds));
  await page.getByLabel('Retries').fill(String(settings.retries));
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
}

export const loadStatus = (page: Page) =>
  page.getByRole('status', { name: 'Load status' });

/** Presses "Load", waits for the outcome and returns the time it took. */
export async function load(
  page: Page,
  outcome: RegExp = /^Done/,
  timeout = 60_000,
): Promise<number> {
  const started = Date.now();
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(loadStatus(page)).toHaveText(outcome, { timeout });
  return Date.now() - started;
}

const LEVELS = ['patients', 'studies', 'series', 'instances'] as const;

/** Per table: rows and distinct IDs of the ID lists and detail tables,
 *  then the rows of _crawl_errors and _dlt_loads. */
export async function tableCounts(page: Page): Promise<string[][]> {
  const parts = LEVELS.flatMap((level) => [
    `select '${level}', count(*), count(distinct value)
       from orthanc_data.${level}`,
    `select '${level}_detail', count(*), count(distinct id)
       from orthanc_data.${level}_detail`,
  ]);
  parts.push(
    `select '_crawl_errors', count(*), 0 from orthanc_data._crawl_errors`,
    `select '_dlt_loads', count(*), 0 from orthanc_data._dlt_loads`,
  );
  return await runQuery(page, `${parts.join(' union all ')} order by 1`);
}

/** What tableCounts gives for a complete load of a server with these
 *  totals: every ID once, in the list and in the details. */
export function complete(stats: Statistics): string[][] {
  const totals: Record<(typeof LEVELS)[number], number> = {
    patients: stats.CountPatients,
    studies: stats.CountStudies,
    series: stats.CountSeries,
    instances: stats.CountInstances,
  };
  return withoutBookkeeping(
    LEVELS.flatMap((level) => [
      [level, `${totals[level]}`, `${totals[level]}`],
      [`${level}_detail`, `${totals[level]}`, `${totals[level]}`],
    ]),
  );
}

export function withoutBookkeeping(counts: string[][]): string[][] {
  return counts
    .filter(([table]) => !table?.startsWith('_'))
    .sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''));
}

/**
 * The most requests the page had in flight at once. A request past its
 * deadline no longer counts: the page has given up on it and moved on,
 * even if the closing of its connection reaches the proxy a little later.
 * The page starts the clock a few milliseconds before the proxy sees the
 * request, hence the margin.
 */
export function mostInFlight(log: ProxyEvent[], deadlineMs: number): number {
  const now = Date.now();
  const end = (event: ProxyEvent) =>
    Math.min(
      event.at + (event.durationMs ?? now - event.at),
      event.at + deadlineMs - 50,
    );
  return Math.max(
    0,
    ...log.map(
      (event) =>
        log.filter((other) => other.at <= event.at && event.at < end(other))
          .length,
    ),
  );
}

/** Requests, retries and faults as the proxy saw them. */
export function traffic(proxy: FaultProxy, from = 0) {
  const log = proxy.log.slice(from);
  const paths = new Map<string, number>();
  for (const event of log) {
    paths.set(event.path, (paths.get(event.path) ?? 0) + 1);
  }
  const outcomes: Record<string, number> = {};
  for (const event of log) {
    outcomes[event.outcome] = (outcomes[event.outcome] ?? 0) + 1;
  }
  return {
    requests: log.length,
    repeated: log.length - paths.size,
    paths,
    outcomes,
  };
}
