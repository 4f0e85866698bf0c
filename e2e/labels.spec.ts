// Labels (case C07): on Orthanc 1.12.7, which the global setup labels,
// each study's labels are rows of studies_detail__labels exactly as
// written, three of them differing only in case and sign; on 1.10.1,
// which has no labels, the same tables exist empty and the load says why.

import { expect, test } from '@playwright/test';

import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import { orthancJson } from './orthancApi';

const env = e2eEnv();

interface Labelled {
  ID: string;
  Labels?: string[];
}

const labelTables = ['patients', 'studies', 'series', 'instances'].map(
  (level) => `${level}_detail__labels`,
);

for (const target of env.targets) {
  test(`labels of Orthanc ${target.orthancVersion} are values of child tables`, async ({
    page,
  }) => {
    const orthanc = access(target);
    const studies = await orthancJson<Labelled[]>(orthanc, '/studies?expand');
    const series = await orthancJson<Labelled[]>(orthanc, '/series?expand');
    const pairs = (items: Labelled[]) =>
      items
        .flatMap((item) => (item.Labels ?? []).map((l) => `${item.ID} ${l}`))
        .sort();

    await connect(page, target);
    await loadAll(page);

    const loaded = async (level: string) =>
      (
        await runQuery(
          page,
          `SELECT d.id || ' ' || l.value AS pair ` +
            `FROM orthanc_data.${level}_detail__labels AS l ` +
            `JOIN orthanc_data.${level}_detail AS d ` +
            `ON l._dlt_parent_id = d._dlt_id ORDER BY pair`,
        )
      ).map(([pair]) => pair ?? '');
    const counts = await runQuery(
      page,
      labelTables
        .map((t) => `SELECT '${t}', count(*) FROM orthanc_data.${t}`)
        .join(' UNION ALL ') + ' ORDER BY 1',
    );
    expect(counts).toHaveLength(4);

    if (target.orthancVersion.startsWith('1.10')) {
      expect(studies.some((s) => 'Labels' in s)).toBe(false);
      expect(counts.map(([, n]) => n)).toEqual(['0', '0', '0', '0']);
      for (const table of labelTables) {
        await expect(
          page.getByRole('listitem').filter({ hasText: table }),
        ).toContainText('The server has no labels');
      }
      return;
    }

    expect(await loaded('studies')).toEqual(pairs(studies));
    expect(await loaded('series')).toEqual(pairs(series));
    const values = await runQuery(
      page,
      'SELECT DISTINCT value FROM orthanc_data.studies_detail__labels ' +
        'ORDER BY value',
    );
    expect(values.map(([v]) => v)).toEqual([
      'COVID_19',
      'Covid-19',
      'covid_19',
    ]);
  });
}
