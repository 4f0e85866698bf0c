// The macros that type DICOM values, against a real DuckDB: strings as
// Orthanc sends them, valid, partial, invalid, empty and absent, and what
// the typed views make of them after a commit.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import type { CellValue } from '../pipeline/rows';
import type { TableSchema } from '../pipeline/schema';
import { commitRows, readRows } from './fixtures/commitRows';

type Values = Record<string, CellValue | null>;

/** A detail table as the normalizer declares it, every column text. */
function detail(name: string, columns: string[]): TableSchema {
  return {
    name,
    columns: ['id', ...columns, '_dlt_load_id', '_dlt_id'].map((column) => ({
      name: column,
      type: 'text',
    })),
    disposition: 'merge',
    primaryKey: ['id'],
  };
}

function withIds(rows: Values[]): Values[] {
  return rows.map((row, i) => ({ _dlt_id: `d${i}`, ...row }));
}

describe('typed values', () => {
  let connection: DuckDBConnection;

  const read = (sql: string) => readRows(connection, sql);

  async function commit(name: string, rows: Values[]): Promise<void> {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const schema = detail(
      name,
      columns.filter((column) => column !== 'id'),
    );
    await commitRows(connection, 'L1', [{ schema, rows: withIds(rows) }]);
  }

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  it('reads case C15: partial dates are NULL, never rolled over', async () => {
    await commit('patients_detail', [
      {
        id: 'P3',
        main_dicom_tags__patient_id: 'FAKE03',
        main_dicom_tags__patient_birth_date: '1970',
      },
    ]);
    await commit('studies_detail', [
      {
        id: 'S3',
        parent_patient: 'P3',
        main_dicom_tags__study_date: '20230100',
        main_dicom_tags__study_time: '101530.123456',
        patient_main_dicom_tags__patient_id: 'FAKE03',
        patient_main_dicom_tags__patient_birth_date: '1970',
      },
    ]);
    await commit('series_detail', [
      {
        id: 'E3',
        parent_study: 'S3',
        main_dicom_tags__series_date: '20230230',
        main_dicom_tags__series_time: '1015',
      },
    ]);
    await commit('instances_detail', [
      { id: 'I1', main_dicom_tags__patient_age: '001D' },
      { id: 'I2', main_dicom_tags__patient_age: '045Y' },
      { id: 'I3', main_dicom_tags__patient_age: '42' },
      { id: 'I4', main_dicom_tags__patient_age: '' },
      { id: 'I5' },
    ]);

    expect(
      await read(
        `SELECT patient_id, patient_birth_date, patient_birth_date_raw
           FROM orthanc_data.dicom_patient`,
      ),
    ).toEqual([
      {
        patient_id: 'FAKE03',
        patient_birth_date: null,
        patient_birth_date_raw: '1970',
      },
    ]);
    expect(
      await read(
        `SELECT study_date, study_date_raw, study_time, study_time_raw,
                patient_id, patient_birth_date
           FROM orthanc_data.dicom_study`,
      ),
    ).toEqual([
      {
        study_date: null,
        study_date_raw: '20230100',
        study_time: '10:15:30.123456',
        study_time_raw: '101530.123456',
        patient_id: 'FAKE03',
        patient_birth_date: null,
      },
    ]);
    expect(
      await read(
        `SELECT series_date, series_date_raw, series_time, series_time_raw
           FROM orthanc_data.dicom_series`,
      ),
    ).toEqual([
      {
        series_date: null,
        series_date_raw: '20230230',
        series_time: '10:15:00',
        series_time_raw: '1015',
      },
    ]);
    expect(
      await read(
        `SELECT id, patient_age, patient_age_years
           FROM orthanc_data.dicom_instance ORDER BY id`,
      ),
    ).toEqual([
      { id: 'I1', patient_age: '001D', patient_age_years: null },
      { id: 'I2', patient_age: '045Y', patient_age_years: 45 },
      { id: 'I3', patient_age: '42', patient_age_years: null },
      { id: 'I4', patient_age: '', patient_age_years: null },
      { id: 'I5', patient_age: null, patient_age_years: null },
    ]);
  });

  it('types each VR, and gives NULL for what its grammar refuses', async () => {
    const cases: [string, string | null, unknown][] = [
      // DA
      ['study_date', '20240229', '2024-02-29'],
      ['study_date', '2023.07.04', '2023-07-04'],
      ['study_date', '20230229', null],
      ['study_date', '202301', null],
      ['study_date', '2023011', null],
      ['study_date', '20230101-20230201', null],
      ['study_date', '', null],
      ['study_date', null, null],
      // TM
      ['study_time', '10', '10:00:00'],
      ['study_time', '235959.9', '23:59:59.9'],
      ['study_time', '10:15:30', '10:15:30'],
      ['study_time', '240000', null],
      ['study_time', '106000', null],
      ['study_time', '801530', null],
      ['study_time', '101', null],
      ['study_time', '101530.1234567', null],
      ['study_time', '', null],
      // DT: the offset is dropped, not applied
      [
        'acquisition_date_time',
        '20230405101530.5+0200',
        '2023-04-05 10:15:30.5',
      ],
      ['acquisition_date_time', '20230405', '2023-04-05 00:00:00'],
      ['acquisition_date_time', '2023040510-0500', '2023-04-05 10:00:00'],
      ['acquisition_date_time', '2023', null],
      ['acquisition_date_time', '202304', null],
      ['acquisition_date_time', '20230431', null],
      ['acquisition_date_time', '20230405251530', null],
      ['acquisition_date_time', '20230405101530+2500', null],
      // IS
      ['instance_number', ' 0042 ', '42'],
      ['instance_number', '-7', '-7'],
      ['instance_number', '+3', '3'],
      ['instance_number', '1.5', null],
      ['instance_number', '1_000', null],
      ['instance_number', '99999999999999999999', null],
      ['instance_number', '', null],
      // DS
      ['slice_thickness', '2.5', 2.5],
      ['slice_thickness', ' -1e-3', -0.001],
      ['slice_thickness', '.5', 0.5],
      ['slice_thickness', '1,5', null],
      ['slice_thickness', 'NaN', null],
      ['slice_thickness', 'inf', null],
      ['slice_thickness', '1e999', null],
      ['slice_thickness', '1_0', null],
      // US, FL
      ['rows', '512', '512'],
      ['rows', 'x', null],
      ['distance_source_to_isocenter', '-2.25', -2.25],
    ];
    await commit(
      'instances_detail',
      cases.map(([name, raw], i) => ({
        id: `I${String(i).padStart(2, '0')}`,
        ...(raw === null ? {} : { [`main_dicom_tags__${name}`]: raw }),
      })),
    );
    const rows = await read(
      `SELECT * FROM orthanc_data.dicom_instance ORDER BY id`,
    );

    cases.forEach(([name, raw, typed], i) => {
      const row = rows[i] ?? {};
      expect({ raw, typed: row[name] }).toEqual({ raw, typed });
      expect(row[`${name}_raw`]).toBe(raw);
    });
  });

  it('splits multi-valued tags into lists, an invalid element NULL', async () => {
    await commit('instances_detail', [
      {
        id: 'I1',
        main_dicom_tags__image_type: 'ORIGINAL\\PRIMARY\\AXIAL',
        main_dicom_tags__image_orientation_patient: '1\\0\\0\\0\\0.5\\-1e-2',
        main_dicom_tags__image_position_patient: '-125\\ -125.5 \\x',
      },
      {
        id: 'I2',
        main_dicom_tags__image_type: '',
        main_dicom_tags__image_orientation_patient: '',
      },
    ]);

    expect(
      await read(
        `SELECT id, image_type, image_type_raw, image_orientation_patient,
                image_position_patient, image_position_patient_raw
           FROM orthanc_data.dicom_instance ORDER BY id`,
      ),
    ).toEqual([
      {
        id: 'I1',
        image_type: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
        image_type_raw: 'ORIGINAL\\PRIMARY\\AXIAL',
        image_orientation_patient: [1, 0, 0, 0, 0.5, -0.01],
        image_position_patient: [-125, -125.5, null],
        image_position_patient_raw: '-125\\ -125.5 \\x',
      },
      {
        id: 'I2',
        image_type: null,
        image_type_raw: '',
        image_orientation_patient: null,
        image_position_patient: null,
        image_position_patient_raw: null,
      },
    ]);
  });

  it('splits person names into components and groups', async () => {
    await commit('patients_detail', [
      // as captured from pydicom's chrH31.dcm and chrX2.dcm
      {
        id: 'P1',
        main_dicom_tags__patient_name: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
      },
      { id: 'P2', main_dicom_tags__patient_name: 'Wang^XiaoDong=王^小东=' },
      { id: 'P3', main_dicom_tags__patient_name: 'Doe^John^Quincy^Dr.^Jr. ' },
      { id: 'P4', main_dicom_tags__patient_name: '^^^^' },
      { id: 'P5' },
    ]);

    expect(
      await read(
        `SELECT patient_name, patient_name_family AS family,
                patient_name_given AS given, patient_name_middle AS middle,
                patient_name_prefix AS prefix, patient_name_suffix AS suffix,
                patient_name_ideographic AS ideographic,
                patient_name_phonetic AS phonetic
           FROM orthanc_data.dicom_patient ORDER BY id`,
      ),
    ).toEqual([
      {
        patient_name: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
        family: 'Yamada',
        given: 'Tarou',
        middle: null,
        prefix: null,
        suffix: null,
        ideographic: '山田^太郎',
        phonetic: 'やまだ^たろう',
      },
      {
        patient_name: 'Wang^XiaoDong=王^小东=',
        family: 'Wang',
        given: 'XiaoDong',
        middle: null,
        prefix: null,
        suffix: null,
        ideographic: '王^小东',
        phonetic: null,
      },
      {
        patient_name: 'Doe^John^Quincy^Dr.^Jr. ',
        family: 'Doe',
        given: 'John',
        middle: 'Quincy',
        prefix: 'Dr.',
        suffix: 'Jr.',
        ideographic: null,
        phonetic: null,
      },
      {
        patient_name: '^^^^',
        family: null,
        given: null,
        middle: null,
        prefix: null,
        suffix: null,
        ideographic: null,
        phonetic: null,
      },
      {
        patient_name: null,
        family: null,
        given: null,
        middle: null,
        prefix: null,
        suffix: null,
        ideographic: null,
        phonetic: null,
      },
    ]);
  });

  it("reads Orthanc's LastUpdate as a TIMESTAMP, unshifted", async () => {
    await commit('series_detail', [
      { id: 'E1', last_update: '20261203T182122' },
      { id: 'E2', last_update: '20261232T000000' },
      { id: 'E3', last_update: '20261203' },
      { id: 'E4', last_update: '' },
    ]);

    expect(
      await read(
        `SELECT last_update, last_update_raw, typeof(last_update) AS type
           FROM orthanc_data.dicom_series ORDER BY id`,
      ),
    ).toEqual([
      {
        last_update: '2026-12-03 18:21:22',
        last_update_raw: '20261203T182122',
        type: 'TIMESTAMP',
      },
      {
        last_update: null,
        last_update_raw: '20261232T000000',
        type: 'TIMESTAMP',
      },
      { last_update: null, last_update_raw: '20261203', type: 'TIMESTAMP' },
      { last_update: null, last_update_raw: '', type: 'TIMESTAMP' },
    ]);
  });
});
