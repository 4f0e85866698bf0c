// Resources Orthanc may still be receiving (case C06): a private Orthanc
// with a StableAge long enough to hold, one batch of instances left to
// become stable and a second sent just before the load. The table view
// marks exactly the rows whose is_stable is false and says how many.

import { expect, test } from '@playwright/test';

import { startOrthanc, type OrthancServer } from '../scripts/orthanc.ts';
import { seedOrthanc } from '../scripts/seed.ts';
import { startServer, type RunningServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { orthancJson } from './orthancApi';
import { runQuery } from './pageSteps';

const env = e2eEnv();
const stableAge = 10;
let orthanc: OrthancServer;
let app: RunningServer;

test.beforeAll(async () => {
  orthanc = await startOrthanc({ stableAge });
  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: orthanc.url,
    distDir: env.distDir,
  });
});

test.afterAll(async () => {
  await app.close();
  await orthanc.stop();
});

interface Stability {
  IsStable: boolean;
}

test('rows Orthanc is still receiving are marked (C06)', async ({ page }) => {
  test.setTimeout(90_000);
  await seedOrthanc(orthanc, { files: [], generated: 9, namespace: 'old' });
  const settled = await orthancJson<string[]>(orthanc, '/series');
  await expect
    .poll(
      async () => {
        const all = await orthancJson<Stability[]>(orthanc, '/series?expand');
        return all.every((series) => series.IsStable);
      },
      { timeout: (stableAge + 20) * 1000, intervals: [1000] },
    )
    .toBe(true);
  await seedOrthanc(orthanc, { files: [], generated: 6, namespace: 'new' });
  const fresh = (await orthancJson<string[]>(orthanc, '/series')).filter(
    (id) => !settled.includes(id),
  );
  expect(fresh.length).toBeGreaterThan(0);

  await page.goto(app.url);
  await page.getByLabel('Username').fill(orthanc.username);
  await page.getByLabel('Password').fill(orthanc.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Load status' })).toContainText(
    /done/i,
  );

  // what the warehouse holds, read while the new series are unstable
  const unstable = await runQuery(
    page,
    `select id from orthanc_data.series_detail
      where not is_stable order by id`,
  );
  expect(unstable.map((row) => row[0])).toEqual([...fresh].sort());
  const total = settled.length + fresh.length;

  await page.getByRole('tab', { name: 'Tables' }).click();
  await page.getByRole('button', { name: /^series_detail\b/ }).click();
  const grid = page.getByRole('table', { name: 'Rows of series_detail' });
  await expect(grid.locator('tbody tr')).toHaveCount(total);
  await expect(page.getByRole('note')).toContainText(
    `${fresh.length} of ${total} rows are not stable yet`,
  );

  const headers = await grid.locator('thead .sort-button').allTextContents();
  const idColumn = headers.indexOf('id');
  const markedRows = grid.locator('tbody tr.row-unstable');
  const marked: string[] = [];
  for (let row = 0; row < (await markedRows.count()); row += 1) {
    marked.push(
      await markedRows.nth(row).locator('td').nth(idColumn).innerText(),
    );
  }
  expect(marked.sort()).toEqual([...fresh].sort());

  // a table without is_stable has no note
  await page.getByRole('button', { name: /^instances_detail\b/ }).click();
  await expect(
    page.getByRole('table', { name: 'Rows of instances_detail' }),
  ).toBeVisible();
  await expect(page.getByRole('note')).toHaveCount(0);
});
