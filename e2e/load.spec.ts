// The main path as a user walks it, against the real Orthanc that the
// global setup started and seeded: connect, load, compare the warehouse
// with what the server says, query, download Parquet and read it back
// with an independent reader.

import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test } from '@playwright/test';

import { freePort } from '../scripts/orthanc.ts';
import { startServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import {
  orthancJson,
  type PatientDetail,
  type SeriesDetail,
  type Statistics,
} from './orthancApi';

const env = e2eEnv();

function byFirstCell(a: string[], b: string[]): number {
  return (a[0] ?? '').localeCompare(b[0] ?? '');
}

for (const target of env.targets) {
  test.describe(`Orthanc ${target.orthancVersion}`, () => {
    const orthanc = access(target);

    test('loads the server and answers like its REST API', async ({ page }) => {
      const foreign: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        const own = url.origin === new URL(target.baseUrl).origin;
        if (!own && url.protocol !== 'blob:' && url.protocol !== 'data:') {
          foreign.push(request.url());
        }
      });
      const stats = await orthancJson<Statistics>(orthanc, '/statistics');

      await connect(page, target);
      const info = page.getByRole('region', { name: 'Server' });
      await expect(info).toContainText(target.orthancVersion);
      await expect(info).toContainText(`${stats.CountInstances}`);
      await loadAll(page);

      const counts = await runQuery(
        page,
        `select
           (select count(*) from orthanc_data.patients_detail),
           (select count(*) from orthanc_data.studies_detail),
           (select count(*) from orthanc_data.series_detail),
           (select count(*) from orthanc_data.instances_detail),
           (select count(distinct id) from orthanc_data.instances_detail),
           (select count(*) from orthanc_data.instances)`,
      );
      expect(counts).toEqual([
        [
          `${stats.CountPatients}`,
          `${stats.CountStudies}`,
          `${stats.CountSeries}`,
          `${stats.CountInstances}`,
          `${stats.CountInstances}`,
          `${stats.CountInstances}`,
        ],
      ]);

      // Studies per modality, first as the server itself tells it.
      const series = await orthancJson<SeriesDetail[]>(
        orthanc,
        '/series?expand',
      );
      const studiesByModality = new Map<string, Set<string>>();
      for (const one of series) {
        const modality = one.MainDicomTags.Modality ?? '';
        const studies = studiesByModality.get(modality) ?? new Set<string>();
        studies.add(one.ParentStudy);
        studiesByModality.set(modality, studies);
      }
      const expected = [...studiesByModality]
        .map(([modality, studies]) => [modality, `${studies.size}`])
        .sort(byFirstCell);
      expect(expected.length).toBeGreaterThan(2);

      const perModality = await runQuery(
        page,
        `select coalesce(main_dicom_tags__modality, '') as modality,
                count(distinct parent_study) as studies
           from orthanc_data.series_detail
          group by 1`,
      );
      expect(perModality.sort(byFirstCell)).toEqual(expected);

      expect(foreign).toEqual([]);
    });

    test('downloads a table as Parquet that another reader reads back', async ({
      page,
    }, testInfo) => {
      const patients = await orthancJson<PatientDetail[]>(
        orthanc,
        '/patients?expand',
      );
      const names = new Map(
        patients.map((p) => [p.ID, p.MainDicomTags.PatientName ?? null]),
      );
      const nonAscii = [...names.values()].filter(
        (name) => name !== null && /[^\p{ASCII}]/u.test(name),
      );
      expect(nonAscii.length).toBeGreaterThan(3);

      await connect(page, target);
      await loadAll(page);
      await page.getByRole('tab', { name: 'Tables' }).click();
      await page.getByRole('button', { name: /^patients_detail\b/ }).click();

      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download Parquet' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('patients_detail.parquet');
      const file = testInfo.outputPath('patients_detail.parquet');
      await download.saveAs(file);

      const db = await DuckDBInstance.create(':memory:');
      const connection = await db.connect();
      const reader = await connection.runAndReadAll(
        `select id, main_dicom_tags__patient_name
           from read_parquet('${file}')`,
      );
      const rows = reader.getRows() as [string, string | null][];
      connection.closeSync();
      expect(rows.length).toBe(patients.length);
      expect(new Map(rows)).toEqual(names);
    });

    test('pages and sorts a table in SQL, over all its rows', async ({
      page,
    }) => {
      const ids = (await orthancJson<string[]>(orthanc, '/instances')).sort();
      await connect(page, target);
      await loadAll(page);
      await page.getByRole('tab', { name: 'Tables' }).click();
      await page.getByRole('button', { name: /^instances_detail\b/ }).click();

      const grid = page.getByRole('table', {
        name: 'Rows of instances_detail',
      });
      const pages = Math.ceil(ids.length / 50);
      const pager = page.getByRole('navigation', { name: 'Pages' });
      await expect(pager).toContainText(`Page 1 of ${pages}`);
      await expect(pager).toContainText(`${ids.length} rows`);
      await expect(grid.locator('tbody tr')).toHaveCount(50);

      const headers = await grid
        .locator('thead .sort-button')
        .allTextContents();
      const idColumn = headers.indexOf('id');
      expect(idColumn).toBeGreaterThanOrEqual(0);
      const firstId = grid
        .locator('tbody tr')
        .first()
        .locator('td')
        .nth(idColumn);

      // Ascending, then descending: the ends of the whole table.
      await grid.getByTitle('Sort by id', { exact: true }).click();
      await expect(firstId).toHaveText(ids[0] ?? '');
      await grid.getByTitle('Sort by id', { exact: true }).click();
      await expect(firstId).toHaveText(ids.at(-1) ?? '');

      await page.getByRole('button', { name: 'Last page' }).click();
      await expect(pager).toContainText(`Page ${pages} of ${pages}`);
      await expect(grid.locator('tbody tr')).toHaveCount(
        ids.length - (pages - 1) * 50,
      );
      await expect(firstId).toHaveText(
        ids[ids.length - (pages - 1) * 50 - 1] ?? '',
      );
    });

    test('a wrong password says so and loads nothing', async ({ page }) => {
      await connect(page, target, 'not-the-password');
      await expect(page.getByRole('alert')).toContainText('401');
      await expect(page.getByRole('alert')).toContainText(/password/i);
      await expect(
        page.getByRole('button', { name: 'Load', exact: true }),
      ).toBeDisabled();
    });
  });
}

test('an unreachable server has a message of its own', async ({ page }) => {
  // The app's proxy points at a port where nothing listens: the page
  // shows the cause the proxy met, not CORS and not the password.
  const port = await freePort();
  const app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: `http://127.0.0.1:${port}`,
    distDir: env.distDir,
  });
  try {
    await page.goto(app.url);
    await page.getByLabel('Username').fill(env.orthancUser);
    await page.getByLabel('Password').fill(env.orthancPassword);
    await page.getByRole('button', { name: 'Test connection' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Nothing accepted the connection');
    await expect(alert).toContainText(`127.0.0.1:${port}`);
    await expect(alert).not.toContainText(/CORS|password|401/);
    await expect(
      page.getByRole('button', { name: 'Load', exact: true }),
    ).toBeDisabled();
  } finally {
    await app.close();
  }
});
