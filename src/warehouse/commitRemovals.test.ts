// A sync's removals in the commit, against a real DuckDB (native, the
// same SQL as DuckDB-WASM): rows of resources deleted on the server go
// with their child rows, in the commit's transaction, after this load's
// rows are in; a table the warehouse never had is no error.

import { DuckDBInstance } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import type { CellValue, Row } from '../pipeline/rows';
import type { TableSchema } from '../pipeline/schema';
import { commitPlan } from './commitPlan';
import { HarnessLoad, nativeRunner } from './fixtures/warehouseHarness';
import type { SqlRunner } from './fixtures/warehouseHarness';
import { nextSchemaVersion } from './schemaVersion';

const studies: TableSchema = {
  name: 'studies_detail',
  columns: [
    { name: 'id', type: 'text' },
    { name: '_dlt_id', type: 'text' },
    { name: '_dlt_load_id', type: 'text' },
  ],
  disposition: 'merge',
  primaryKey: ['id'],
};

const seriesLinks: TableSchema = {
  name: 'studies_detail__series',
  parent: 'studies_detail',
  columns: [
    { name: 'value', type: 'text' },
    { name: '_dlt_root_id', type: 'text' },
    { name: '_dlt_parent_id', type: 'text' },
    { name: '_dlt_list_idx', type: 'bigint' },
    { name: '_dlt_id', type: 'text' },
  ],
  disposition: 'merge',
  primaryKey: [],
  listOf: { table: 'studies_detail', path: ['Series'] },
};

function row(values: Record<string, CellValue>): Row {
  return new Map(Object.entries(values));
}

/** A study with its series, as the normalizer makes them. */
function study(id: string, series: string[], loadId: string) {
  const root = row({ id, _dlt_id: `r-${id}`, _dlt_load_id: loadId });
  const links = series.map((value, index) =>
    row({
      value,
      _dlt_root_id: `r-${id}`,
      _dlt_parent_id: `r-${id}`,
      _dlt_list_idx: BigInt(index),
      _dlt_id: `c-${id}-${index}`,
    }),
  );
  return { root, links };
}

async function stage(
  sql: SqlRunner,
  loadId: string,
  list: ReturnType<typeof study>[],
): Promise<HarnessLoad> {
  const load = new HarnessLoad(sql, loadId);
  await load.declare(studies);
  await load.declare(seriesLinks);
  await load.ingest(
    studies,
    list.map((s) => s.root),
  );
  await load.ingest(
    seriesLinks,
    list.flatMap((s) => s.links),
  );
  return load;
}

const state = { cursors: {}, statistics: null };

describe('removals in the commit', () => {
  let sql: SqlRunner;

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    sql = nativeRunner(await instance.connect());
    const first = await stage(sql, 'L1', [
      study('A', ['a1', 'a2'], 'L1'),
      study("B'); DROP TABLE x; --", ['b1'], 'L1'),
      study('C', ['c1'], 'L1'),
    ]);
    await first.commit(state);
  });

  it('removes the rows and their child rows, and counts them', async () => {
    const sync = await stage(sql, 'L2', [study('C', ['c1', 'c2'], 'L2')]);
    sync.remove('studies_detail', 'id', ['A', "B'); DROP TABLE x; --"]);
    const removed: Record<string, number> = {};
    await sync.commit(state, removed);

    expect(
      await sql.rows(
        'SELECT id, _dlt_load_id FROM orthanc_data.studies_detail ORDER BY id',
      ),
    ).toEqual([{ id: 'C', _dlt_load_id: 'L2' }]);
    expect(
      await sql.rows(
        'SELECT value FROM orthanc_data.studies_detail__series ORDER BY value',
      ),
    ).toEqual([{ value: 'c1' }, { value: 'c2' }]);
    expect(removed).toEqual({ studies_detail: 2, studies_detail__series: 3 });
    expect(
      await sql.rows('SELECT count(*) AS n FROM orthanc_data._dlt_loads'),
    ).toEqual([{ n: 2n }]);
  });

  it('removes what this load staged too: removals come last', async () => {
    const sync = await stage(sql, 'L2', [study('A', ['a3'], 'L2')]);
    sync.remove('studies_detail', 'id', ['A']);
    await sync.commit(state);

    expect(
      await sql.rows(
        'SELECT value FROM orthanc_data.studies_detail__series ORDER BY value',
      ),
    ).toEqual([{ value: 'b1' }, { value: 'c1' }]);
  });

  it('skips a table or a column the warehouse does not have', () => {
    const plan = commitPlan({
      loadId: 'L2',
      tables: [],
      existing: new Map([
        [
          'studies_detail',
          { name: 'studies_detail', columns: new Set(['id', '_dlt_id']) },
        ],
      ]),
      schema: nextSchemaVersion(null, []),
      removals: [
        { table: 'instances_tags', column: 'id', ids: ['X'] },
        { table: 'studies_detail', column: 'parent_series', ids: ['X'] },
        { table: 'studies_detail', column: 'id', ids: [] },
      ],
    });
    expect(plan.filter((step) => step.removesFrom !== undefined)).toEqual([]);
  });

  it('deletes in chunks of a thousand IDs', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `gone-${i}`);
    const sync = await stage(sql, 'L2', []);
    sync.remove('studies_detail', 'id', [...ids, 'A']);
    const removed: Record<string, number> = {};
    await sync.commit(state, removed);
    expect(removed).toEqual({ studies_detail: 1, studies_detail__series: 2 });
  });
});
