// Loads in a row through the page, against an Orthanc of its own per
// version (this spec changes the server, which the other specs compare
// with): a second load of the same server keeps the schema as it was, and
// a load after the server gained a DICOM tag adds a column and keeps the
// type of every column it had.

import { expect, test, type Page } from '@playwright/test';

import { buildPart10, uidFor } from '../scripts/dicom.ts';
import {
  basicAuth,
  type OrthancServer,
  startOrthanc,
} from '../scripts/orthanc.ts';
import { seedOrthanc } from '../scripts/seed.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv, type E2eTarget } from './env';
import { connect, loadAll, runQuery } from './pageSteps';

const env = e2eEnv();

/** Every column of the dataset and its DuckDB type, as the page sees them. */
const columnsSql = `select table_name, column_name, data_type
  from duckdb_columns() where schema_name = 'orthanc_data'
  order by table_name, column_index`;

const bookkeepingSql = `select
  (select count(*) from orthanc_data._dlt_loads),
  (select count(*) from orthanc_data._dlt_version),
  (select count(distinct schema_version_hash) from orthanc_data._dlt_loads)`;

/** Presses "Load" once more and waits until that load is committed. */
async function loadAgain(page: Page, loads: number): Promise<void> {
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect
    .poll(async () => (await runQuery(page, bookkeepingSql))[0]?.[0], {
      timeout: 60_000,
    })
    .toBe(`${loads}`);
  await expect(page.getByRole('status', { name: 'Load status' })).toContainText(
    /done/i,
  );
}

/** An instance of a new patient with AcquisitionNumber, a main DICOM tag
 *  that none of the generated instances has. */
async function storeInstanceWithAcquisitionNumber(
  orthanc: OrthancServer,
): Promise<string> {
  const sopClass = '1.2.840.10008.5.1.4.1.1.2';
  const sop = uidFor('evolution/acquisition/i');
  const bytes = buildPart10(sopClass, sop, [
    { tag: 0x00080016, vr: 'UI', value: sopClass },
    { tag: 0x00080018, vr: 'UI', value: sop },
    { tag: 0x00100020, vr: 'LO', value: 'EVOLUTION-1' },
    { tag: 0x0020000d, vr: 'UI', value: uidFor('evolution/acquisition/s') },
    { tag: 0x0020000e, vr: 'UI', value: uidFor('evolution/acquisition/r') },
    { tag: 0x00200012, vr: 'IS', value: '7' },
  ]);
  const response = await fetch(`${orthanc.url}/instances`, {
    method: 'POST',
    headers: { Authorization: basicAuth(orthanc) },
    body: bytes,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ID: string }).ID;
}

for (const shared of env.targets) {
  test.describe(`Orthanc ${shared.orthancVersion}`, () => {
    let orthanc: OrthancServer;
    let app: RunningServer;
    let target: E2eTarget;
    let seeded: number;

    test.beforeAll(async () => {
      orthanc = await startOrthanc({ flavour: shared.flavour });
      const seed = await seedOrthanc(orthanc, {
        files: [],
        generated: 24,
        namespace: 'evolution',
      });
      seeded = seed.uploaded;
      app = await startServer({
        host: '127.0.0.1',
        port: 0,
        orthancUrl: orthanc.url,
        distDir: env.distDir,
      });
      target = {
        flavour: shared.flavour,
        baseUrl: app.url,
        orthancUrl: orthanc.url,
        orthancUser: orthanc.username,
        orthancPassword: orthanc.password,
        orthancVersion: orthanc.version,
      };
    });

    test.afterAll(async () => {
      await app.close();
      await orthanc.stop();
    });

    test('loads again with the same schema, and adds a column for a new tag', async ({
      page,
    }) => {
      test.setTimeout(180_000);
      await connect(page, target);
      await loadAll(page);
      const first = await runQuery(page, columnsSql);
      expect(first).toContainEqual(['instances_detail', 'file_size', 'BIGINT']);

      // The same server again: one more load, the same schema version.
      await loadAgain(page, 2);
      expect(await runQuery(page, bookkeepingSql)).toEqual([['2', '1', '1']]);
      expect(await runQuery(page, columnsSql)).toEqual(first);

      // The state, JSON text, keeps where the change log was read up to.
      expect(
        await runQuery(
          page,
          `select regexp_extract(state,
                    '"changes":\\{"incremental":\\{"Seq":\\{"last_value":(\\d+)', 1)
                    = (select max(seq) from orthanc_data.changes)::varchar
             from orthanc_data._dlt_pipeline_state
            order by version desc limit 1`,
        ),
      ).toEqual([['true']]);

      const id = await storeInstanceWithAcquisitionNumber(orthanc);
      await loadAgain(page, 3);
      expect(await runQuery(page, bookkeepingSql)).toEqual([['3', '2', '2']]);

      const after = await runQuery(page, columnsSql);
      expect(after).toEqual(expect.arrayContaining(first));
      // the raw column, and the typed view's pair for the IS tag
      expect(after.filter((column) => !containsRow(first, column))).toEqual([
        ['dicom_instance', 'acquisition_number', 'BIGINT'],
        ['dicom_instance', 'acquisition_number_raw', 'VARCHAR'],
        ['instances_detail', 'main_dicom_tags__acquisition_number', 'VARCHAR'],
      ]);
      expect(
        await runQuery(
          page,
          `select id, main_dicom_tags__acquisition_number
             from orthanc_data.instances_detail
            where main_dicom_tags__acquisition_number is not null`,
        ),
      ).toEqual([[id, '7']]);
      expect(
        await runQuery(
          page,
          'select count(*) from orthanc_data.instances_detail',
        ),
      ).toEqual([[`${seeded + 1}`]]);
    });
  });
}

function containsRow(rows: string[][], row: string[]): boolean {
  return rows.some((one) => one.join('\u0000') === row.join('\u0000'));
}
