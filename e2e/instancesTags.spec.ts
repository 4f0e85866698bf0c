// Every tag of every instance, ticked in the resource picker and loaded
// from the real Orthanc the global setup seeded with the tag cases
// (scripts/tagCases.ts): one row per instance the server holds, the
// too-long flags, a private tag whose type changes, and the 8-level
// sequence as child tables joined back level by level. A load of
// instances_tags alone leaves the tables of the first load as they were.

import { expect, type Page, test } from '@playwright/test';

import { nestedLevels, tagCasesPatientId } from '../scripts/tagCases.ts';
import { e2eEnv } from './env';
import { orthancJson, type Statistics } from './orthancApi';
import { access, connect, loadAll, pickResources, runQuery } from './pageSteps';

const env = e2eEnv();
const nestedPrefix = 'instances_tags__referenced_study_sequence';

/** Starts a load and waits for the summary that names its resources. */
async function loadPicked(page: Page, resources: string): Promise<void> {
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByText(`Resources: ${resources}.`)).toBeVisible({
    timeout: 60_000,
  });
}

for (const target of env.targets) {
  test.describe(`Orthanc ${target.orthancVersion}`, () => {
    const orthanc = access(target);

    test('loads every tag of every instance when asked, and leaves the rest', async ({
      page,
    }) => {
      // two loads, the second of one request per series
      test.setTimeout(120_000);
      const stats = await orthancJson<Statistics>(orthanc, '/statistics');
      await connect(page, target);

      // off by default, its cost shown before the load
      const option = page.getByRole('checkbox', {
        name: 'instances_tags',
        exact: true,
      });
      await expect(option).not.toBeChecked();
      await expect(option).toHaveAccessibleDescription(
        new RegExp(
          `Cost: ${stats.CountSeries} requests \\(one per series\\), ` +
            'about [\\d.]+ [kM]B\\.$',
        ),
      );

      await loadAll(page);
      const [[firstLoad] = []] = await runQuery(
        page,
        'select max(load_id) from orthanc_data._dlt_loads',
      );
      await pickResources(page, ['instances_tags']);
      await loadPicked(page, 'instances_tags');

      const [counts] = await runQuery(
        page,
        `select
           (select count(*) from orthanc_data.instances_tags),
           (select count(distinct id) from orthanc_data.instances_tags),
           (select count(*) from orthanc_data.instances_detail),
           (select max(_dlt_load_id) from orthanc_data.instances_detail),
           (select max(_dlt_load_id) from orthanc_data.instances_tags)
              > (select max(_dlt_load_id) from orthanc_data.instances_detail)`,
      );
      expect(counts).toEqual([
        `${stats.CountInstances}`,
        `${stats.CountInstances}`,
        `${stats.CountInstances}`,
        firstLoad,
        'true',
      ]);

      // too long: NULL and flagged; a type other than text: in __type
      const cases = await runQuery(
        page,
        `select instance_number,
                coalesce(image_comments, '-'),
                coalesce(image_comments__too_long::varchar, '-'),
                coalesce(private_0009_1001, '-'),
                coalesce(private_0009_1001__too_long::varchar, '-'),
                coalesce(private_0009_1001__type, '-')
           from orthanc_data.instances_tags
          where patient_id = '${tagCasesPatientId}'
          order by instance_number`,
      );
      expect(cases).toEqual([
        ['1', '-', 'true', '-', '-', '-'],
        ['2', '-', 'true', '-', '-', 'Null'],
        ['3', 'A short comment', '-', '-', 'true', '-'],
        ['4', '', '-', 'A short private value', '-', '-'],
        ['5', '-', '-', '-', '-', '-'],
      ]);
      const types = await runQuery(
        page,
        `select column_name, data_type from information_schema.columns
          where table_schema = 'orthanc_data'
            and table_name = 'instances_tags'
            and column_name like 'image_comments%'
          order by column_name`,
      );
      expect(types).toEqual([
        ['image_comments', 'VARCHAR'],
        ['image_comments__too_long', 'BOOLEAN'],
      ]);
      const privateItems = await runQuery(
        page,
        `select s.study_description
           from orthanc_data.instances_tags__private_0009_1001 s
           join orthanc_data.instances_tags t on s._dlt_parent_id = t._dlt_id
          where t.patient_id = '${tagCasesPatientId}'`,
      );
      expect(privateItems).toEqual([['in a private item']]);

      // the nested sequence: five levels of child tables, then JSON
      const levels = (
        await runQuery(
          page,
          `select table_name from information_schema.tables
            where table_schema = 'orthanc_data'
              and starts_with(table_name, '${nestedPrefix}')
            order by length(table_name), table_name`,
        )
      ).map(([name]) => name ?? '');
      expect(levels).toHaveLength(5);
      for (const name of levels) expect(name.length).toBeLessThanOrEqual(127);
      const joins = levels
        .map(
          (name, i) =>
            `join orthanc_data."${name}" l${i + 1} on l${i + 1}._dlt_parent_id = ` +
            `${i === 0 ? 't' : `l${i}`}._dlt_id and l${i + 1}._dlt_list_idx = 0`,
        )
        .join('\n');
      const chain = await runQuery(
        page,
        `select ${levels.map((_, i) => `l${i + 1}.study_description`).join(', ')},
                l5.referenced_study_sequence
           from orthanc_data.instances_tags t
           ${joins}
          where t.patient_id = '${tagCasesPatientId}'`,
      );
      expect(chain.map((row) => row.slice(0, 5))).toEqual([
        ['L1', 'L2', 'L3', 'L4', 'L5'],
      ]);
      let deeper = JSON.parse(chain[0]?.[5] ?? 'null') as unknown;
      for (let level = 6; level <= nestedLevels; level++) {
        const [item] = deeper as Record<string, unknown>[];
        expect(item?.StudyDescription).toBe(`L${level}`);
        deeper = item?.ReferencedStudySequence;
      }
      expect(deeper).toBeUndefined();
    });
  });
}

test('a load with no resource picked is refused', async ({ page }) => {
  await connect(page, env);
  const picker = page.getByRole('group', { name: 'Resources' });
  await picker.getByRole('button', { name: 'None' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Pick at least one resource to load.',
  );
  await expect(
    page.getByRole('button', { name: 'Load', exact: true }),
  ).toBeDisabled();

  await picker.getByRole('button', { name: 'All' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  for (const box of await picker.getByRole('checkbox').all()) {
    await expect(box).toBeChecked();
  }
  await expect(
    page.getByRole('button', { name: 'Load', exact: true }),
  ).toBeEnabled();
});
