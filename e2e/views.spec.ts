// The typed views, after a load through the page, in DuckDB-WASM: one row
// per study, one-step joins to the patient, study dates that match what
// Node reads from the server's own StudyDate strings, and the macros
// behind them on the values of case C15.

import { expect, test } from '@playwright/test';

import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import { orthancJson, type Statistics, type StudyDetail } from './orthancApi';

const env = e2eEnv();

/** A DICOM date as the page shows a DATE: ISO, or NULL unless it is real. */
function shownDate(raw: string | undefined): string {
  const text = raw?.trim() ?? '';
  const digits = /^\d{4}\.\d{2}\.\d{2}$/.test(text)
    ? text.replaceAll('.', '')
    : text;
  if (!/^\d{8}$/.test(digits)) return 'NULL';
  const iso = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return 'NULL';
  return date.toISOString().startsWith(iso) ? iso : 'NULL';
}

for (const target of env.targets) {
  test.describe(`Orthanc ${target.orthancVersion}`, () => {
    const orthanc = access(target);

    test('typed views match the server, study by study', async ({ page }) => {
      const stats = await orthancJson<Statistics>(orthanc, '/statistics');
      const studies = await orthancJson<StudyDetail[]>(
        orthanc,
        '/studies?expand',
      );
      await connect(page, target);
      await loadAll(page);

      const counts = await runQuery(
        page,
        `select
           (select count(*) from orthanc_data.dicom_study),
           (select count(*) from orthanc_data.dicom_study s
              join orthanc_data.dicom_patient p on s.parent_patient = p.id),
           (select count(*) from orthanc_data.dicom_series e
              join orthanc_data.dicom_study s on e.parent_study = s.id)`,
      );
      expect(counts).toEqual([
        [
          `${stats.CountStudies}`,
          `${stats.CountStudies}`,
          `${stats.CountSeries}`,
        ],
      ]);

      const expected = studies
        .map((study) => [
          study.ID,
          shownDate(study.MainDicomTags.StudyDate),
          study.MainDicomTags.StudyDate ?? 'NULL',
        ])
        // byte order, as DuckDB sorts text
        .sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0));
      // the server holds typed dates and dates that are not
      expect(
        expected.filter((row) => row[1] !== 'NULL').length,
      ).toBeGreaterThan(5);
      expect(expected.some((row) => row[1] === 'NULL')).toBe(true);

      const shown = await runQuery(
        page,
        `select id, study_date, study_date_raw
           from orthanc_data.dicom_study order by id`,
      );
      expect(shown).toEqual(expected);

      // The macros behind the views, in DuckDB-WASM, on case C15's values.
      const typed = await runQuery(
        page,
        `select orthanc_data.dicom_date('20230100'),
                orthanc_data.dicom_date('20230230'),
                orthanc_data.dicom_date('1970'),
                orthanc_data.dicom_date('20240229'),
                orthanc_data.dicom_time('101530.123456'),
                orthanc_data.dicom_time('1015'),
                orthanc_data.dicom_age_years('045Y'),
                orthanc_data.dicom_age_years('001D'),
                orthanc_data.dicom_age_years('42'),
                orthanc_data.orthanc_timestamp('20261203T182122')`,
      );
      expect(typed).toEqual([
        [
          'NULL',
          'NULL',
          'NULL',
          '2024-02-29',
          '10:15:30.123456',
          '10:15:00',
          '45',
          'NULL',
          'NULL',
          '2026-12-03 18:21:22',
        ],
      ]);
    });
  });
}
