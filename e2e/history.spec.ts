// The load history against a real Orthanc of its own, behind the fault
// proxy that counts requests: a first load, then the server changes (new
// instances, a deleted series) and a sync, then a load cancelled while
// the proxy holds back its instance pages. The History tab must list the
// three, newest first, with numbers equal to what SQL counts in the
// dataset and to what the proxy counted; the cancelled load leaves every
// table as it was; the history survives a reload and goes with "Clear
// warehouse".

import { expect, type Locator, type Page, test } from '@playwright/test';

import { generateInstances } from '../scripts/generateInstances.ts';
import {
  basicAuth,
  type OrthancServer,
  startOrthanc,
} from '../scripts/orthanc.ts';
import { seedOrthanc } from '../scripts/seed.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { formatBytes, formatCount } from '../src/ui/common/format.ts';
import { e2eEnv } from './env';
import { type FaultProxy, type FaultRule, startFaultProxy } from './faultProxy';
import { orthancJson } from './orthancApi';
import { pickResources, runQuery } from './pageSteps';

const env = e2eEnv();
const firstLoad = 40;
const added = 12;
const levels = ['patients', 'studies', 'series', 'instances'] as const;
const resources = [
  ...levels.map((level) => `${level}_detail`),
  ...levels,
  'changes',
];
/** dlt's own tables, which a load writes but does not stage. */
const bookkeeping = ['_dlt_loads', '_dlt_version', '_dlt_pipeline_state'];

let orthanc: OrthancServer;
let proxy: FaultProxy;
let app: RunningServer;
/** The proxy's rules; a rule pushed later applies from then on. */
const rules: FaultRule[] = [];

test.beforeAll(async () => {
  orthanc = await startOrthanc({ stableAge: 900 });
  const seeded = await seedOrthanc(orthanc, {
    files: [],
    generated: firstLoad,
    namespace: 'history',
  });
  expect(seeded.uploaded).toBe(firstLoad);
  proxy = await startFaultProxy(orthanc.url, rules);
  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: proxy.url,
    distDir: env.distDir,
  });
});

test.afterAll(async () => {
  await app.close();
  await proxy.close();
  await orthanc.stop();
});

async function send(method: string, path: string, body?: Uint8Array) {
  const response = await fetch(`${orthanc.url}${path}`, {
    method,
    headers: { Authorization: basicAuth(orthanc) },
    ...(body === undefined ? {} : { body }),
  });
  expect(response.ok, `${method} ${path}`).toBe(true);
}

async function idsByLevel(): Promise<Map<string, string[]>> {
  const lists = await Promise.all(
    levels.map((level) => orthancJson<string[]>(orthanc, `/${level}`)),
  );
  return new Map(levels.map((level, i) => [level, lists[i] ?? []]));
}

const status = (page: Page) =>
  page.getByRole('status', { name: 'Load status' });

/** Presses a button of the Load panel; the requests the proxy saw. */
async function run(page: Page, button: 'Load' | 'Sync'): Promise<number> {
  const before = proxy.log.length;
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(status(page)).toHaveText(/^Done/, { timeout: 30_000 });
  return proxy.log.length - before;
}

/** Rows per table of the dataset, bookkeeping aside. */
async function tableRows(page: Page): Promise<Map<string, number>> {
  const tables = await runQuery(
    page,
    `select table_name from duckdb_tables()
     where schema_name = 'orthanc_data' order by table_name`,
  );
  const names = tables
    .map(([name = '']) => name)
    .filter((name) => !bookkeeping.includes(name));
  const counts = await runQuery(
    page,
    names
      .map((name) => `select '${name}', count(*) from orthanc_data."${name}"`)
      .join(' union all '),
  );
  return new Map(counts.map(([name = '', n = '']) => [name, Number(n)]));
}

/** A load's rows of orthanc_history.load_tables: table → [a, c, r]. */
async function loadTables(page: Page, loadId: string) {
  const rows = await runQuery(
    page,
    `select table_name, rows_added, rows_changed, rows_removed
     from orthanc_history.load_tables where load_id = '${loadId}'
     order by table_name`,
  );
  return new Map(
    rows.map(([table = '', ...counts]) => [table, counts.map(Number)]),
  );
}

/** orthanc_history.loads, newest first, as SQL gives it. */
async function historyRows(page: Page) {
  const rows = await runQuery(
    page,
    `select load_id, kind, status, requests, bytes, retries, crawl_errors,
            duration_ms, coalesce(message, '')
     from orthanc_history.loads order by started_at desc`,
  );
  return rows.map(
    ([loadId = '', kind = '', state = '', ...numbers]) =>
      [loadId, kind, state, ...numbers] as const,
  );
}

/** The History tab's rows, cell texts without the toggle. */
async function shownHistory(page: Page): Promise<string[][]> {
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(historyTable(page)).toBeVisible();
  const rows = historyTable(page).locator('tbody > tr.history-load');
  const cells: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    cells.push((await rows.nth(i).locator('td').allTextContents()).slice(1));
  }
  return cells;
}

const historyTable = (page: Page): Locator =>
  page.getByRole('table', { name: 'Load history' });

/** The per-table breakdown shown when a load's row is opened. */
async function shownTables(page: Page, loadId: string) {
  await page.getByRole('tab', { name: 'History' }).click();
  const toggle = page.getByRole('button', { name: `Tables of load ${loadId}` });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') {
    await toggle.click();
  }
  const table = page.getByRole('table', { name: `Tables of load ${loadId}` });
  await expect(table).toBeVisible();
  const rows = await table.locator('tbody tr').all();
  const shown = new Map<string, number[]>();
  for (const row of rows) {
    const [name = '', ...counts] = await row.locator('td').allTextContents();
    shown.set(
      name,
      counts.map((n) => Number(n.replaceAll(',', ''))),
    );
  }
  return shown;
}

const sum = (counts: Map<string, number[]>, index: number) =>
  [...counts.values()].reduce((total, c) => total + (c[index] ?? 0), 0);

test('lists every load with the numbers SQL and the proxy count', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(app.url);
  await page.getByLabel('Username').fill(orthanc.username);
  await page.getByLabel('Password').fill(orthanc.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
  await pickResources(page, resources);

  // a first load: every row of every table is added
  const firstRequests = await run(page, 'Load');
  const afterLoad = await tableRows(page);
  const [first] = await historyRows(page);
  expect(first?.slice(1, 4)).toEqual(['load', 'completed', `${firstRequests}`]);
  const firstId = first?.[0] ?? '';
  const firstTables = await loadTables(page, firstId);
  expect([...firstTables.keys()]).toEqual([...afterLoad.keys()]);
  for (const [table, rows] of afterLoad) {
    expect(firstTables.get(table), table).toEqual([rows, 0, 0]);
  }
  expect(afterLoad.get('instances_detail')).toBe(firstLoad);

  // the server changes: new instances (new patients, and a study that
  // goes on), one series deleted
  const idsBefore = await idsByLevel();
  const instances = generateInstances(firstLoad + added, 'history');
  for (const instance of instances.slice(firstLoad)) {
    await send('POST', '/instances', instance.bytes);
  }
  const [deleted] = await orthancJson<string[]>(orthanc, '/series');
  await send('DELETE', `/series/${deleted ?? ''}`);
  const idsAfter = await idsByLevel();

  // the sync adds what appeared and removes what vanished, level by level
  const syncRequests = await run(page, 'Sync');
  const afterSync = await tableRows(page);
  const [sync] = await historyRows(page);
  expect(sync?.slice(1, 4)).toEqual(['sync', 'completed', `${syncRequests}`]);
  const syncId = sync?.[0] ?? '';
  const syncTables = await loadTables(page, syncId);
  for (const level of levels) {
    const before = idsBefore.get(level) ?? [];
    const after = idsAfter.get(level) ?? [];
    const appeared = after.filter((id) => !before.includes(id)).length;
    const vanished = before.filter((id) => !after.includes(id)).length;
    expect(appeared + vanished, level).toBeGreaterThan(0);
    for (const table of [`${level}_detail`, level]) {
      const [add, , remove] = syncTables.get(table) ?? [];
      expect([add, remove], table).toEqual([appeared, vanished]);
    }
  }
  // a root table holds what it held, plus what came, less what went
  for (const [table, [add = 0, , remove = 0] = []] of syncTables) {
    if (table.includes('__')) continue;
    expect(afterSync.get(table), table).toBe(
      (afterLoad.get(table) ?? 0) + add - remove,
    );
  }

  // a load cancelled while its instance pages are held back
  rules.push({ path: /^\/instances\?expand/, delayMs: 5_000 });
  const sent = proxy.log.length;
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect
    .poll(() => proxy.log.filter((e) => e.outcome === 'delayed').length)
    .toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText(/^Cancelled/);
  const cancelledRequests = proxy.log.length - sent;
  expect(await tableRows(page)).toEqual(afterSync);

  // the History tab: three loads, newest first, as SQL has them
  const recorded = await historyRows(page);
  expect(recorded.map((row) => row.slice(1, 4))).toEqual([
    ['load', 'cancelled', `${cancelledRequests}`],
    ['sync', 'completed', `${syncRequests}`],
    ['load', 'completed', `${firstRequests}`],
  ]);
  const cancelledId = recorded[0]?.[0] ?? '';
  expect(await loadTables(page, cancelledId)).toEqual(new Map());
  const shown = await shownHistory(page);
  const totals = [
    new Map<string, number[]>(),
    syncTables,
    firstTables,
  ] as const;
  expect(shown).toHaveLength(3);
  shown.forEach((cells, i) => {
    const sql = recorded[i];
    const tables = totals[i] ?? new Map<string, number[]>();
    const [loadId, kind, state, requests, bytes, retries, errors] = sql ?? [];
    expect(cells[0]).toBe(loadId);
    expect(cells[1]).toBe(kind);
    expect(cells[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(cells[4]).toBe(state);
    expect(cells[5]).toBe(formatCount(Number(requests)));
    expect(cells[6]).toBe(formatBytes(Number(bytes)));
    expect(cells[7]).toBe(formatCount(Number(retries)));
    expect(cells.slice(8, 11)).toEqual(
      [0, 1, 2].map((k) => formatCount(sum(tables, k))),
    );
    expect(cells[11]).toBe(formatCount(Number(errors)));
  });
  expect(Number(recorded[1]?.[4])).toBeGreaterThan(0);
  expect(await shownTables(page, syncId)).toEqual(syncTables);
  expect(await shownTables(page, firstId)).toEqual(firstTables);
  await page
    .getByRole('button', { name: `Tables of load ${cancelledId}` })
    .click();
  await expect(historyTable(page)).toContainText(
    'Nothing from this load was kept.',
  );

  // after a reload, the history is the same
  await page.reload();
  await expect(page.getByLabel('Warehouse storage status')).toHaveText(
    /^Saved in this browser/,
  );
  expect(await shownHistory(page)).toEqual(shown);
  expect(await historyRows(page)).toEqual(recorded);

  // "Clear warehouse" takes the history along
  await page.getByRole('button', { name: 'Clear warehouse' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clear the warehouse?' });
  await dialog.getByRole('button', { name: 'Delete all tables' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('No load yet.');
  expect(
    await runQuery(
      page,
      `select count(*) from duckdb_tables()
       where schema_name = 'orthanc_history'`,
    ),
  ).toEqual([['0']]);
});

test('records a failed load with its message, and nothing of its rows', async ({
  page,
}) => {
  // a proxy of its own, that starts refusing the password mid-load
  const refusing = await startFaultProxy(orthanc.url, []);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: refusing.url,
    distDir: env.distDir,
  });
  try {
    await page.goto(server.url);
    await page.getByLabel('Username').fill(orthanc.username);
    await page.getByLabel('Password').fill(orthanc.password);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
    await pickResources(page, resources);
    const sent = refusing.log.length;
    refusing.refuseCredentialsAfter(3);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(status(page)).toHaveText(/^Failed/);
    const reason = await page.getByRole('alert').textContent();
    expect(reason).toContain('Credentials rejected (401)');

    const [failed, ...others] = await historyRows(page);
    expect(others).toEqual([]);
    const [loadId = '', kind, state, requests] = failed ?? [];
    expect([kind, state, failed?.at(-1)]).toEqual(['load', 'failed', reason]);
    expect(Number(requests)).toBeGreaterThan(3);
    expect(Number(requests)).toBeLessThanOrEqual(refusing.log.length - sent);
    expect(await loadTables(page, loadId)).toEqual(new Map());
    const [cells] = await shownHistory(page);
    expect(cells?.[4]).toBe('failed');
    expect(cells?.[12]).toBe(reason);
  } finally {
    await server.close();
    await refusing.close();
  }
});
