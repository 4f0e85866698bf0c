// Sync against a real Orthanc of its own, behind the fault proxy that
// counts requests: a first load, then the server changes (new studies, a
// new instance for a patient already loaded, a deleted series, a metadata
// value), then Sync. Every table must then equal what a fresh load into a
// second, empty browser context gives, compared in SQL without `_dlt_id`
// and `_dlt_load_id`; and the sync's requests must follow the changes,
// far below the load's. A second server on the same port, with a new
// database, stands for a reset change log: Sync says so and loads.

import { expect, type Page, test } from '@playwright/test';

import { generateInstances } from '../scripts/generateInstances.ts';
import {
  basicAuth,
  hasFlavour,
  type OrthancFlavour,
  type OrthancServer,
  startOrthanc,
} from '../scripts/orthanc.ts';
import { seedOrthanc } from '../scripts/seed.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { type FaultProxy, startFaultProxy } from './faultProxy';
import { orthancJson } from './orthancApi';
import { pickResources, runQuery } from './pageSteps';
import { dataColumns, fingerprints } from './tableDigests';

const env = e2eEnv();
/** Long enough that nothing turns stable while the test runs. */
const stableAge = 900;
const firstLoad = 600;
const added = 30;
const resources = [
  'patients_detail',
  'studies_detail',
  'series_detail',
  'instances_detail',
  'patients',
  'studies',
  'series',
  'instances',
  'instances_tags',
  'modalities',
  'changes',
  'exports',
  'queries_answers',
  'tools_metrics_prometheus',
];
async function send(
  orthanc: OrthancServer,
  method: string,
  path: string,
  body?: Uint8Array | string,
) {
  const response = await fetch(`${orthanc.url}${path}`, {
    method,
    headers: { Authorization: basicAuth(orthanc) },
    ...(body === undefined ? {} : { body }),
  });
  expect(response.ok, `${method} ${path}`).toBe(true);
}

/** Every ID the server holds, all levels together. */
async function allIds(orthanc: OrthancServer): Promise<string[]> {
  const levels = ['patients', 'studies', 'series', 'instances'];
  const lists = await Promise.all(
    levels.map((level) => orthancJson<string[]>(orthanc, `/${level}`)),
  );
  return lists.flat();
}

async function open(
  page: Page,
  server: OrthancServer,
  pageUrl: string,
): Promise<void> {
  await page.goto(pageUrl);
  await page.getByLabel('Username').fill(server.username);
  await page.getByLabel('Password').fill(server.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
}

const status = (page: Page) =>
  page.getByRole('status', { name: 'Load status' });

/** Presses a button of the Load panel and waits for "Done". */
async function run(page: Page, button: 'Load' | 'Sync'): Promise<number> {
  const started = Date.now();
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(status(page)).toHaveText(/^(Done|Failed|Cancelled)/, {
    timeout: 120_000,
  });
  const failure = page.getByRole('alert');
  const why =
    (await failure.count()) > 0 ? await failure.allTextContents() : [];
  expect(await status(page).textContent(), why.join(' ')).toMatch(/^Done/);
  return Date.now() - started;
}

const flavours: OrthancFlavour[] = hasFlavour('1.12')
  ? ['1.10', '1.12']
  : ['1.10'];

for (const flavour of flavours)
  test.describe(`Sync, Orthanc ${flavour}`, () => {
    let orthanc: OrthancServer;
    let proxy: FaultProxy;
    let app: RunningServer;

    test.beforeAll(async () => {
      orthanc = await startOrthanc({ flavour, stableAge });
      const seeded = await seedOrthanc(orthanc, {
        files: [],
        generated: firstLoad,
        namespace: 'sync',
      });
      expect(seeded.uploaded).toBe(firstLoad);
      proxy = await startFaultProxy(orthanc.url, []);
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

    test('brings the warehouse where a fresh load would, at the cost of the changes', async ({
      page,
      browser,
    }) => {
      test.setTimeout(300_000);
      await open(page, orthanc, app.url);
      await pickResources(page, resources);
      const fullMs = await run(page, 'Load');
      const fullRequests = proxy.requests.length;

      const idsBefore = await allIds(orthanc);

      // the server changes: 30 more instances of the archive (the last
      // patient's study goes on, new patients come), one series deleted,
      // and a metadata value on a study
      const instances = generateInstances(firstLoad + added, 'sync');
      for (const instance of instances.slice(firstLoad)) {
        await send(orthanc, 'POST', '/instances', instance.bytes);
      }
      const series = await orthancJson<{ ID: string; ParentStudy: string }[]>(
        orthanc,
        '/series?expand',
      );
      const [deleted, marked] = series;
      if (deleted === undefined || marked === undefined) {
        throw new Error('too few series');
      }
      await send(orthanc, 'DELETE', `/series/${deleted.ID}`);
      await send(
        orthanc,
        'PUT',
        `/studies/${marked.ParentStudy}/metadata/1024`,
        'seen',
      );
      const idsAfter = await allIds(orthanc);
      const appeared = idsAfter.filter((id) => !idsBefore.includes(id));
      const vanished = idsBefore.filter((id) => !idsAfter.includes(id));
      expect(appeared.length).toBeGreaterThan(added);
      expect(vanished.length).toBeGreaterThan(1);
      // what changed, as resources: those that came, went, or were altered
      const changedResources = appeared.length + vanished.length + 1;

      // what the warehouse held before the sync, to see the sync change it
      const held = await fingerprints(page, await dataColumns(page));

      const before = proxy.requests.length;
      const syncMs = await run(page, 'Sync');
      const syncRequests = proxy.requests.slice(before);
      await expect(page.locator('.sync-report')).toContainText(
        /Sync after Seq [\d,]+ up to [\d,]+: [\d,]+ changes read, [\d,]+ resources fetched again, [\d,]+ deleted resources? removed/,
      );
      await expect(status(page)).toHaveText(
        'Done: the warehouse holds this sync.',
      );
      // the server's totals shown are those the sync read, not the
      // ones Test connection read before the changes
      const totals = await orthancJson<{ CountInstances: number }>(
        orthanc,
        '/statistics',
      );
      await expect(
        page
          .getByRole('region', { name: 'Server' })
          .locator('dl.counts > div')
          .filter({ hasText: 'Instances' })
          .locator('dd'),
      ).toHaveText(String(totals.CountInstances));

      // a fresh load into a browser context of its own
      const other = await browser.newContext();
      const fresh = await other.newPage();
      await open(fresh, orthanc, app.url);
      await pickResources(fresh, resources);
      await run(fresh, 'Load');
      const columns = await dataColumns(fresh);
      expect([...(await dataColumns(page)).keys()]).toEqual([
        ...columns.keys(),
      ]);
      expect(columns.has('instances_tags')).toBe(true);
      const synced = await fingerprints(page, columns);
      const loaded = await fingerprints(fresh, columns);
      expect(synced).toEqual(loaded);
      expect(synced.map(([table]) => table)).toEqual([...columns.keys()]);
      const changed = loaded
        .filter((row) => !held.some((old) => old.join() === row.join()))
        .map(([table]) => table);
      for (const table of [
        'changes',
        'instances',
        'instances_detail',
        'instances_tags',
        'patients_detail',
        'series',
        'series_detail',
        'studies_detail',
      ]) {
        expect(changed).toContain(table);
      }
      await other.close();

      // the cost: what changed, not the size of the server
      expect(syncRequests.length).toBeLessThan(3 * changedResources + 15);
      expect(syncRequests.length * 5).toBeLessThan(fullRequests);
      // no page of any level: what is new comes through its study or
      // series, and the tags only of the series that changed
      expect(
        syncRequests.filter((p) =>
          /^\/(patients|studies|series|instances)\?expand/.test(p),
        ),
      ).toEqual([]);
      const newSeries = (
        await orthancJson<string[]>(orthanc, '/series')
      ).filter((id) => appeared.includes(id));
      expect(
        syncRequests.filter((p) => p.endsWith('/instances-tags?full')).length,
      ).toBeLessThanOrEqual(newSeries.length + 1);
      console.log(
        `full load: ${fullRequests} requests, ${fullMs} ms; sync: ` +
          `${syncRequests.length} requests, ${syncMs} ms`,
      );
    });
  });

test.describe('Sync after a reset of the change log', () => {
  let first: OrthancServer;
  let second: OrthancServer | undefined;
  let resetProxy: FaultProxy;
  let resetApp: RunningServer;

  test.beforeAll(async () => {
    first = await startOrthanc({ stableAge });
    await seedOrthanc(first, { files: [], generated: 60, namespace: 'old' });
    resetProxy = await startFaultProxy(first.url, []);
    resetApp = await startServer({
      host: '127.0.0.1',
      port: 0,
      orthancUrl: resetProxy.url,
      distDir: env.distDir,
    });
  });

  test.afterAll(async () => {
    await resetApp.close();
    await resetProxy.close();
    await first.stop();
    await second?.stop();
  });

  test('falls back to a full load and says why', async ({ page }) => {
    test.setTimeout(180_000);
    await open(page, first, resetApp.url);
    await pickResources(page, ['patients_detail', 'instances', 'changes']);
    await run(page, 'Load');
    const oldIds = await orthancJson<string[]>(first, '/instances');

    // a new database behind the same address: a shorter change log
    await first.stop();
    second = await startOrthanc({
      stableAge,
      preferredPort: first.port,
      username: first.username,
      password: first.password,
    });
    expect(second.port).toBe(first.port);
    await seedOrthanc(second, { files: [], generated: 12, namespace: 'new' });
    const last = await orthancJson<{ Last: number }>(second, '/changes?last');
    const counts = await orthancJson<{
      CountPatients: number;
      CountInstances: number;
    }>(second, '/statistics');

    await run(page, 'Sync');
    await expect(page.locator('.sync-report')).toContainText(
      'The change log was reset',
    );
    await expect(page.locator('.load-summary')).toContainText(
      'A full load ran instead of a sync.',
    );
    const [row] = await runQuery(
      page,
      `select (select count(*) from orthanc_data.patients_detail),
              (select count(*) from orthanc_data.instances),
              (select count(*) from orthanc_data.instances
                where value in (${oldIds.map((id) => `'${id}'`).join(', ')})),
              (select count(*) - count(distinct seq) from orthanc_data.changes),
              (select max(seq) from orthanc_data.changes)`,
    );
    expect(row).toEqual([
      `${counts.CountPatients}`,
      `${counts.CountInstances}`,
      '0',
      '0',
      `${last.Last}`,
    ]);
  });
});
