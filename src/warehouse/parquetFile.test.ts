// Parquet written from Arrow, read back by native DuckDB: an independent
// reader that must see the same types and the same values.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  List,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  makeVector,
  tableFromArrays,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ParquetFile } from './parquetFile';

/** Timestamps built from raw microseconds, which Arrow's builder rounds. */
function timestamps(values: (bigint | null)[], timezone: string | null) {
  const type = new Timestamp(TimeUnit.MICROSECOND, timezone);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value !== null)
      nullBitmap[i >> 3] = (nullBitmap[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap,
      data: BigInt64Array.from(values.map((v) => v ?? 0n)),
    }),
  );
}

function batch(offset: number) {
  return new Table({
    patient_id: vectorFromArray(
      [`P${offset}`, 'Ünïcødé^名前', '', null],
      new Utf8(),
    ),
    file_size: vectorFromArray(
      [9007199254740993n, -1n, null, BigInt(offset)],
      new Int64(),
    ),
    ratio: vectorFromArray([0.1, Number.NaN, null, 1e300], new Float64()),
    is_stable: vectorFromArray([true, false, null, true], new Bool()),
    index: vectorFromArray([1, null, -3, offset], new Int32()),
    study_date: vectorFromArray(
      [Date.UTC(2023, 0, 31), null, Date.UTC(1900, 1, 28), 0],
      new DateDay(),
    ),
    last_update: timestamps([1_689_000_000_123_456n, null, -1n, 0n], null),
    inserted_at: timestamps([1_689_000_000_000_001n, 0n, null, 5n], 'UTC'),
    labels: vectorFromArray(
      [['a', 'b'], null, [], ['c']],
      new List(new Field('item', new Utf8(), true)),
    ),
  });
}

/** DuckDB's own text for the time columns, to compare exactly. */
const withText =
  '*, last_update::VARCHAR AS lu, inserted_at::VARCHAR AS ia, ' +
  'study_date::VARCHAR AS sd';

describe('ParquetFile', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'parquet-test-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function readBack(table: Table[], select = '*') {
    const first = table[0];
    if (first === undefined) throw new Error('no batch');
    const file = new ParquetFile(first.schema);
    for (const t of table) file.write(t);
    const { file: blob, rows } = file.finish();
    const path = join(folder, `t${Math.random()}.parquet`);
    await writeFile(path, new Uint8Array(await blob.arrayBuffer()));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const types = await connection.runAndReadAll(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${path}')`,
    );
    const values = await connection.runAndReadAll(
      `SELECT ${select} FROM '${path}'`,
    );
    return {
      rows,
      types: Object.fromEntries(
        types
          .getRowObjectsJS()
          .map((r) => [r.column_name as string, r.column_type as string]),
      ) as Record<string, string>,
      values: values.getRowObjectsJS(),
    };
  }

  it('keeps types, exact 64-bit integers, NULLs and microseconds', async () => {
    const { rows, types, values } = await readBack(
      [batch(1), batch(2)],
      withText,
    );

    expect(rows).toBe(8);
    expect(types).toEqual({
      patient_id: 'VARCHAR',
      file_size: 'BIGINT',
      ratio: 'DOUBLE',
      is_stable: 'BOOLEAN',
      index: 'INTEGER',
      study_date: 'DATE',
      last_update: 'TIMESTAMP',
      inserted_at: 'TIMESTAMP WITH TIME ZONE',
      labels: 'VARCHAR',
    });
    expect(values).toHaveLength(8);
    const [first, second, third, fourth] = values;
    expect(first).toMatchObject({
      patient_id: 'P1',
      file_size: 9007199254740993n,
      ratio: 0.1,
      is_stable: true,
      index: 1,
      lu: '2023-07-10 14:40:00.123456',
      labels: '["a","b"]',
    });
    expect(second).toMatchObject({
      patient_id: 'Ünïcødé^名前',
      file_size: -1n,
      is_stable: false,
      index: null,
      study_date: null,
      lu: null,
      labels: null,
    });
    expect(Number.isNaN(second?.ratio)).toBe(true);
    expect(third).toMatchObject({
      patient_id: '',
      file_size: null,
      ratio: null,
      is_stable: null,
      lu: '1969-12-31 23:59:59.999999',
      ia: null,
      labels: '[]',
    });
    expect(fourth).toMatchObject({ patient_id: null, ratio: 1e300 });
    expect(values[7]).toMatchObject({
      patient_id: null,
      file_size: 2n,
      index: 2,
    });
  });

  it('writes dates as calendar days', async () => {
    const { values } = await readBack([batch(1)], withText);
    expect(values.map((v) => v.sd)).toEqual([
      '2023-01-31',
      null,
      '1900-02-28',
      '1970-01-01',
    ]);
  });

  it('writes a valid file with no rows', async () => {
    const empty = tableFromArrays({ a: new Int32Array(0) });
    const { rows, values } = await readBack([empty]);
    expect(rows).toBe(0);
    expect(values).toEqual([]);
  });

  it('gives a repeated column name a suffix', async () => {
    const fields = [
      new Field('n', new Int32(), true),
      new Field('n', new Int32(), true),
    ];
    const columns = [Int32Array.of(1, 2), Int32Array.of(3, 4)].map((data) =>
      makeData({ type: new Int32(), length: 2, data }),
    );
    const table = new Table([
      new RecordBatch(
        new Schema(fields),
        makeData({ type: new Struct(fields), length: 2, children: columns }),
      ),
    ]);
    const { types, values } = await readBack([table]);
    expect(Object.keys(types)).toEqual(['n', 'n_1']);
    expect(values.map((v) => [v.n, v.n_1])).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
});
