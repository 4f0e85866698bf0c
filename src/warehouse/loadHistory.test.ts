// The load history against a real DuckDB (native, the same SQL dialect as
// DuckDB-WASM): what a commit counts as added, changed and removed per
// table, and the records of loads that completed, failed or resumed.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import type { TableSchema } from '../pipeline/schema';
import type { TableChange } from './commitCounts';
import type { StagedTable } from './commitPlan';
import { commitStaged, nativeRunner } from './fixtures/warehouseHarness';
import { readRows } from './fixtures/commitRows';
import { recordLoadSql } from './loadRecord';
import type { LoadRecord } from './loadRecord';
import {
  SQL_TYPES,
  STAGING,
  createTableSql,
  qualified,
  quoteIdent,
  quoteLiteral,
} from './sql';

type Row = Record<string, string | number>;
type Disposition = TableSchema['disposition'];

function studies(disposition: Disposition): TableSchema {
  return {
    name: 'studies_detail',
    columns: [
      { name: 'id', type: 'text' },
      { name: '_dlt_id', type: 'text' },
    ],
    disposition,
    primaryKey: ['id'],
  };
}

function series(disposition: Disposition): TableSchema {
  return {
    name: 'studies_detail__series',
    parent: 'studies_detail',
    columns: [
      { name: 'value', type: 'text' },
      { name: '_dlt_id', type: 'text' },
      { name: '_dlt_root_id', type: 'text' },
    ],
    disposition,
    primaryKey: [],
  };
}

const errors: TableSchema = {
  name: '_crawl_errors',
  columns: [{ name: 'path', type: 'text' }],
  disposition: 'append',
  primaryKey: [],
};

/** A study row and its series rows, keyed as the normalizer keys them. */
function study(id: string, seriesCount: number, run: string) {
  const root = { id, _dlt_id: `${id}-${run}` };
  const children = Array.from({ length: seriesCount }, (_, i) => ({
    value: `${id}.${i}`,
    _dlt_id: `${id}.${i}-${run}`,
    _dlt_root_id: root._dlt_id,
  }));
  return { root, children };
}

async function load(
  connection: DuckDBConnection,
  loadId: string,
  tables: { schema: TableSchema; rows: Row[] }[],
  removals: { table: string; column: string; ids: string[] }[] = [],
): Promise<Record<string, TableChange>> {
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STAGING)}`);
  const staged: StagedTable[] = [];
  for (const { schema, rows } of tables) {
    const columns = schema.columns.map((c) => ({
      name: c.name,
      sqlType: SQL_TYPES[c.type],
    }));
    await connection.run(createTableSql(STAGING, schema.name, columns));
    for (const row of rows) {
      const names = Object.keys(row).map(quoteIdent).join(', ');
      const values = Object.values(row)
        .map((v) => quoteLiteral(String(v)))
        .join(', ');
      await connection.run(
        `INSERT INTO ${qualified(STAGING, schema.name)} (${names}) VALUES (${values})`,
      );
    }
    staged.push({ schema, columns, rowCount: rows.length });
  }
  const changes: Record<string, TableChange> = {};
  await commitStaged(
    nativeRunner(connection),
    loadId,
    staged,
    undefined,
    removals,
    {},
    changes,
  );
  return changes;
}

async function count(connection: DuckDBConnection, table: string) {
  const [row] = await readRows(
    connection,
    `SELECT count(*)::INTEGER AS n FROM orthanc_data.${quoteIdent(table)}`,
  );
  return row?.n;
}

describe('what a commit did to each table', () => {
  let connection: DuckDBConnection;

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  it('counts a replaced table: rows written added, rows before removed', async () => {
    const a = study('A', 2, '1');
    const b = study('B', 1, '1');
    const first = await load(connection, '1.0', [
      { schema: studies('replace'), rows: [a.root, b.root] },
      { schema: series('replace'), rows: [...a.children, ...b.children] },
      { schema: errors, rows: [{ path: '/studies/X' }] },
    ]);
    expect(first).toEqual({
      studies_detail: { added: 2, changed: 0, removed: 0 },
      studies_detail__series: { added: 3, changed: 0, removed: 0 },
      _crawl_errors: { added: 1, changed: 0, removed: 0 },
    });

    const c = study('C', 4, '2');
    const second = await load(connection, '2.0', [
      { schema: studies('replace'), rows: [c.root] },
      { schema: series('replace'), rows: c.children },
    ]);
    expect(second).toEqual({
      studies_detail: { added: 1, changed: 0, removed: 2 },
      studies_detail__series: { added: 4, changed: 0, removed: 3 },
    });
    expect(await count(connection, 'studies_detail__series')).toBe(4);
  });

  it('counts a merge: known keys changed, new ones added, removals removed', async () => {
    const a = study('A', 2, '1');
    const b = study('B', 1, '1');
    await load(connection, '1.0', [
      { schema: studies('replace'), rows: [a.root, b.root] },
      { schema: series('replace'), rows: [...a.children, ...b.children] },
    ]);

    // A comes back twice (pages shift) with a third series, C is new, and
    // B was deleted on the server
    const early = study('A', 1, '2a');
    const again = study('A', 3, '2');
    const c = study('C', 1, '2');
    const synced = await load(
      connection,
      '2.0',
      [
        { schema: studies('merge'), rows: [early.root, again.root, c.root] },
        {
          schema: series('merge'),
          rows: [...early.children, ...again.children, ...c.children],
        },
      ],
      [{ table: 'studies_detail', column: 'id', ids: ['B'] }],
    );
    expect(synced).toEqual({
      studies_detail: { added: 1, changed: 1, removed: 1 },
      studies_detail__series: { added: 1, changed: 3, removed: 1 },
    });
    expect(await count(connection, 'studies_detail')).toBe(2);
    expect(await count(connection, 'studies_detail__series')).toBe(4);
  });

  it('counts a merge into a table the dataset does not have yet as added', async () => {
    const a = study('A', 2, '1');
    const first = await load(connection, '1.0', [
      { schema: studies('merge'), rows: [a.root] },
      { schema: series('merge'), rows: a.children },
    ]);
    expect(first).toEqual({
      studies_detail: { added: 1, changed: 0, removed: 0 },
      studies_detail__series: { added: 2, changed: 0, removed: 0 },
    });
  });
});

describe('the records of loads', () => {
  let connection: DuckDBConnection;

  const record = (change: Partial<LoadRecord>): LoadRecord => ({
    loadId: '1764864000.000000',
    kind: 'load',
    status: 'completed',
    startedAt: 1_764_864_000_000,
    finishedAt: 1_764_864_002_500,
    requests: 12,
    bytes: 34_567,
    retries: 2,
    message: null,
    tables: {},
    ...change,
  });

  async function write(entry: LoadRecord) {
    await connection.run('BEGIN TRANSACTION');
    for (const sql of recordLoadSql(entry)) await connection.run(sql);
    await connection.run('COMMIT');
  }

  const loads = () =>
    readRows(
      connection,
      `SELECT load_id, kind, status, strftime(started_at, '%Y-%m-%d %H:%M:%S.%g') AS started,
              duration_ms, requests, bytes, retries, crawl_errors, message
       FROM orthanc_history.loads ORDER BY started_at, load_id`,
    );

  const tables = () =>
    readRows(
      connection,
      `SELECT load_id, table_name, rows_added, rows_changed, rows_removed
       FROM orthanc_history.load_tables ORDER BY load_id, table_name`,
    );

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  it('keeps a completed load with its tables and its skipped requests', async () => {
    await write(
      record({
        tables: {
          studies_detail: { added: 5, changed: 0, removed: 1 },
          _crawl_errors: { added: 3, changed: 0, removed: 0 },
        },
      }),
    );
    expect(await loads()).toEqual([
      {
        load_id: '1764864000.000000',
        kind: 'load',
        status: 'completed',
        started: '2025-12-04 16:00:00.000',
        duration_ms: '2500',
        requests: '12',
        bytes: '34567',
        retries: '2',
        crawl_errors: '3',
        message: null,
      },
    ]);
    expect(await tables()).toEqual([
      {
        load_id: '1764864000.000000',
        table_name: '_crawl_errors',
        rows_added: '3',
        rows_changed: '0',
        rows_removed: '0',
      },
      {
        load_id: '1764864000.000000',
        table_name: 'studies_detail',
        rows_added: '5',
        rows_changed: '0',
        rows_removed: '1',
      },
    ]);
  });

  it('keeps a message as data, quotes and all', async () => {
    const message = `It's "odd"'); DROP TABLE x; --\0`;
    await write(record({ status: 'failed', message }));
    const [row] = await loads();
    expect(row?.message).toBe(`It's "odd"'); DROP TABLE x; --\uFFFD`);
  });

  it('lets a resumed run replace the record of the run that stopped', async () => {
    await write(record({ status: 'failed', message: 'gone', requests: 40 }));
    await write(
      record({
        finishedAt: 1_764_864_009_000,
        requests: 7,
        tables: { studies_detail: { added: 2, changed: 0, removed: 0 } },
      }),
    );
    const [row, ...rest] = await loads();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      status: 'completed',
      requests: '7',
      message: null,
      duration_ms: '9000',
    });
    expect((await tables()).map((t) => t.table_name)).toEqual([
      'studies_detail',
    ]);
  });

  it('never turns a completed load into a failed one', async () => {
    await write(
      record({ tables: { patients: { added: 1, changed: 0, removed: 0 } } }),
    );
    await write(record({ status: 'failed', message: 'save failed' }));
    const rows = await loads();
    expect(rows.map((r) => [r.status, r.message])).toEqual([
      ['completed', null],
    ]);
    expect(await tables()).toHaveLength(1);
  });
});
