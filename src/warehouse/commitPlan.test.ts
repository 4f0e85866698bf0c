// The commit plan against a real DuckDB (native, same SQL dialect as
// DuckDB-WASM): what lands, what is replaced, what a failure leaves.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import type { TableSchema } from '../pipeline/schema';
import { commitStaged, nativeRunner } from './fixtures/warehouseHarness';
import { retractPlan } from './retractPlan';
import type { StagedTable } from './commitPlan';
import {
  DATASET,
  SQL_TYPES,
  STAGING,
  createTableSql,
  qualified,
  quoteIdent,
  quoteLiteral,
} from './sql';

type Row = Record<string, string | number | boolean | null>;

const studies: TableSchema = {
  name: 'studies_detail',
  columns: [
    { name: 'id', type: 'text' },
    { name: 'is_stable', type: 'bool' },
    { name: '_dlt_id', type: 'text' },
    { name: '_dlt_load_id', type: 'text' },
  ],
  disposition: 'merge',
  primaryKey: ['id'],
};

const series: TableSchema = {
  name: 'studies_detail__series',
  parent: 'studies_detail',
  columns: [
    { name: 'value', type: 'text' },
    { name: '_dlt_id', type: 'text' },
    { name: '_dlt_parent_id', type: 'text' },
    { name: '_dlt_list_idx', type: 'bigint' },
    { name: '_dlt_root_id', type: 'text' },
  ],
  disposition: 'merge',
  primaryKey: [],
};

function literal(value: Row[string]): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteLiteral(value);
  return String(value);
}

/** Stages rows the way a load session does, then commits them. */
async function load(
  connection: DuckDBConnection,
  loadId: string,
  tables: {
    schema: TableSchema;
    rows: Row[];
    extra?: Record<string, string>;
  }[],
  retracted: { table: string; ids: string[] }[] = [],
): Promise<Record<string, number>> {
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STAGING)}`);
  const staged: StagedTable[] = [];
  for (const { schema, rows, extra = {} } of tables) {
    const columns = [
      ...schema.columns.map((c) => ({
        name: c.name,
        sqlType: SQL_TYPES[c.type],
      })),
      ...Object.entries(extra).map(([name, sqlType]) => ({ name, sqlType })),
    ];
    await connection.run(createTableSql(STAGING, schema.name, columns));
    for (const row of rows) {
      const names = Object.keys(row).map(quoteIdent).join(', ');
      const values = Object.values(row).map(literal).join(', ');
      await connection.run(
        `INSERT INTO ${qualified(STAGING, schema.name)} (${names}) VALUES (${values})`,
      );
    }
    staged.push({ schema, columns, rowCount: rows.length });
  }
  for (const { table, ids } of retracted) {
    const root = staged.find((one) => one.schema.name === table);
    if (root === undefined) throw new Error(`${table} was not staged`);
    for (const sql of retractPlan(root, staged, ids)) await connection.run(sql);
  }

  return commitStaged(nativeRunner(connection), loadId, staged);
}

async function rows(connection: DuckDBConnection, sql: string) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS();
}

describe('commitPlan', () => {
  let connection: DuckDBConnection;

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  it('creates the tables, records the load and drops staging', async () => {
    await load(connection, '1700000000.1', [
      {
        schema: studies,
        rows: [
          {
            id: 'A',
            is_stable: true,
            _dlt_id: 'a1',
            _dlt_load_id: '1700000000.1',
          },
        ],
      },
      { schema: series, rows: [] },
    ]);

    expect(
      await rows(
        connection,
        'SELECT id, is_stable FROM orthanc_data.studies_detail',
      ),
    ).toEqual([{ id: 'A', is_stable: true }]);
    expect(
      await rows(
        connection,
        'SELECT count(*) AS n FROM orthanc_data.studies_detail__series',
      ),
    ).toEqual([{ n: 0n }]);
    // the load names the schema version it left, as dlt's loads do
    const loads = await rows(
      connection,
      'SELECT load_id, l.schema_name, status, v.version ' +
        'FROM orthanc_data._dlt_loads AS l JOIN orthanc_data._dlt_version ' +
        'AS v ON v.version_hash = l.schema_version_hash',
    );
    expect(loads).toEqual([
      {
        load_id: '1700000000.1',
        schema_name: 'orthanc',
        status: 0n,
        version: 1n,
      },
    ]);
    expect(
      await rows(
        connection,
        `SELECT count(*) AS n FROM duckdb_schemas() WHERE schema_name = '${STAGING}'`,
      ),
    ).toEqual([{ n: 0n }]);
  });

  it('leaves out resources deleted during the load, children too', async () => {
    const link = (value: string, parent: string, index: number) => ({
      value,
      _dlt_id: `${value}-link`,
      _dlt_parent_id: parent,
      _dlt_list_idx: index,
      _dlt_root_id: parent,
    });
    await load(
      connection,
      'L1',
      [
        {
          schema: studies,
          rows: ['A', "B'); DROP TABLE x; --", 'C'].map((id, index) => ({
            id,
            is_stable: true,
            _dlt_id: `root-${index}`,
            _dlt_load_id: 'L1',
          })),
        },
        {
          schema: series,
          rows: [
            link('A-s1', 'root-0', 0),
            link('B-s1', 'root-1', 0),
            link('B-s2', 'root-1', 1),
            link('C-s1', 'root-2', 0),
          ],
        },
      ],
      [{ table: 'studies_detail', ids: ["B'); DROP TABLE x; --"] }],
    );

    expect(
      await rows(
        connection,
        'SELECT id FROM orthanc_data.studies_detail ORDER BY id',
      ),
    ).toEqual([{ id: 'A' }, { id: 'C' }]);
    expect(
      await rows(
        connection,
        'SELECT value FROM orthanc_data.studies_detail__series ORDER BY 1',
      ),
    ).toEqual([{ value: 'A-s1' }, { value: 'C-s1' }]);
  });

  it('merges by primary key and replaces the children of merged rows', async () => {
    await load(connection, 'L1', [
      {
        schema: studies,
        rows: [
          { id: 'A', is_stable: false, _dlt_id: 'a1', _dlt_load_id: 'L1' },
          { id: 'B', is_stable: true, _dlt_id: 'b1', _dlt_load_id: 'L1' },
        ],
      },
      {
        schema: series,
        rows: [
          {
            value: 'A-s1',
            _dlt_id: 'x1',
            _dlt_parent_id: 'a1',
            _dlt_list_idx: 0,
            _dlt_root_id: 'a1',
          },
          {
            value: 'A-s2',
            _dlt_id: 'x2',
            _dlt_parent_id: 'a1',
            _dlt_list_idx: 1,
            _dlt_root_id: 'a1',
          },
          {
            value: 'B-s1',
            _dlt_id: 'x3',
            _dlt_parent_id: 'b1',
            _dlt_list_idx: 0,
            _dlt_root_id: 'b1',
          },
        ],
      },
    ]);

    // A comes back twice in the second load (a shifted page): the last
    // copy wins, and only its children stay.
    const inserted = await load(connection, 'L2', [
      {
        schema: studies,
        rows: [
          { id: 'A', is_stable: false, _dlt_id: 'a2', _dlt_load_id: 'L2' },
          { id: 'A', is_stable: true, _dlt_id: 'a3', _dlt_load_id: 'L2' },
          { id: 'C', is_stable: true, _dlt_id: 'c1', _dlt_load_id: 'L2' },
        ],
      },
      {
        schema: series,
        rows: [
          {
            value: 'A-stale',
            _dlt_id: 'y0',
            _dlt_parent_id: 'a2',
            _dlt_list_idx: 0,
            _dlt_root_id: 'a2',
          },
          {
            value: 'A-s3',
            _dlt_id: 'y1',
            _dlt_parent_id: 'a3',
            _dlt_list_idx: 0,
            _dlt_root_id: 'a3',
          },
          {
            value: 'C-s1',
            _dlt_id: 'y2',
            _dlt_parent_id: 'c1',
            _dlt_list_idx: 0,
            _dlt_root_id: 'c1',
          },
        ],
      },
    ]);

    expect(inserted).toEqual({
      studies_detail: 2,
      studies_detail__series: 2,
    });
    expect(
      await rows(
        connection,
        'SELECT id, is_stable, _dlt_load_id FROM orthanc_data.studies_detail ORDER BY id',
      ),
    ).toEqual([
      { id: 'A', is_stable: true, _dlt_load_id: 'L2' },
      { id: 'B', is_stable: true, _dlt_load_id: 'L1' },
      { id: 'C', is_stable: true, _dlt_load_id: 'L2' },
    ]);
    expect(
      await rows(
        connection,
        'SELECT value FROM orthanc_data.studies_detail__series ORDER BY value',
      ),
    ).toEqual([{ value: 'A-s3' }, { value: 'B-s1' }, { value: 'C-s1' }]);
    expect(
      await rows(
        connection,
        'SELECT load_id FROM orthanc_data._dlt_loads ORDER BY load_id',
      ),
    ).toEqual([{ load_id: 'L1' }, { load_id: 'L2' }]);
  });

  it('replaces a table with its undeclared children and widens it', async () => {
    const patients: TableSchema = {
      name: 'patients',
      columns: [{ name: 'value', type: 'text' }],
      disposition: 'replace',
      primaryKey: [],
    };
    const labels: TableSchema = {
      name: 'patients__labels',
      parent: 'patients',
      columns: [{ name: 'value', type: 'text' }],
      disposition: 'replace',
      primaryKey: [],
    };
    await load(connection, 'L1', [
      { schema: patients, rows: [{ value: 'p1' }, { value: 'p2' }] },
      { schema: labels, rows: [{ value: 'Covid-19' }] },
    ]);
    await load(connection, 'L2', [
      {
        schema: patients,
        rows: [{ value: 'p3', file_size: 12 }],
        extra: { file_size: 'BIGINT' },
      },
    ]);

    expect(
      await rows(
        connection,
        'SELECT value, file_size FROM orthanc_data.patients',
      ),
    ).toEqual([{ value: 'p3', file_size: 12n }]);
    expect(
      await rows(
        connection,
        'SELECT count(*) AS n FROM orthanc_data.patients__labels',
      ),
    ).toEqual([{ n: 0n }]);
  });

  it('leaves the dataset untouched when a statement fails', async () => {
    const sizes: TableSchema = {
      name: 'instances_detail',
      columns: [
        { name: 'id', type: 'text' },
        { name: 'file_size', type: 'bigint' },
      ],
      disposition: 'merge',
      primaryKey: ['id'],
    };
    // a table made with the SQL view, with a rule the second load breaks
    await connection.run(`CREATE SCHEMA ${quoteIdent(DATASET)}`);
    await connection.run(
      'CREATE TABLE orthanc_data.instances_detail ' +
        '(id VARCHAR, file_size BIGINT CHECK (file_size >= 0))',
    );
    await load(connection, 'L1', [
      { schema: sizes, rows: [{ id: 'I1', file_size: 10 }] },
    ]);
    const wider: TableSchema = {
      ...sizes,
      columns: [...sizes.columns, { name: 'new_column', type: 'text' }],
    };

    await expect(
      load(connection, 'L2', [
        {
          schema: wider,
          rows: [{ id: 'I1', file_size: -1, new_column: 'x' }],
        },
      ]),
    ).rejects.toThrow(/CHECK constraint failed/);

    expect(
      await rows(connection, 'SELECT * FROM orthanc_data.instances_detail'),
    ).toEqual([{ id: 'I1', file_size: 10n }]);
    expect(
      await rows(connection, 'SELECT load_id FROM orthanc_data._dlt_loads'),
    ).toEqual([{ load_id: 'L1' }]);
    expect(
      await rows(connection, 'SELECT version FROM orthanc_data._dlt_version'),
    ).toEqual([{ version: 1n }]);
  });

  it('never changes the type of a column, and says why', async () => {
    const sizes: TableSchema = {
      name: 'instances_detail',
      columns: [
        { name: 'id', type: 'text' },
        { name: 'file_size', type: 'bigint' },
      ],
      disposition: 'merge',
      primaryKey: ['id'],
    };
    await load(connection, 'L1', [
      { schema: sizes, rows: [{ id: 'I1', file_size: 10 }] },
    ]);
    const textSizes: TableSchema = {
      ...sizes,
      columns: [
        { name: 'id', type: 'text' },
        { name: 'file_size', type: 'text' },
      ],
    };

    // A load whose schema did not start from the stored one: DuckDB
    // would turn '12' into 12 and refuse 'large'; neither happens.
    await expect(
      load(connection, 'L2', [
        { schema: textSizes, rows: [{ id: 'I2', file_size: '12' }] },
      ]),
    ).rejects.toThrow(
      'Column instances_detail.file_size holds BIGINT in the warehouse ' +
        'but VARCHAR in this load',
    );
    expect(
      await rows(connection, 'SELECT * FROM orthanc_data.instances_detail'),
    ).toEqual([{ id: 'I1', file_size: 10n }]);
  });

  it('keeps hostile table and key names as names', async () => {
    const odd: TableSchema = {
      name: 'we"ird; DROP TABLE x',
      columns: [
        { name: 'Key"', type: 'text' },
        { name: 'select', type: 'double' },
      ],
      disposition: 'merge',
      primaryKey: ['Key"'],
    };
    await load(connection, "it's", [
      { schema: odd, rows: [{ 'Key"': 'k', select: 1.5 }] },
    ]);
    await load(connection, 'L2', [
      { schema: odd, rows: [{ 'Key"': 'k', select: 2.5 }] },
    ]);
    expect(
      await rows(connection, `SELECT * FROM ${qualified(DATASET, odd.name)}`),
    ).toEqual([{ 'Key"': 'k', select: 2.5 }]);
    expect(
      await rows(
        connection,
        'SELECT load_id FROM orthanc_data._dlt_loads ORDER BY 1',
      ),
    ).toEqual([{ load_id: 'L2' }, { load_id: "it's" }]);
  });
});
