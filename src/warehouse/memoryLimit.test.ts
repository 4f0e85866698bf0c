// The memory ceiling (C25) on DuckDB-WASM, the build the page runs: a load
// whose staging outgrows memory_limit fails with an error the page tells
// apart (code `memory_limit`, not retryable), and the database is still
// there afterwards, the earlier load's tables exactly as they were. Also
// the other shapes running out of memory takes: a wasm heap that cannot
// grow, a RangeError of the crawl worker's heap.

import { describe, expect, it } from 'vitest';

import {
  isMemoryExhaustion,
  memoryLimitMessage,
  toErrorData,
} from '../lib/errors';
import { replayFetch } from '../orthanc/replayFetch';
import {
  collectCrawl,
  testConnection,
} from '../pipeline/fixtures/collectCrawl';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import type { Row } from '../pipeline/rows';
import {
  HarnessLoad,
  loadEvents,
  type SqlRunner,
  wasmRunner,
} from './fixtures/warehouseHarness';
import { memoryLimitSql } from './memoryLimit';
import { DATASET, quoteIdent, quoteLiteral, STAGING } from './sql';
import { toWarehouseError } from './warehouseError';

/** Each table of the dataset with its row count and a digest of its rows. */
async function digests(sql: SqlRunner): Promise<string[]> {
  const tables = await sql.rows(
    `SELECT table_name FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)} ORDER BY table_name`,
  );
  const out: string[] = [];
  for (const { table_name } of tables) {
    const name = `${quoteIdent(DATASET)}.${quoteIdent(String(table_name))}`;
    const [row] = await sql.rows(
      `SELECT count(*) AS n, md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) AS d ` +
        `FROM (SELECT t::VARCHAR AS r FROM ${name} AS t)`,
    );
    out.push(`${String(table_name)} ${String(row?.n)} ${String(row?.d)}`);
  }
  return out;
}

describe('the memory ceiling', () => {
  it('stops a load that outgrows memory_limit and keeps the warehouse', async () => {
    const replay = replayFetch(testConnection.baseUrl, loadFixtures('1.10.1'));
    const { events, result, tables, rows } = await collectCrawl(replay.fetch);
    const sql = await wasmRunner();
    await loadEvents(sql, 'L1', events, result.state);
    const before = await digests(sql);
    expect(before.length).toBeGreaterThan(10);

    // The next load stages copies of the instances until DuckDB refuses.
    await sql.run(memoryLimitSql(32));
    await sql.run("SET temp_directory = ''");
    const load = new HarnessLoad(sql, 'L2');
    for (const schema of tables.values()) await load.declare(schema);
    const schema = tables.get('instances_detail');
    const instances = rows.get('instances_detail') ?? [];
    expect(schema).toBeDefined();
    expect(instances.length).toBeGreaterThan(0);
    const batch: Row[] = [];
    while (batch.length < 20_000) batch.push(...instances);

    let failure: unknown = null;
    let staged = 0;
    for (let round = 0; round < 200 && failure === null; round++) {
      try {
        if (schema) await load.ingest(schema, batch);
        staged += batch.length;
      } catch (error) {
        failure = error;
      }
    }
    const error = toWarehouseError(failure);
    expect(error.code).toBe('memory_limit');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^The browser memory limit was reached\. .*Out of Memory Error/s,
    );
    // the ceiling came, and not before a few batches were staged
    expect(staged).toBeGreaterThan(0);

    // As LoadSession.abort does: staging goes, the dataset stays.
    await sql.run(`DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`);
    await sql.run(`DROP SCHEMA IF EXISTS orthanc_data_ingest CASCADE`);
    expect(await digests(sql)).toEqual(before);
    const [count] = await sql.rows(
      'SELECT count(*) AS n FROM orthanc_data.instances_detail',
    );
    expect(Number(count?.n)).toBe(instances.length);
  }, 60_000);

  it('tells running out of memory apart from other failures', () => {
    const wasmHeap = new Error(
      'Cannot enlarge memory, requested 4294967296 bytes',
    );
    expect(toWarehouseError(wasmHeap).code).toBe('memory_limit');
    expect(toWarehouseError(new Error('std::bad_alloc')).code).toBe(
      'memory_limit',
    );
    expect(
      toWarehouseError(new Error('Catalog Error: Table x does not exist!'))
        .code,
    ).toBe('warehouse');

    // the crawl worker's own heap, as it crosses to the page
    for (const message of [
      'Array buffer allocation failed',
      'Invalid string length',
      'Invalid array length',
    ]) {
      expect(toErrorData(new RangeError(message))).toEqual({
        code: 'memory_limit',
        message,
        retryable: false,
      });
    }
    // a RangeError that is not about memory stays what it is
    expect(toErrorData(new RangeError('unknown resources: x')).code).toBe(
      'internal',
    );
    expect(isMemoryExhaustion(new Error('Failed to fetch'))).toBe(false);
  });

  it('says how far the load came and what to do', () => {
    expect(memoryLimitMessage(246_000)).toBe(
      'Browser memory limit reached after 246,000 instances; the ' +
        'warehouse is as it was before this load. Raise the Memory limit ' +
        'in the Advanced settings, leave out big resources such as ' +
        'instances_tags (every tag of every instance), or close other ' +
        'tabs, then load again.',
    );
    expect(memoryLimitMessage(80_000, true)).toMatch(
      /after 80,000 instances;.* then Resume: what this load fetched is kept\.$/,
    );
  });
});
