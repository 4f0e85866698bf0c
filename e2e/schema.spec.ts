// The Schema tab after a real load: every table the warehouse holds, in a
// tree, with row counts that match the server; a table's columns and
// types; the keyboard; and the way to the table's rows.

import { expect, test, type Page } from '@playwright/test';

import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import { orthancJson, type Statistics } from './orthancApi';

const env = e2eEnv();
const grouped = new Intl.NumberFormat('en-US');

async function openSchema(page: Page) {
  await page.getByRole('tab', { name: 'Schema' }).click();
  const tree = page.getByRole('tree', { name: 'Tables in orthanc_data' });
  await expect(tree).toBeVisible();
  return tree;
}

function treeItem(page: Page, table: string) {
  return page
    .getByRole('tree', { name: 'Tables in orthanc_data' })
    .getByRole('treeitem', { name: new RegExp(`^${table} `) });
}

/** What the details of the selected table say for `term`. */
function fact(page: Page, term: string) {
  return page
    .locator('.schema-facts dt', { hasText: term })
    .locator('xpath=following-sibling::dd[1]');
}

/** The cells of the row of `column` in the columns table of `table`. */
async function columnRow(page: Page, table: string, column: string) {
  const columns = page.getByRole('table', { name: `Columns of ${table}` });
  const row = columns.getByRole('row').filter({
    has: page.locator('td:first-child', { hasText: new RegExp(`^${column}$`) }),
  });
  await expect(row).toHaveCount(1);
  return row.getByRole('cell').allTextContents();
}

for (const target of env.targets) {
  test.describe(`Orthanc ${target.orthancVersion}`, () => {
    const orthanc = access(target);

    test('the Schema tab lists every table with its row count', async ({
      page,
    }) => {
      const stats = await orthancJson<Statistics>(orthanc, '/statistics');
      await connect(page, target);
      await page.getByRole('tab', { name: 'Schema' }).click();
      await expect(page.getByText('The warehouse is empty.')).toBeVisible();

      await loadAll(page);
      const inSql = await runQuery(
        page,
        `select table_name from duckdb_tables()
          where schema_name = 'orthanc_data' order by 1`,
      );
      const tree = await openSchema(page);
      const listed = await tree
        .getByRole('treeitem')
        .locator('.table-name')
        .allTextContents();
      expect(listed.length).toBeGreaterThan(15);
      expect([...listed].sort()).toEqual(inSql.map((row) => row[0]).sort());

      await expect(treeItem(page, 'studies_detail')).toHaveAccessibleName(
        `studies_detail ${grouped.format(stats.CountStudies)} rows`,
      );
      await expect(treeItem(page, 'instances_detail')).toHaveAccessibleName(
        `instances_detail ${grouped.format(stats.CountInstances)} rows`,
      );
      const series = treeItem(page, 'studies_detail__series');
      await expect(series).toHaveAttribute('aria-level', '2');
      const system = tree.getByRole('group', { name: 'System tables' });
      await expect(
        system.getByRole('treeitem', { name: /^_dlt_loads / }),
      ).toBeVisible();
    });

    test('selecting studies_detail shows its columns; the keyboard walks the tree', async ({
      page,
    }) => {
      await connect(page, target);
      await loadAll(page);
      await openSchema(page);

      await treeItem(page, 'studies_detail').click();
      expect(
        (
          await columnRow(page, 'studies_detail', 'main_dicom_tags__study_date')
        ).slice(0, 2),
      ).toEqual(['main_dicom_tags__study_date', 'VARCHAR']);

      await page.keyboard.press('ArrowDown');
      const picked = page.locator('[role="treeitem"][aria-selected="true"]');
      await expect(picked).toHaveAccessibleName(/^studies_detail__/);
      await expect(picked).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      const studies = treeItem(page, 'studies_detail');
      await expect(studies).toHaveAttribute('aria-selected', 'true');
      await expect(studies).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      await expect(studies).toHaveAttribute('aria-expanded', 'false');
      await expect(treeItem(page, 'studies_detail__series')).toHaveCount(0);
      await page.keyboard.press('ArrowRight');
      await expect(treeItem(page, 'studies_detail__series')).toBeVisible();

      await treeItem(page, 'studies_detail__series').click();
      await expect(fact(page, 'Parent link')).toContainText(
        '_dlt_parent_id = studies_detail._dlt_id',
      );
      await page.getByRole('button', { name: 'Open in Tables' }).click();
      await expect(page.getByRole('tab', { name: 'Tables' })).toHaveAttribute(
        'aria-selected',
        'true',
      );
      await expect(
        page.getByRole('table', { name: 'Rows of studies_detail__series' }),
      ).toBeVisible();
    });

    test('lists a view apart, with its columns and types', async ({ page }) => {
      await connect(page, target);
      await loadAll(page);
      await runQuery(
        page,
        `create view orthanc_data.study_dates as
           select id, strptime(main_dicom_tags__study_date, '%Y%m%d')::date
             as study_date
             from orthanc_data.studies_detail`,
      );
      await openSchema(page);
      await expect(treeItem(page, 'study_dates')).toHaveCount(0);
      const views = page.getByRole('tree', { name: 'Views in orthanc_data' });
      await views.getByRole('treeitem', { name: /^study_dates / }).click();
      expect(await columnRow(page, 'study_dates', 'study_date')).toEqual([
        'study_date',
        'DATE',
      ]);
    });

    test('a stored schema names the keys of each column and marks renamed and variant columns', async ({
      page,
    }) => {
      await connect(page, target);
      await loadAll(page);
      // Two keys that snake_case alike and one that changed type, with
      // the schema a load records, written through the SQL tab.
      await runQuery(
        page,
        `create table orthanc_data.tag_samples as select
           'A' as patient_id, 'B' as patient_id_x7k2pq,
           42::bigint as patient_id__v_bigint, 'r1' as _dlt_id`,
      );
      const stored = {
        name: 'orthanc',
        version: 999,
        tables: [
          {
            name: 'tag_samples',
            disposition: 'merge',
            primaryKey: ['patient_id'],
            columns: [
              { name: 'patient_id', type: 'text', source: ['PatientID'] },
              {
                name: 'patient_id_x7k2pq',
                type: 'text',
                source: ['patient_id'],
              },
              {
                name: 'patient_id__v_bigint',
                type: 'bigint',
                source: ['PatientID'],
                variant: true,
              },
              { name: '_dlt_id', type: 'text' },
            ],
          },
        ],
      };
      await runQuery(
        page,
        `create table if not exists orthanc_data._dlt_version (
           version bigint, engine_version bigint,
           inserted_at timestamptz, schema_name varchar,
           version_hash varchar, schema varchar)`,
      );
      await runQuery(
        page,
        `insert into orthanc_data._dlt_version values
           (999, 1, now(), 'orthanc', 'e2e', '${JSON.stringify(stored)}')`,
      );

      await openSchema(page);
      await treeItem(page, 'tag_samples').click();
      await expect(fact(page, 'Write disposition')).toHaveText('merge');
      await expect(fact(page, 'Primary key')).toHaveText('patient_id');
      expect(await columnRow(page, 'tag_samples', 'patient_id')).toEqual([
        'patient_id',
        'VARCHAR',
        'PatientID',
        '',
      ]);
      expect(await columnRow(page, 'tag_samples', 'patient_id_x7k2pq')).toEqual(
        [
          'patient_id_x7k2pq',
          'VARCHAR',
          'patient_id',
          'renamed: patient_id was taken by PatientID',
        ],
      );
      expect(
        await columnRow(page, 'tag_samples', 'patient_id__v_bigint'),
      ).toEqual([
        'patient_id__v_bigint',
        'BIGINT',
        'PatientID',
        'variant: the BIGINT values, the others are in patient_id',
      ]);
    });

    test('after loads write _dlt_version: studies_detail shows the key path MainDicomTags › StudyDate', async ({
      page,
    }) => {
      await connect(page, target);
      await loadAll(page);
      await openSchema(page);
      await treeItem(page, 'studies_detail').click();
      expect(
        await columnRow(page, 'studies_detail', 'main_dicom_tags__study_date'),
      ).toEqual([
        'main_dicom_tags__study_date',
        'VARCHAR',
        'MainDicomTags › StudyDate',
        '',
      ]);
      await expect(fact(page, 'Write disposition')).not.toHaveText(
        'not recorded',
      );
      await expect(fact(page, 'Primary key')).toHaveText('id');
    });
  });
}
