// The warehouse lives in the browser's private file system (OPFS): a load
// survives a reload, a second tab of the page is told that the first one
// holds it (and may work in memory), "Clear warehouse" deletes it after
// asking, and a saved warehouse whose files went missing, empty or bad is
// reported as lost rather than opened as a new, empty one (case C24).
// Playwright gives every test a fresh browser context, so OPFS and
// localStorage start empty in each.

import { expect, test, type Page } from '@playwright/test';

import { e2eEnv } from './env';
import { orthancJson, type Statistics } from './orthancApi';
import {
  copyAndRemove,
  readMarker,
  removeFile,
  restoreCopy,
  whileClosed,
  writeJunk,
} from './opfsSteps';
import { access, connect, loadAll, pickResources, runQuery } from './pageSteps';

const env = e2eEnv();
const orthanc = access(env);
function storage(page: Page) {
  return page.getByLabel('Warehouse storage status');
}

/** Rows of the four detail tables and of `_dlt_loads`, as the page says. */
async function detailCounts(page: Page): Promise<string[]> {
  const [row] = await runQuery(
    page,
    `select (select count(*) from orthanc_data.patients_detail),
            (select count(*) from orthanc_data.studies_detail),
            (select count(*) from orthanc_data.series_detail),
            (select count(*) from orthanc_data.instances_detail),
            (select count(*) from orthanc_data._dlt_loads)`,
  );
  return row ?? [];
}

async function tableCount(page: Page): Promise<number> {
  const [row] = await runQuery(
    page,
    `select count(*) from duckdb_tables()
     where schema_name = 'orthanc_data'`,
  );
  return Number(row?.[0]);
}

function expected(stats: Statistics): string[] {
  return [
    `${stats.CountPatients}`,
    `${stats.CountStudies}`,
    `${stats.CountSeries}`,
    `${stats.CountInstances}`,
    '1',
  ];
}

test('a load survives a reload and the page says it is saved', async ({
  page,
}) => {
  const stats = await orthancJson<Statistics>(orthanc, '/statistics');
  await connect(page, env);
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  await loadAll(page);
  await expect(storage(page)).toHaveText(
    /^Saved in this browser · [\d.]+ (kB|MB)$/,
  );
  expect(await detailCounts(page)).toEqual(expected(stats));
  const tables = await tableCount(page);
  expect(tables).toBeGreaterThan(10);

  await page.reload();
  await expect(storage(page)).toHaveText(
    /^Saved in this browser · [\d.]+ (kB|MB)$/,
  );
  await expect(
    page.getByRole('navigation', { name: 'Warehouse tables' }),
  ).toContainText(`${tables} tables in orthanc_data`);
  expect(await detailCounts(page)).toEqual(expected(stats));

  // A statement typed in the SQL view is saved as well.
  await runQuery(page, 'create table orthanc_data.notes as select 42 as n');
  await page.reload();
  expect(await runQuery(page, 'select n from orthanc_data.notes')).toEqual([
    ['42'],
  ]);
});

test('a second tab is told, and may work in memory', async ({
  page,
  context,
}) => {
  const stats = await orthancJson<Statistics>(orthanc, '/statistics');
  await connect(page, env);
  await loadAll(page);

  const second = await context.newPage();
  await connect(second, env);
  await expect(storage(second)).toHaveText(
    'The warehouse is open in another tab. Close it there, or work here ' +
      'in memory without saving.',
  );
  // Never an empty warehouse presented as one that loaded.
  const list = second.getByRole('navigation', { name: 'Warehouse tables' });
  await expect(list.getByRole('alert')).toContainText('another tab');
  await expect(list).not.toContainText('The warehouse is empty');
  await expect(list.getByRole('listitem')).toHaveCount(0);

  await second.getByRole('button', { name: 'Work here in memory' }).click();
  await expect(storage(second)).toHaveText(/^In memory: not saved\./);
  await expect(list).toContainText('The warehouse is empty');
  await pickResources(second, ['patients']);
  await loadAll(second);
  expect(
    await runQuery(second, 'select count(*) from orthanc_data.patients'),
  ).toEqual([[`${stats.CountPatients}`]]);

  // The first tab kept its warehouse, untouched by the second.
  expect(await detailCounts(page)).toEqual(expected(stats));

  // A third tab waits for the first one to close, then takes it over.
  const third = await context.newPage();
  await third.goto(env.baseUrl);
  await expect(storage(third)).toContainText('open in another tab');
  await page.close();
  // The browser frees the closed tab's lock a moment later; the user
  // presses Retry until it has.
  const retry = third.getByRole('button', { name: 'Retry' });
  await expect(async () => {
    if (await retry.isVisible()) await retry.click();
    await expect(storage(third)).toHaveText(/^Saved in this browser/, {
      timeout: 5_000,
    });
  }).toPass({ timeout: 30_000 });
  expect(await detailCounts(third)).toEqual(expected(stats));
});

test('Clear warehouse asks, then deletes the tables for good', async ({
  page,
}) => {
  await connect(page, env);
  const clear = page.getByRole('button', { name: 'Clear warehouse' });
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(clear).toBeDisabled();
  await expect(page.getByRole('status', { name: 'Load status' })).toContainText(
    /done/i,
    { timeout: 60_000 },
  );
  const tables = await tableCount(page);
  expect(tables).toBeGreaterThan(10);

  // Cancel keeps everything.
  await clear.click();
  const dialog = page.getByRole('dialog', { name: 'Clear the warehouse?' });
  await expect(dialog).toContainText('a reload stays empty');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await tableCount(page)).toBe(tables);

  await clear.click();
  await dialog.getByRole('button', { name: 'Delete all tables' }).click();
  await expect(dialog).toBeHidden();
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  await page.getByRole('tab', { name: 'Tables' }).click();
  const list = page.getByRole('navigation', { name: 'Warehouse tables' });
  await expect(list).toContainText('The warehouse is empty');
  await expect(page.getByRole('status', { name: 'Load status' })).toHaveText(
    'No load yet.',
  );
  expect(await tableCount(page)).toBe(0);
  expect(await readMarker(page)).toBeNull();

  await page.reload();
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  await expect(list).toContainText('The warehouse is empty');
  expect(await tableCount(page)).toBe(0);
});

test('a saved warehouse that comes back lost is reported (C24)', async ({
  page,
}) => {
  const stats = await orthancJson<Statistics>(orthanc, '/statistics');
  await connect(page, env);
  await loadAll(page);
  const marker = await readMarker(page);
  expect(JSON.parse(marker ?? 'null')).toMatchObject({
    tableCount: await tableCount(page),
  });

  // The files vanish while no tab holds them; the marker stays. A copy
  // of the database file is kept aside, to be put back below.
  await whileClosed(page, env.baseUrl, copyAndRemove);
  expect(await readMarker(page)).toBe(marker);

  const restoreFailed = async () => {
    await page.goto(env.baseUrl);
    await expect(storage(page)).toContainText(
      'The saved warehouse could not be restored',
    );
    await expect(storage(page)).toContainText('Clear warehouse');
    const list = page.getByRole('navigation', { name: 'Warehouse tables' });
    await expect(list.getByRole('alert')).toContainText(
      'could not be restored',
    );
    await expect(list).not.toContainText('The warehouse is empty');
    await expect(
      page.getByRole('button', { name: 'Clear warehouse' }),
    ).toBeEnabled();
  };
  await restoreFailed();
  await expect(storage(page)).toContainText('the browser gave back none');

  // A file that is there but is not a database.
  await whileClosed(page, env.baseUrl, writeJunk);
  await restoreFailed();
  await expect(storage(page)).toContainText('cannot be read');

  // The file as it was saved opens again, with every row.
  await whileClosed(page, env.baseUrl, restoreCopy);
  await page.goto(env.baseUrl);
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  expect(await detailCounts(page)).toEqual(expected(stats));

  // Clear ends the alarm: an empty warehouse that stays so.
  await whileClosed(page, env.baseUrl, removeFile);
  await restoreFailed();
  await page.getByRole('button', { name: 'Clear warehouse' }).click();
  await page.getByRole('button', { name: 'Delete all tables' }).click();
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  await page.reload();
  await expect(storage(page)).toHaveText(/^Saved in this browser/);
  await expect(
    page.getByRole('navigation', { name: 'Warehouse tables' }),
  ).toContainText('The warehouse is empty');
});
