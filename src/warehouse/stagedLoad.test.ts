// A load that stops and resumes, from the warehouse's side, in DuckDB-WASM
// (the build the page runs, here in Node): the crawl of a replayed
// Orthanc 1.10.1 that goes away after 7 pages is staged the way
// LoadSession stages it (batches of the paged tables wait for the
// checkpoints, pendingBatches.ts, stagedLoad.ts) and suspended; what the
// warehouse kept is read back as a reload would; the load resumes from
// it and commits. Its dataset must equal that of one load without
// faults, table by table, and until then the dataset must not change.

import { createRequire } from 'node:module';

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import * as wasm from '@duckdb/duckdb-wasm/blocking';
import { describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import { toArrowBatch } from '../pipeline/arrowBatch';
import { pagedTables } from '../pipeline/crawlCheckpoint';
import type { CrawlEvent } from '../pipeline/crawlEvents';
import {
  BASE,
  crawlEvents,
  dyingServer,
  fixtures,
} from '../pipeline/fixtures/dyingServer';
import {
  isLevelResource,
  type Level,
  selectResources,
} from '../pipeline/resources';
import type { CrawlCheckpoint } from '../pipeline/crawlCheckpoint';
import type { CrawlState } from '../pipeline/crawlState';
import type { TableSchema } from '../pipeline/schema';
import type { StagedTable } from './commitPlan';
import {
  commitStaged,
  type ResultRow,
  type SqlRunner,
} from './fixtures/warehouseHarness';
import { applyBatches, type PendingBatch } from './pendingBatches';
import { retractPlan } from './retractPlan';
import { numberColumn, stringColumn } from './resultColumn';
import {
  addColumnsSql,
  createTableSql,
  DATASET,
  identKey,
  INGEST,
  qualified,
  quoteIdent,
  quoteLiteral,
  SQL_TYPES,
  STAGING,
} from './sql';
import {
  isCheckpointed,
  keptRows,
  parseStagedLoad,
  prepareResume,
  readStagedLoad,
  recordSql,
  resumePlan,
  resumeRefusal,
  serverOf,
  type StagedLoad,
  type StagedLoadStart,
} from './stagedLoad';

/** Tables that differ between two loads by design. */
const perLoad = new Set([
  '_dlt_loads',
  '_dlt_version',
  '_dlt_pipeline_state',
  'tools_metrics_prometheus',
]);

/** A DuckDB-WASM of its own, behind what LoadSession uses of one. */
async function openWarehouse() {
  const require = createRequire(import.meta.url);
  const module = (name: string) =>
    require.resolve(`@duckdb/duckdb-wasm/dist/${name}`);
  const db = await wasm.createDuckDB(
    {
      mvp: { mainModule: module('duckdb-mvp.wasm'), mainWorker: '' },
      eh: { mainModule: module('duckdb-eh.wasm'), mainWorker: '' },
    },
    new wasm.VoidLogger(),
    wasm.NODE_RUNTIME,
  );
  await db.instantiate();
  db.open({ path: ':memory:' });
  const blocking = db.connect();
  const connection = {
    query: (sql: string) => Promise.resolve(blocking.query(sql)),
    insertArrowFromIPCStream: (
      ipc: Uint8Array,
      options: { schema: string; name: string; create: boolean },
    ) => {
      blocking.insertArrowFromIPCStream(ipc, options);
      return Promise.resolve();
    },
  } as unknown as AsyncDuckDBConnection;
  const sql: SqlRunner = {
    run: async (text) => {
      await connection.query(text);
    },
    rows: async (text) =>
      (await connection.query(text))
        .toArray()
        .map((row) => (row as { toJSON(): ResultRow }).toJSON()),
  };
  await connection.query(`CREATE SCHEMA ${quoteIdent(STAGING)}`);
  await connection.query(`CREATE SCHEMA ${quoteIdent(INGEST)}`);
  await connection.query(`CREATE SCHEMA ${quoteIdent(DATASET)}`);
  return { connection, sql };
}

const start: StagedLoadStart = {
  loadId: 'load-1',
  server: serverOf('http://demo:secret@127.0.0.1:8042/'),
  startedAt: '2026-12-04T14:00:00.000Z',
  resources: selectResources().map((r) => r.name),
  pageSize: 2,
};

/** A load as LoadSession stages it, step for step. */
class Load {
  private readonly staged = new Map<string, StagedTable>();
  private pending: PendingBatch[] = [];
  private batches = 0;
  private record: StagedLoad | null = null;
  private readonly paged = new Set(
    pagedTables(selectResources()).map(identKey),
  );

  constructor(
    private readonly connection: AsyncDuckDBConnection,
    private readonly sql: SqlRunner,
  ) {}

  adopt(tables: readonly StagedTable[], record: StagedLoad): void {
    for (const table of tables) {
      this.staged.set(identKey(table.schema.name), table);
    }
    this.record = record;
  }

  async declareTable(schema: TableSchema): Promise<void> {
    const columns = schema.columns.map((c) => ({
      name: c.name,
      sqlType: SQL_TYPES[c.type],
    }));
    const current = this.staged.get(identKey(schema.name));
    if (current === undefined) {
      await this.connection.query(
        createTableSql(STAGING, schema.name, columns),
      );
      this.staged.set(identKey(schema.name), { schema, columns, rowCount: 0 });
      return;
    }
    const existing = new Set(current.columns.map((c) => identKey(c.name)));
    for (const text of addColumnsSql(STAGING, schema.name, existing, columns)) {
      await this.connection.query(text);
    }
    current.columns = columns;
    current.schema = schema;
  }

  async ingest(table: string, ipc: Uint8Array, rows: number): Promise<void> {
    const staged = this.staged.get(identKey(table));
    if (staged === undefined) throw new Error(`${table} not declared`);
    const waits = isCheckpointed(staged.schema, this.paged);
    const name = `batch_${++this.batches}`;
    await this.connection.insertArrowFromIPCStream(ipc, {
      schema: INGEST,
      name,
      create: true,
    });
    const batch = { key: identKey(table), table: name };
    if (waits) {
      this.pending.push(batch);
      return;
    }
    await applyBatches(this.connection, [batch], this.staged, []);
    staged.rowCount += rows;
  }

  async checkpoint(checkpoint: CrawlCheckpoint): Promise<void> {
    const record: StagedLoad = {
      ...start,
      version: 1,
      savedAt: new Date().toISOString(),
      checkpoint,
      staged: [...this.staged.values()].map((t) => t.schema),
    };
    await this.apply(recordSql(record));
    this.record = record;
  }

  async retract(table: string, ids: string[]): Promise<void> {
    const root = this.staged.get(identKey(table));
    if (root === undefined) return;
    await this.apply(retractPlan(root, [...this.staged.values()], ids));
  }

  async suspend(reason: string): Promise<void> {
    if (this.record === null) throw new Error('nothing to keep');
    await this.connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
    );
    const record = {
      ...this.record,
      stoppedAt: new Date().toISOString(),
      error: reason,
    };
    await applyBatches(this.connection, [], this.staged, recordSql(record));
  }

  async stagedValues(table: string, column: string): Promise<string[]> {
    const result = await this.connection.query(
      `SELECT ${quoteIdent(column)} AS v FROM ${qualified(STAGING, table)}`,
    );
    return stringColumn(result, 'v');
  }

  async commit(state: CrawlState): Promise<void> {
    await this.apply([]);
    await commitStaged(this.sql, 'load-1', [...this.staged.values()], state);
    await this.connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
    );
  }

  private async apply(extra: readonly string[]): Promise<void> {
    const inserted = await applyBatches(
      this.connection,
      this.pending,
      this.staged,
      extra,
    );
    this.pending = [];
    for (const [key, rows] of inserted) {
      const staged = this.staged.get(key);
      if (staged) staged.rowCount += rows;
    }
  }
}

/** Hands a crawl's events to a load, as the page does. */
async function stage(session: Load, events: readonly CrawlEvent[]) {
  for (const event of events) {
    if (event.type === 'table') await session.declareTable(event.schema);
    if (event.type === 'rows') {
      const ipc = toArrowBatch(event.schema, event.rows);
      await session.ingest(event.table, ipc, event.rows.length);
    }
    if (event.type === 'retract') {
      await session.retract(event.table, event.ids);
    }
    if (event.type === 'checkpoint') {
      await session.checkpoint(event.checkpoint);
    }
  }
}

/** Each dataset table with its row count and a digest of its rows. */
async function digests(
  connection: AsyncDuckDBConnection,
): Promise<Record<string, string>> {
  const tables = stringColumn(
    await connection.query(
      `SELECT table_name FROM duckdb_tables() ` +
        `WHERE schema_name = ${quoteLiteral(DATASET)} ORDER BY 1`,
    ),
    'table_name',
  ).filter((name) => !perLoad.has(name));
  const out: Record<string, string> = {};
  for (const name of tables) {
    const result = await connection.query(
      `SELECT count(*)::VARCHAR || ' ' || ` +
        `coalesce(md5(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR)), '') ` +
        `AS d FROM ${DATASET}."${name}" AS t`,
    );
    out[name] = stringColumn(result, 'd')[0] ?? '';
  }
  return out;
}

async function count(connection: AsyncDuckDBConnection, sql: string) {
  return numberColumn(await connection.query(sql), 'n')[0];
}

describe('a staged load in DuckDB-WASM', () => {
  // A failed load is suspended by the page; a closed tab ends with rows
  // sent after the last checkpoint written (here: a page's rows, without
  // the checkpoint that would have followed them).
  for (const ending of ['failed', 'closed'] as const) {
    it(`keeps what a ${ending} load checkpointed, and resumes to the dataset of a load without faults`, async () => {
      const { connection, sql } = await openWarehouse();
      const failed = await crawlEvents(dyingServer(7).fetch);
      expect(failed.error).not.toBeNull();
      const checkpoints = failed.events.flatMap((e, i) =>
        e.type === 'checkpoint' ? [i] : [],
      );
      const last = checkpoints.at(ending === 'failed' ? -1 : -2) ?? -1;
      const sent =
        ending === 'failed'
          ? failed.events
          : failed.events.slice(0, checkpoints.at(-1));
      const first = new Load(connection, sql);
      await stage(first, sent);
      if (ending === 'failed') await first.suspend('The server is gone.');

      // the dataset is as it was: empty
      expect(
        await count(
          connection,
          `SELECT count(*) AS n FROM duckdb_tables() ` +
            `WHERE schema_name = ${quoteLiteral(DATASET)}`,
        ),
      ).toBe(0);

      // what a reload finds: the record, and the rows it covers only
      const record = await readStagedLoad(connection);
      if (record === null) throw new Error('no staged load');
      expect(record.server).toBe('http://127.0.0.1:8042');
      expect(JSON.stringify(record)).not.toContain('secret');
      expect(record.checkpoint.pages).toHaveLength(ending === 'failed' ? 7 : 6);
      expect(record.error).toBe(
        ending === 'failed' ? 'The server is gone.' : undefined,
      );
      expect(record.stoppedAt !== undefined).toBe(ending === 'failed');
      const kept = new Set(record.checkpoint.pagedTables);
      const roots = new Map<string, string>();
      const rows = (events: readonly CrawlEvent[]) => {
        let n = 0;
        for (const event of events) {
          if (event.type === 'table') {
            const { name, parent } = event.schema;
            roots.set(name, parent ?? name);
          }
          if (event.type === 'rows' && kept.has(roots.get(event.table) ?? '')) {
            n += event.rows.length;
          }
        }
        return n;
      };
      const checkpointed = rows(failed.events.slice(0, last + 1));
      const after = rows(sent.slice(last + 1));
      expect(checkpointed).toBeGreaterThan(0);
      expect(after > 0).toBe(ending === 'closed');
      expect(await keptRows(connection, record)).toBe(checkpointed);

      // resumed: the kept tables stay, the others are read again
      const tables = await prepareResume(connection, record);
      expect(tables.map((t) => t.schema.name).sort()).toEqual(
        [...roots.keys()]
          .filter((name) => kept.has(roots.get(name) ?? ''))
          .sort(),
      );
      const second = new Load(connection, sql);
      second.adopt(tables, record);
      const seen: Partial<Record<Level, string[]>> = {};
      for (const resource of selectResources()) {
        if (!isLevelResource(resource) || resource.paging !== 'offset')
          continue;
        seen[resource.level] = await second.stagedValues(resource.table, 'id');
      }
      expect(seen.patients).toHaveLength(7);
      const healthy = replayFetch(BASE, fixtures);
      const resumed = await crawlEvents(healthy.fetch, {
        resume: { checkpoint: record.checkpoint, seen },
        schema: record.checkpoint.schema,
      });
      expect(resumed.error).toBeNull();
      await stage(second, resumed.events);
      await second.commit({
        cursors: {},
        statistics: record.checkpoint.statistics,
      });
      expect(await readStagedLoad(connection)).toBeNull();

      // one load without faults, in a warehouse of its own
      const other = await openWarehouse();
      const clean = await crawlEvents(replayFetch(BASE, fixtures).fetch);
      const single = new Load(other.connection, other.sql);
      await stage(single, clean.events);
      await single.commit({
        cursors: {},
        statistics: record.checkpoint.statistics,
      });

      const expected = await digests(other.connection);
      expect(Object.keys(expected)).toContain('studies_detail__series');
      expect(await digests(connection)).toEqual(expected);
    }, 30_000);
  }

  it('drops on resume the tables read again and the columns added after the last checkpoint, against the same server only', () => {
    const record = parseStagedLoad(
      JSON.stringify({
        version: 1,
        loadId: 'load-1',
        server: 'http://127.0.0.1:8042',
        startedAt: '2026-12-04T14:00:00.000Z',
        savedAt: '2026-12-04T14:02:00.000Z',
        resources: ['studies_detail', 'studies'],
        pageSize: 500,
        checkpoint: { pages: [], pagedTables: ['studies_detail'] },
        staged: [
          {
            name: 'studies_detail',
            columns: [{ name: 'id', type: 'text' }],
            disposition: 'replace',
            primaryKey: ['id'],
          },
          {
            name: 'studies_detail__series',
            parent: 'studies_detail',
            columns: [{ name: 'value', type: 'text' }],
            disposition: 'replace',
            primaryKey: [],
          },
          {
            name: 'studies',
            columns: [{ name: 'value', type: 'text' }],
            disposition: 'replace',
            primaryKey: ['value'],
          },
        ],
      }),
    );
    if (record === null) throw new Error('not parsed');
    const text = { sqlType: 'VARCHAR' };
    const plan = resumePlan(
      record,
      new Map([
        [
          'studies_detail',
          [
            { name: 'id', ...text },
            { name: 'late', ...text },
          ],
        ],
        ['studies_detail__series', [{ name: 'value', ...text }]],
        ['studies', [{ name: 'value', ...text }]],
        ['studies_detail__labels', [{ name: 'value', ...text }]],
        ['_staged_load', [{ name: 'record', ...text }]],
      ]),
    );
    expect(plan.kept.map((t) => [t.schema.name, t.columns.length])).toEqual([
      ['studies_detail', 1],
      ['studies_detail__series', 1],
    ]);
    expect(plan.statements).toEqual([
      `ALTER TABLE "${STAGING}"."studies_detail" DROP COLUMN "late"`,
      `DROP TABLE "${STAGING}"."studies"`,
      `DROP TABLE "${STAGING}"."studies_detail__labels"`,
    ]);
    expect(parseStagedLoad('{"version":2}')).toBeNull();
    expect(resumeRefusal(record, 'http://127.0.0.1:8042/')).toBeNull();
    expect(resumeRefusal(record, 'http://u:p@127.0.0.1:8042')).toBeNull();
    expect(resumeRefusal(record, 'http://127.0.0.1:8043')).toBe(
      'This load was fetched from http://127.0.0.1:8042, not from the ' +
        'server connected now: it cannot be resumed here. Discard it, or ' +
        'connect to that server again.',
    );
    expect(parseStagedLoad('not json')).toBeNull();
  });
});
