// The shape of the typed views: which columns they have and under what
// names, how they follow the tables from load to load, and the one-step
// joins between levels, against a real DuckDB.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import type { TableSchema } from '../pipeline/schema';
import { TYPED_VIEWS, dicomViewsSql, viewColumns } from './dicomViews';
import { commitRows, readRows } from './fixtures/commitRows';

function detail(name: string, columns: string[]): TableSchema {
  return {
    name,
    columns: columns.map((column) => ({ name: column, type: 'text' })),
    disposition: 'merge',
    primaryKey: ['id'],
  };
}

const studyView = TYPED_VIEWS.find((view) => view.name === 'dicom_study');

describe('viewColumns', () => {
  it('names tags after the tag and keeps the other columns', () => {
    if (studyView === undefined) throw new Error('no dicom_study');
    const names = viewColumns(studyView, [
      '_dlt_id',
      'main_dicom_tags__study_date',
      'type',
      'id',
      'patient_main_dicom_tags__patient_name',
      'last_update',
      'main_dicom_tags__patient_id',
      'patient_main_dicom_tags__patient_id',
      'study_date_raw',
      'parent_patient',
      'main_dicom_tags__timezone_offset_from_utc',
    ]).map((column) => column.name);

    expect(names).toEqual([
      'id',
      'parent_patient',
      // the study's own tags; study_date_raw was a column of the table
      'patient_id',
      'study_date_2',
      'study_date_2_raw',
      'timezone_offset_from_utc',
      // the patient's, less the one the study has itself
      'patient_name',
      'patient_name_family',
      'patient_name_given',
      'patient_name_middle',
      'patient_name_prefix',
      'patient_name_suffix',
      'patient_name_ideographic',
      'patient_name_phonetic',
      'last_update',
      'last_update_raw',
      'study_date_raw',
      'type',
      '_dlt_id',
    ]);
  });

  it('reads a retired keyword with or without RETIRED_', () => {
    // OtherPatientIDs is retired in DCMTK's dictionary; Orthanc builds
    // with an older one name it without the prefix. dlt's snake_case
    // makes IDs into i_ds, and so does the match.
    if (studyView === undefined) throw new Error('no dicom_study');
    const columns = viewColumns(studyView, [
      'patient_main_dicom_tags__other_patient_i_ds',
      'main_dicom_tags__retired_study_read_date',
    ]);
    expect(columns.map((column) => [column.name, column.sql])).toEqual([
      [
        'retired_study_read_date',
        '"orthanc_data"."dicom_date"("main_dicom_tags__retired_study_read_date")',
      ],
      [
        'retired_study_read_date_raw',
        '"main_dicom_tags__retired_study_read_date"',
      ],
      [
        'other_patient_i_ds',
        '"orthanc_data"."dicom_values"' +
          '("patient_main_dicom_tags__other_patient_i_ds")',
      ],
      [
        'other_patient_i_ds_raw',
        '"patient_main_dicom_tags__other_patient_i_ds"',
      ],
    ]);
  });

  it('makes a view only for a table that exists', () => {
    expect(dicomViewsSql([{ name: 'patients', columns: ['value'] }])).toEqual(
      [],
    );
    const statements = dicomViewsSql([
      { name: 'series_detail', columns: ['id', 'parent_study'] },
    ]);
    expect(statements.filter((sql) => sql.includes('VIEW'))).toEqual([
      'CREATE OR REPLACE VIEW "orthanc_data"."dicom_series" AS\n' +
        'SELECT\n  "id",\n  "parent_study"\n' +
        'FROM "orthanc_data"."series_detail"',
    ]);
  });
});

describe('typed views after a commit', () => {
  let connection: DuckDBConnection;

  const read = (sql: string) => readRows(connection, sql);

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  it('flags rows whose text was decoded in the wrong charset (C14)', async () => {
    const patients = detail('patients_detail', [
      'id',
      'main_dicom_tags__patient_name',
      'main_dicom_tags__patient_id',
    ]);
    await commitRows(connection, 'L1', [
      {
        schema: patients,
        rows: [
          // Windows-1252 bytes read as Latin-1, as Orthanc 1.10.1 and
          // 1.12.7 return them (e2e/charset.spec.ts checks the server)
          {
            id: 'P1',
            main_dicom_tags__patient_name:
              'cc\u009e\u009ad^CC\u008e\u008a\u00d0',
          },
          { id: 'P2', main_dicom_tags__patient_id: 'A\ufffdB' },
          { id: 'P3', main_dicom_tags__patient_name: 'Müller^Åse' },
          { id: 'P4', main_dicom_tags__patient_name: null },
        ],
      },
    ]);

    expect(
      await read(
        'SELECT id, patient_name, suspect_encoding ' +
          'FROM orthanc_data.dicom_patient ORDER BY id',
      ),
    ).toEqual([
      {
        id: 'P1',
        patient_name: 'cc\u009e\u009ad^CC\u008e\u008a\u00d0',
        suspect_encoding: true,
      },
      { id: 'P2', patient_name: null, suspect_encoding: true },
      { id: 'P3', patient_name: 'Müller^Åse', suspect_encoding: false },
      { id: 'P4', patient_name: null, suspect_encoding: false },
    ]);
    // the values stay searchable as text
    expect(
      await read(
        "SELECT id FROM orthanc_data.dicom_patient WHERE patient_name ILIKE 'CC%d^cc%'",
      ),
    ).toEqual([{ id: 'P1' }]);
  });

  it('joins a study to its patient in one step', async () => {
    const patients = detail('patients_detail', [
      'id',
      'main_dicom_tags__patient_name',
    ]);
    const studies = detail('studies_detail', [
      'id',
      'parent_patient',
      'main_dicom_tags__study_date',
    ]);
    await commitRows(connection, 'L1', [
      {
        schema: patients,
        rows: [
          { id: 'P1', main_dicom_tags__patient_name: 'Doe^Jane' },
          { id: 'P2', main_dicom_tags__patient_name: 'Roe^Richard' },
        ],
      },
      {
        schema: studies,
        rows: [
          { id: 'S1', parent_patient: 'P1', main_dicom_tags__study_date: '' },
          { id: 'S2', parent_patient: 'P2' },
          { id: 'S3', parent_patient: 'P2' },
        ],
      },
    ]);

    expect(
      await read(
        `SELECT s.id, p.patient_name_family AS family
           FROM orthanc_data.dicom_study AS s
           JOIN orthanc_data.dicom_patient AS p ON s.parent_patient = p.id
          ORDER BY s.id`,
      ),
    ).toEqual([
      { id: 'S1', family: 'Doe' },
      { id: 'S2', family: 'Roe' },
      { id: 'S3', family: 'Roe' },
    ]);
    expect(
      await read(
        `SELECT view_name FROM duckdb_views()
          WHERE schema_name = 'orthanc_data' ORDER BY 1`,
      ),
    ).toEqual([{ view_name: 'dicom_patient' }, { view_name: 'dicom_study' }]);
  });

  it('follows the tags a later load brings, keeping the earlier ones', async () => {
    const first = detail('series_detail', ['id', 'main_dicom_tags__modality']);
    await commitRows(connection, 'L1', [
      { schema: first, rows: [{ id: 'E1', main_dicom_tags__modality: 'CT' }] },
    ]);
    // The server gained ExtraMainDicomTags; the next load has other tags.
    const second = detail('series_detail', [
      'id',
      'main_dicom_tags__series_date',
    ]);
    await commitRows(connection, 'L2', [
      {
        schema: second,
        rows: [{ id: 'E2', main_dicom_tags__series_date: '20240101' }],
      },
    ]);

    expect(
      await read(
        `SELECT id, modality, series_date, series_date_raw
           FROM orthanc_data.dicom_series ORDER BY id`,
      ),
    ).toEqual([
      { id: 'E1', modality: 'CT', series_date: null, series_date_raw: null },
      {
        id: 'E2',
        modality: null,
        series_date: '2024-01-01',
        series_date_raw: '20240101',
      },
    ]);
  });

  it('leaves views and tables as they were when a commit fails', async () => {
    const sizes: TableSchema = {
      ...detail('instances_detail', ['id', 'main_dicom_tags__rows']),
      columns: [
        { name: 'id', type: 'text' },
        { name: 'file_size', type: 'bigint' },
        { name: 'main_dicom_tags__rows', type: 'text' },
      ],
    };
    await commitRows(connection, 'L1', [
      {
        schema: sizes,
        rows: [{ id: 'I1', file_size: 10n, main_dicom_tags__rows: '512' }],
      },
    ]);
    const broken = detail('instances_detail', [
      'id',
      'file_size',
      'main_dicom_tags__columns',
    ]);

    await expect(
      commitRows(connection, 'L2', [
        {
          schema: broken,
          rows: [
            {
              id: 'I1',
              file_size: 'not a number',
              main_dicom_tags__columns: '256',
            },
          ],
        },
      ]),
      // the commit refuses to change a column's type, before any change
    ).rejects.toThrow(/instances_detail\.file_size/);

    expect(await read('SELECT * FROM orthanc_data.dicom_instance')).toEqual([
      {
        id: 'I1',
        file_size: '10',
        rows: '512',
        rows_raw: '512',
        suspect_encoding: false,
      },
    ]);
  });
});
