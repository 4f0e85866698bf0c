// Cancel and failure leave the warehouse as it was. A fault-injecting
// proxy between the app server and the real Orthanc holds back the
// instance pages, so that the load is still running when the user
// presses "Cancel", whatever the speed of the machine.

import { expect, test, type Page } from '@playwright/test';

import { startServer, type RunningServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { type FaultProxy, startFaultProxy } from './faultProxy';
import { runQuery } from './pageSteps';

const env = e2eEnv();
let proxy: FaultProxy;
let app: RunningServer;

test.beforeAll(async () => {
  proxy = await startFaultProxy(env.orthancUrl, [
    { path: /^\/instances\?expand/, delayMs: 2_000 },
  ]);
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
});

async function countRows(page: Page): Promise<string[]> {
  const [row] = await runQuery(
    page,
    `select (select count(*) from information_schema.tables
              where table_schema = 'orthanc_data'),
            (select count(*) from orthanc_data.patients_detail),
            (select count(*) from orthanc_data.instances_detail),
            (select count(*) from orthanc_data._dlt_loads)`,
  );
  return row ?? [];
}

test('a cancelled load leaves every table as it was', async ({ page }) => {
  await page.goto(app.url);
  await page.getByLabel('Username').fill(env.orthancUser);
  await page.getByLabel('Password').fill(env.orthancPassword);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
  const load = page.getByRole('button', { name: 'Load', exact: true });
  const status = page.getByRole('status', { name: 'Load status' });

  // A first load completes, slowly.
  await load.click();
  await expect(status).toContainText(/done/i, { timeout: 60_000 });
  const before = await countRows(page);
  expect(before[2]).not.toBe('0');
  expect(before[3]).toBe('1');

  // A second one is cancelled while the instance pages are held back,
  // after the other levels' pages have arrived.
  const sent = proxy.requests.length;
  await load.click();
  await expect
    .poll(() => proxy.requests.length - sent, { timeout: 20_000 })
    .toBeGreaterThan(3);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status).toContainText(/cancelled/i);
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

  expect(await countRows(page)).toEqual(before);
});
