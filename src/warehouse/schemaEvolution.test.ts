// Loads in a row against a real DuckDB, each starting from the schema the
// one before left in `_dlt_version`: a key that changes type, a key that
// appears, a server that is upgraded, and what `_dlt_version` and
// `_dlt_pipeline_state` hold afterwards.

import { DuckDBInstance } from '@duckdb/node-api';
import { beforeEach, describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import type { CrawlState } from '../pipeline/crawlState';
import {
  collectCrawl,
  testConnection,
} from '../pipeline/fixtures/collectCrawl';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { NamingConvention } from '../pipeline/naming';
import { RelationalNormalizer, type RootSpec } from '../pipeline/normalize';
import { TableBuffers } from '../pipeline/tableBuffers';
import { TableRegistry } from '../pipeline/tableRegistry';
import {
  loadEvents,
  nativeRunner,
  type SqlRunner,
  storedSchemaOf,
} from './fixtures/warehouseHarness';

const things: RootSpec = {
  name: 'things',
  disposition: 'merge',
  primaryKey: ['id'],
  columns: [{ name: 'id', type: 'text' }],
};

/** One load of `items`, normalized from the stored schema, committed. */
async function loadThings(
  sql: SqlRunner,
  loadId: string,
  items: unknown[],
  state: CrawlState = { cursors: {}, statistics: null },
) {
  const registry = new TableRegistry(
    new NamingConvention(),
    await storedSchemaOf(sql),
  );
  const normalizer = new RelationalNormalizer(registry, loadId);
  const buffers = new TableBuffers(registry);
  // as the crawl does: the table is declared first, rows or not
  registry.root(things);
  const events = [...buffers.schemaIfChanged(things.name)];
  for (const item of items) buffers.add(normalizer.normalize(item, things));
  events.push(...buffers.drain(true));
  return loadEvents(sql, loadId, events, state);
}

/** Every column of a table of the dataset with DuckDB's type. */
async function columnTypes(sql: SqlRunner, table: string) {
  const rows = await sql.rows(
    `SELECT column_name, data_type FROM duckdb_columns() ` +
      `WHERE schema_name = 'orthanc_data' AND table_name = '${table}' ` +
      'ORDER BY column_index',
  );
  return rows.map((row) => [row.column_name, row.data_type]);
}

describe('loads in a row', () => {
  let sql: SqlRunner;

  beforeEach(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    sql = nativeRunner(await instance.connect());
  });

  it('keep a column text when a later load brings numbers, and lose no value', async () => {
    await loadThings(sql, 'L1', [{ ID: 'a', Size: 'large' }], {
      cursors: { changes: 58, exports: 1 },
      statistics: null,
    });
    await loadThings(sql, 'L2', [{ ID: 'b', Size: 12, Colour: 'red' }], {
      cursors: { changes: 60 },
      statistics: null,
    });

    expect(await columnTypes(sql, 'things')).toEqual([
      ['id', 'VARCHAR'],
      ['size', 'VARCHAR'],
      ['_dlt_load_id', 'VARCHAR'],
      ['_dlt_id', 'VARCHAR'],
      ['size__v_bigint', 'BIGINT'],
      ['colour', 'VARCHAR'],
    ]);
    expect(
      await sql.rows(
        'SELECT id, size, size__v_bigint, colour, _dlt_load_id ' +
          'FROM orthanc_data.things ORDER BY id',
      ),
    ).toEqual([
      {
        id: 'a',
        size: 'large',
        size__v_bigint: null,
        colour: null,
        _dlt_load_id: 'L1',
      },
      {
        id: 'b',
        size: null,
        size__v_bigint: 12n,
        colour: 'red',
        _dlt_load_id: 'L2',
      },
    ]);

    // text after numbers: the other way round, the same
    await loadThings(sql, 'L3', [{ ID: 'c', Size: 'small' }]);
    expect(
      await sql.rows(
        'SELECT size FROM orthanc_data.things WHERE id = ' + "'c'",
      ),
    ).toEqual([{ size: 'small' }]);
  });

  it('write a schema version only when the schema changed', async () => {
    await loadThings(sql, 'L1', [{ ID: 'a', Size: 'large' }]);
    await loadThings(sql, 'L2', [{ ID: 'b', Size: 12 }]);
    await loadThings(sql, 'L3', [{ ID: 'c', Size: 13 }]);

    const versions = await sql.rows(
      'SELECT version, schema_name, version_hash, schema ' +
        'FROM orthanc_data._dlt_version ORDER BY version',
    );
    expect(versions.map((v) => [v.version, v.schema_name])).toEqual([
      [1n, 'orthanc'],
      [2n, 'orthanc'],
    ]);
    expect(versions[0]?.version_hash).not.toBe(versions[1]?.version_hash);
    const latest = JSON.parse(String(versions[1]?.schema)) as {
      version: number;
      tables: { name: string; columns: { name: string }[] }[];
    };
    expect(latest.version).toBe(2);
    expect(
      latest.tables
        .find((t) => t.name === 'things')
        ?.columns.map((c) => c.name),
    ).toContain('size__v_bigint');

    // each load names the version it left
    expect(
      await sql.rows(
        'SELECT l.load_id, v.version FROM orthanc_data._dlt_loads AS l ' +
          'JOIN orthanc_data._dlt_version AS v ' +
          'ON v.version_hash = l.schema_version_hash ORDER BY l.load_id',
      ),
    ).toEqual([
      { load_id: 'L1', version: 1n },
      { load_id: 'L2', version: 2n },
      { load_id: 'L3', version: 2n },
    ]);
  });

  it('keep the last Seq read of each log for the next load', async () => {
    await loadThings(sql, 'L1', [{ ID: 'a' }], {
      cursors: { changes: 58, exports: 1 },
      statistics: {
        patients: 7,
        studies: 7,
        series: 9,
        instances: 12,
        diskSizeBytes: '15882',
      },
    });
    // the second load reads the changes only, and nothing new
    await loadThings(sql, 'L2', [{ ID: 'a' }], {
      cursors: { changes: 58 },
      statistics: null,
    });
    await loadThings(sql, 'L3', [{ ID: 'a' }], {
      cursors: { changes: 64 },
      statistics: null,
    });

    const states = await sql.rows(
      'SELECT version, pipeline_name, _dlt_load_id, ' +
        "json_extract(state, '$.sources.orthanc.resources.changes" +
        ".incremental.Seq.last_value')::BIGINT AS changes, " +
        "json_extract(state, '$.sources.orthanc.resources.exports" +
        ".incremental.Seq.last_value')::BIGINT AS exports, " +
        "json_extract_string(state, '$.sources.orthanc.statistics" +
        ".diskSizeBytes') AS disk " +
        'FROM orthanc_data._dlt_pipeline_state ORDER BY version',
    );
    expect(states).toEqual([
      {
        version: 1n,
        pipeline_name: 'orthanc',
        _dlt_load_id: 'L1',
        changes: 58n,
        exports: 1n,
        disk: '15882',
      },
      {
        version: 2n,
        pipeline_name: 'orthanc',
        _dlt_load_id: 'L3',
        changes: 64n,
        exports: 1n,
        disk: '15882',
      },
    ]);
  });

  it('take a server upgrade in stride: new keys and lists add to the schema', async () => {
    const crawl = async (version: string, loadId: string) => {
      const replay = replayFetch(testConnection.baseUrl, loadFixtures(version));
      const stored = await storedSchemaOf(sql);
      const { events, result } = await collectCrawl(replay.fetch, {
        loadId,
        ...(stored ? { schema: stored } : {}),
      });
      await loadEvents(sql, loadId, events, result.state);
      return result;
    };

    await crawl('1.10.1', 'L1');
    const before = await sql.rows(
      "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'orthanc_data'",
    );
    const result = await crawl('1.12.7', 'L2');

    // 1.12 adds the labels of studies as a child table
    expect(
      await sql.rows(
        'SELECT value FROM orthanc_data.studies_detail__labels ORDER BY value',
      ),
    ).toEqual([
      { value: 'COVID_19' },
      { value: 'Covid-19' },
      { value: 'covid_19' },
    ]);
    const after = await sql.rows(
      "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'orthanc_data'",
    );
    expect(after).toEqual(expect.arrayContaining(before));
    expect(
      await sql.rows('SELECT count(*) AS n FROM orthanc_data.studies_detail'),
    ).toEqual([{ n: BigInt(result.rows.studies_detail ?? -1) }]);
    expect(
      await sql.rows('SELECT version FROM orthanc_data._dlt_version'),
    ).toEqual([{ version: 1n }, { version: 2n }]);
    expect(result.state.cursors).toEqual({ changes: 58, exports: 1 });
  });
});
