// The typed views over what a crawl of a real Orthanc gives: the captured
// responses of 1.10.1 and 1.12.7 replayed, normalized, committed into a
// real DuckDB, and the views read back.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import {
  collectCrawl,
  testConnection,
} from '../pipeline/fixtures/collectCrawl';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { TYPED_VIEWS } from './dicomViews';
import { commitRows, readRows } from './fixtures/commitRows';
import { quoteIdent } from './sql';

/** A DICOM date as ISO text, or null unless it is a real calendar day. */
function calendarDate(raw: string | null): string | null {
  const text = raw?.trim() ?? '';
  const digits = /^\d{4}\.\d{2}\.\d{2}$/.test(text)
    ? text.replaceAll('.', '')
    : text;
  if (!/^\d{8}$/.test(digits)) return null;
  const iso = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().startsWith(iso) ? iso : null;
}

for (const version of ['1.10.1', '1.12.7']) {
  describe(`typed views over a replayed Orthanc ${version}`, () => {
    let connection: DuckDBConnection;

    const read = (sql: string) => readRows(connection, sql);

    async function types(view: string): Promise<Record<string, unknown>> {
      const rows = await read(
        `SELECT column_name, data_type FROM duckdb_columns()
          WHERE schema_name = 'orthanc_data' AND table_name = '${view}'`,
      );
      return Object.fromEntries(
        rows.map((row) => [row.column_name as string, row.data_type]),
      );
    }

    beforeAll(async () => {
      const replay = replayFetch(testConnection.baseUrl, loadFixtures(version));
      const crawled = await collectCrawl(replay.fetch);
      const instance = await DuckDBInstance.create(':memory:');
      connection = await instance.connect();
      await commitRows(
        connection,
        'load-1',
        [...crawled.tables.values()].map((schema) => ({
          schema,
          rows: crawled.rows.get(schema.name) ?? [],
        })),
      );
    });

    it('has one row per resource in each view', async () => {
      for (const view of TYPED_VIEWS) {
        const [counted] = await read(
          `SELECT (SELECT count(*) FROM orthanc_data.${view.name}) AS view,
                  (SELECT count(*) FROM orthanc_data.${view.source}) AS source`,
        );
        expect(counted?.view).toBe(counted?.source);
        expect(Number(counted?.view)).toBeGreaterThan(5);
      }
    });

    it('gives each tag the DuckDB type of its VR', async () => {
      expect(await types('dicom_patient')).toMatchObject({
        id: 'VARCHAR',
        patient_id: 'VARCHAR',
        patient_birth_date: 'DATE',
        patient_birth_date_raw: 'VARCHAR',
        patient_name: 'VARCHAR',
        patient_name_family: 'VARCHAR',
        patient_name_ideographic: 'VARCHAR',
        is_stable: 'BOOLEAN',
        last_update: 'TIMESTAMP',
        last_update_raw: 'VARCHAR',
      });
      expect(await types('dicom_study')).toMatchObject({
        parent_patient: 'VARCHAR',
        study_date: 'DATE',
        study_time: 'TIME',
        study_instance_uid: 'VARCHAR',
        referring_physician_name_family: 'VARCHAR',
        patient_birth_date: 'DATE',
      });
      expect(await types('dicom_series')).toMatchObject({
        parent_study: 'VARCHAR',
        series_number: 'BIGINT',
        series_number_raw: 'VARCHAR',
        modality: 'VARCHAR',
        status: 'VARCHAR',
      });
      expect(await types('dicom_instance')).toMatchObject({
        parent_series: 'VARCHAR',
        instance_number: 'BIGINT',
        instance_creation_date: 'DATE',
        instance_creation_time: 'TIME',
        file_size: 'BIGINT',
        index_in_series: 'BIGINT',
      });
      for (const view of TYPED_VIEWS) {
        const columns = Object.entries(await types(view.name));
        // a text tag has no _raw twin, and no raw tag column is left over
        expect(
          columns.filter(([name]) => name.includes('main_dicom_tags')),
        ).toEqual([]);
        expect(
          columns.filter(
            ([name, type]) => name.endsWith('_raw') && type !== 'VARCHAR',
          ),
        ).toEqual([]);
        expect(columns).not.toContainEqual([
          'study_description_raw',
          'VARCHAR',
        ]);
      }
    });

    it('types every date that is a calendar day, and only those', async () => {
      // the captures hold both: typed dates and empty ones
      let dates = 0;
      let empty = 0;
      for (const view of TYPED_VIEWS) {
        const dateColumns = Object.entries(await types(view.name))
          .filter(([, type]) => type === 'DATE')
          .map(([name]) => name);
        for (const column of dateColumns) {
          const rows = await read(
            `SELECT ${quoteIdent(column)} AS typed,
                    ${quoteIdent(`${column}_raw`)} AS raw
               FROM orthanc_data.${view.name}`,
          );
          for (const { typed, raw } of rows) {
            expect({ raw, typed }).toEqual({
              raw,
              typed: calendarDate(raw as string | null),
            });
            if (typed !== null) dates++;
            if (raw === '') empty++;
          }
        }
      }
      expect(dates).toBeGreaterThan(5);
      expect(empty).toBeGreaterThan(0);
    });

    it('reads the times and names as the server wrote them', async () => {
      const studies = await read(
        `SELECT study_time, study_time_raw, patient_name_family,
                patient_name_given, patient_name_ideographic,
                patient_name_phonetic
           FROM orthanc_data.dicom_study
          WHERE study_time_raw <> '' OR patient_name LIKE '%=%'
          ORDER BY patient_name`,
      );
      expect(studies).toEqual([
        // 801530 has an hour of 80: it stays text only
        {
          study_time: null,
          study_time_raw: '801530',
          patient_name_family: 'Müller',
          patient_name_given: 'Åse',
          patient_name_ideographic: null,
          patient_name_phonetic: null,
        },
        {
          study_time: null,
          study_time_raw: '',
          patient_name_family: 'Wang',
          patient_name_given: 'XiaoDong',
          patient_name_ideographic: '王^小东',
          patient_name_phonetic: null,
        },
        {
          study_time: null,
          study_time_raw: '',
          patient_name_family: 'Yamada',
          patient_name_given: 'Tarou',
          patient_name_ideographic: '山田^太郎',
          patient_name_phonetic: 'やまだ^たろう',
        },
      ]);
    });

    it('joins each level to its parent in one step', async () => {
      const [joined] = await read(
        `SELECT
           (SELECT count(*) FROM orthanc_data.dicom_study s
              JOIN orthanc_data.dicom_patient p ON s.parent_patient = p.id)
             AS studies,
           (SELECT count(*) FROM orthanc_data.dicom_series e
              JOIN orthanc_data.dicom_study s ON e.parent_study = s.id)
             AS series,
           (SELECT count(*) FROM orthanc_data.dicom_instance i
              JOIN orthanc_data.dicom_series e ON i.parent_series = e.id)
             AS instances`,
      );
      expect(joined).toEqual({ studies: '7', series: '9', instances: '12' });
    });
  });
}
