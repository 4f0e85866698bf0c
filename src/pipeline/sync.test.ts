// A sync, replaying answers captured from real servers (see
// scripts/captureSyncFixtures.ts), into a real DuckDB through staging and
// the commit: a first load of the server as it was, a sync of what then
// changed (8 new instances, a deleted series, a metadata change), and a
// fresh load of the server as it is now, into a second DuckDB. Every table
// of the synced warehouse must equal the fresh one, `_dlt_id` and
// `_dlt_load_id` aside.

import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';

import type { JsonObject } from '../orthanc/guards';
import {
  type CapturedResponse,
  replayFetch,
  type ReplayOptions,
} from '../orthanc/replayFetch';
import {
  HarnessLoad,
  nativeRunner,
  type SqlRunner,
  storedSchemaOf,
} from '../warehouse/fixtures/warehouseHarness';
import { heldCountSql, heldSql, levelTables } from '../warehouse/heldSql';
import { parsePipelineState } from '../warehouse/pipelineState';
import { DATASET, qualified, quoteIdent, quoteLiteral } from '../warehouse/sql';
import { crawl } from './crawl';
import type { CrawlEvent, CrawlResult } from './crawlEvents';
import { testConnection } from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';
import {
  bodyOf,
  loadSyncFixtures,
  SYNC_VERSIONS,
} from './fixtures/loadSyncFixtures';
import { sync, type SyncStart, type WarehouseReader } from './sync';
import { LEVELS } from './syncPlan';

const RESOURCES = [
  'patients_detail',
  'studies_detail',
  'series_detail',
  'instances_detail',
  'patients',
  'studies',
  'series',
  'instances',
  'instances_tags',
  'changes',
];

const common = {
  pageSize: 5,
  concurrency: 3,
  backoff: { baseMs: 1, maxMs: 4 },
  retries: 1,
  resources: RESOURCES,
};

async function newWarehouse(): Promise<SqlRunner> {
  const instance = await DuckDBInstance.create(':memory:');
  return nativeRunner(await instance.connect());
}

interface Applied {
  result: CrawlResult;
  requests: string[];
  removed: Record<string, number>;
}

/** Runs a crawl's or a sync's events into the warehouse and commits. */
async function apply(
  sql: SqlRunner,
  loadId: string,
  events: AsyncGenerator<CrawlEvent, CrawlResult, undefined>,
  requests: { path: string }[],
): Promise<Applied> {
  const load = new HarnessLoad(sql, loadId);
  let next = await events.next();
  for (; !next.done; next = await events.next()) {
    const event = next.value;
    if (event.type === 'table') await load.declare(event.schema);
    if (event.type === 'rows') await load.ingest(event.schema, event.rows);
    if (event.type === 'retract') await load.retract(event.table, event.ids);
    if (event.type === 'remove') {
      load.remove(event.table, event.column, event.ids);
    }
  }
  const removed: Record<string, number> = {};
  await load.commit(next.value.state, removed);
  return {
    result: next.value,
    requests: requests.map((r) => r.path),
    removed,
  };
}

async function fullLoad(
  sql: SqlRunner,
  loadId: string,
  fixtures: Iterable<CapturedResponse>,
): Promise<Applied> {
  const replay = replayFetch(testConnection.baseUrl, fixtures);
  const schema = await storedSchemaOf(sql);
  const events = crawl(testConnection, {
    ...common,
    loadId,
    fetch: replay.fetch,
    ...(schema ? { schema } : {}),
  });
  return apply(sql, loadId, events, replay.requests);
}

/** What the page reads before a sync (heldResources.ts, on DuckDB). */
async function syncStartOf(sql: SqlRunner): Promise<SyncStart> {
  const [row] = await sql.rows(
    `SELECT state FROM ${qualified(DATASET, '_dlt_pipeline_state')} ` +
      'ORDER BY version DESC LIMIT 1',
  );
  const state = parsePipelineState(String(row?.state));
  const resources = state.sources.orthanc.resources;
  const since = resources.changes?.incremental.Seq.last_value ?? 0;
  const stored = await storedSchemaOf(sql);
  const held: SyncStart['held'] = {};
  for (const level of LEVELS) {
    const tables = levelTables(stored, level);
    const [count] = await sql.rows(heldCountSql(tables));
    held[level] = Number(count?.n);
  }
  return { since, held, cursors: {} };
}

function warehouseOf(sql: SqlRunner): WarehouseReader {
  return {
    held: async (level, parents) => {
      const tables = levelTables(await storedSchemaOf(sql), level);
      const rows = await sql.rows(heldSql(tables, parents && [...parents]));
      return rows.map((row) => ({
        id: String(row.id),
        parent: typeof row.parent === 'string' ? row.parent : null,
      }));
    },
  };
}

async function runSync(
  sql: SqlRunner,
  loadId: string,
  fixtures: Iterable<CapturedResponse>,
  start?: SyncStart,
  replayOptions: ReplayOptions = {},
): Promise<Applied> {
  const replay = replayFetch(testConnection.baseUrl, fixtures, replayOptions);
  const schema = await storedSchemaOf(sql);
  const events = sync(testConnection, {
    ...common,
    loadId,
    fetch: replay.fetch,
    ...(schema ? { schema } : {}),
    start: start ?? (await syncStartOf(sql)),
    warehouse: warehouseOf(sql),
  });
  return apply(sql, loadId, events, replay.requests);
}

/** The dataset's tables, the load's own bookkeeping aside. */
async function dataTables(sql: SqlRunner): Promise<string[]> {
  const rows = await sql.rows(
    `SELECT table_name FROM duckdb_tables() WHERE schema_name = ` +
      `${quoteLiteral(DATASET)} ORDER BY table_name`,
  );
  return rows
    .map((row) => String(row.table_name))
    .filter((name) => !name.startsWith('_dlt_') && name !== '_crawl_errors');
}

async function columnsOf(sql: SqlRunner, table: string): Promise<string[]> {
  const rows = await sql.rows(
    `SELECT column_name FROM duckdb_columns() WHERE schema_name = ` +
      `${quoteLiteral(DATASET)} AND table_name = ${quoteLiteral(table)} ` +
      'ORDER BY column_index',
  );
  return rows
    .map((row) => String(row.column_name))
    .filter((name) => name !== '_dlt_id' && name !== '_dlt_load_id');
}

async function contents(
  sql: SqlRunner,
  table: string,
  columns: string[],
): Promise<unknown[]> {
  const list = columns.map(quoteIdent).join(', ');
  return sql.rows(
    `SELECT ${list} FROM ${qualified(DATASET, table)} ORDER BY ALL`,
  );
}

/** Every table of `fresh`, compared with the same table of `synced`. */
async function expectSameTables(
  synced: SqlRunner,
  fresh: SqlRunner,
): Promise<void> {
  const tables = await dataTables(fresh);
  expect(await dataTables(synced)).toEqual(tables);
  for (const table of tables) {
    const columns = await columnsOf(fresh, table);
    expect({ table, rows: await contents(synced, table, columns) }).toEqual({
      table,
      rows: await contents(fresh, table, columns),
    });
  }
}

async function rowsOf(sql: SqlRunner, query: string) {
  return sql.rows(query);
}

/** The captured answers, with some of them replaced. */
function replaced(
  fixtures: CapturedResponse[],
  changes: Record<string, Omit<CapturedResponse, 'request'>>,
): CapturedResponse[] {
  return fixtures.map((f) =>
    f.request in changes ? { request: f.request, ...changes[f.request] } : f,
  ) as CapturedResponse[];
}

describe.each(SYNC_VERSIONS)('sync, replaying Orthanc %s', (version) => {
  const before = loadSyncFixtures(version, 'before');
  const after = loadSyncFixtures(version, 'after');
  const afterIds = (level: string) => bodyOf(after, `/${level}`) as string[];
  const beforeIds = (level: string) => bodyOf(before, `/${level}`) as string[];

  it('leaves every table as a fresh load of the server leaves it', async () => {
    const synced = await newWarehouse();
    await fullLoad(synced, 'L1', before);
    const done = await runSync(synced, 'L2', after);

    const fresh = await newWarehouse();
    const full = await fullLoad(fresh, 'F1', after);
    await expectSameTables(synced, fresh);

    const report = done.result.sync;
    expect(report?.reset).toBe(false);
    expect(report?.from).toBe(30);
    expect(report?.to).toBe(52);
    expect(report?.changes).toBe(22);
    // the series deleted and its two instances; listed at one level only
    expect(report?.removed).toBe(3);
    expect(report?.listed).toEqual(['series']);
    expect(done.removed.series_detail).toBe(1);
    expect(done.removed.instances_detail).toBe(2);
    expect(done.removed.changes).toBeGreaterThan(0);

    // the cost follows the changes: new resources come whole through
    // their study or series, never one by one; the rest is a request per
    // changed study or patient, a few pages of the log and of one list
    const added = afterIds('instances').filter(
      (id) => !beforeIds('instances').includes(id),
    );
    for (const id of added) {
      expect(done.requests).not.toContain(`/instances/${id}`);
    }
    const perResource = done.requests.filter((path) =>
      /^\/(patients|studies|series|instances)\/[^?]+$/.test(path),
    );
    // 2 patients, 3 studies, 1 series and their children's lists
    expect(perResource.length).toBeLessThanOrEqual(3 * 6);
    expect(done.requests.length).toBeLessThan(full.requests.length);
    expect(done.requests.filter((p) => p.includes('expand'))).toEqual([]);
    for (const path of done.requests.filter((p) => p.includes('limit='))) {
      expect(path).toMatch(/since=\d+&limit=5$/);
    }
    // deletions were looked for at the series level only
    expect(
      done.requests.filter((p) => /^\/(patients|studies|instances)\?/.test(p)),
    ).toEqual([]);

    // the cursor moved, in the same commit as the rows
    const [state] = await rowsOf(
      synced,
      `SELECT state, _dlt_load_id FROM ${qualified(DATASET, '_dlt_pipeline_state')} ORDER BY version DESC LIMIT 1`,
    );
    expect(state?._dlt_load_id).toBe('L2');
    const parsed = parsePipelineState(String(state?.state));
    expect(parsed.sources.orthanc.resources.changes?.incremental).toEqual({
      Seq: { last_value: 52 },
    });
    expect(parsed.sources.orthanc.sync_resources).toEqual(RESOURCES);
    const loads = await rowsOf(
      synced,
      `SELECT load_id FROM ${qualified(DATASET, '_dlt_loads')} ORDER BY ALL`,
    );
    expect(loads).toEqual([{ load_id: 'L1' }, { load_id: 'L2' }]);
  });

  it('a second sync with nothing new changes nothing', async () => {
    const synced = await newWarehouse();
    await fullLoad(synced, 'L1', before);
    await runSync(synced, 'L2', after);
    const again = await runSync(synced, 'L3', after);

    const fresh = await newWarehouse();
    await fullLoad(fresh, 'F1', after);
    await expectSameTables(synced, fresh);
    expect(again.result.sync?.changes).toBe(0);
    expect(again.result.sync?.refetched).toBe(0);
    expect(again.result.sync?.removed).toBe(0);
    // the totals, `?last` twice, one empty page of the log, the tags
    // of no series: a handful of requests whatever the server's size
    expect(again.requests.length).toBeLessThanOrEqual(4);
  });

  it('stops at the Seq `?last` gave when the log keeps growing (C05)', async () => {
    const synced = await newWarehouse();
    await fullLoad(synced, 'L1', before);
    const last = bodyOf(after, '/changes?last') as { Changes: unknown[] };
    // `?last` says 40 when the sync begins, 52 when it ends
    let lastCalls = 0;
    const fixtures = replaced(after, {
      '/changes?last': {
        status: 200,
        body: { ...last, Last: 40 },
      },
    });
    const done = await runSync(synced, 'L2', fixtures, undefined, {
      onRequest: (path) => {
        if (path !== '/changes?last' || ++lastCalls < 2) return;
        const found = fixtures.find((f) => f.request === path);
        if (found) found.body = { ...last, Last: 52 };
      },
    });

    const seqs = await rowsOf(
      synced,
      `SELECT min(seq) AS low, max(seq) AS high, count(*) AS n FROM ` +
        `${qualified(DATASET, 'changes')} WHERE seq > 30`,
    );
    expect(seqs).toEqual([{ low: 31n, high: 40n, n: 10n }]);
    expect(done.result.sync?.to).toBe(40);
    expect(done.result.sync?.arrived).toBe(12);
    expect(done.result.state.cursors.changes).toBe(40);
    expect(done.result.notes).toContainEqual({
      table: 'changes',
      note: '12 changes arrived during the sync; the next sync reads them.',
    });
  });

  it('falls back to a full load when the log was reset (C05)', async () => {
    const synced = await newWarehouse();
    await fullLoad(synced, 'L1', before);
    const start = await syncStartOf(synced);
    const done = await runSync(synced, 'L2', after, { ...start, since: 5000 });

    expect(done.result.sync?.reset).toBe(true);
    expect(done.result.notes[0]?.note).toMatch(/^The change log was reset/);
    // the sync's requests and the load's, each counted once
    expect(done.result.requests).toBe(done.requests.length);
    const fresh = await newWarehouse();
    await fullLoad(fresh, 'F1', after);
    await expectSameTables(synced, fresh);
  });

  it('records a study refused (403) or gone (404) on its own request and leaves out its children (C02, C04)', async () => {
    const study = afterIds('studies').find(
      (id) => !beforeIds('studies').includes(id),
    );
    if (study === undefined) throw new Error('no new study captured');
    const notFound = loadFixtures('1.10.1').find(
      (f) => f.request.startsWith('/studies/') && f.status === 404,
    );
    for (const [status, answer] of [
      [403, { status: 403, body: null, text: '' }],
      [404, { status: 404, body: notFound?.body ?? null }],
    ] as const) {
      const synced = await newWarehouse();
      await fullLoad(synced, 'L1', before);
      const done = await runSync(
        synced,
        'L2',
        replaced(after, { [`/studies/${study}`]: answer }),
      );

      const errors = await rowsOf(
        synced,
        `SELECT resource, path, status FROM ${qualified(DATASET, '_crawl_errors')}`,
      );
      expect(errors).toEqual([
        {
          resource: 'studies_detail',
          path: `/studies/${study}`,
          status: BigInt(status),
        },
      ]);
      // the study and what this sync read under it are not stored
      const under = await rowsOf(
        synced,
        `SELECT (SELECT count(*) FROM ${qualified(DATASET, 'studies_detail')} WHERE id = ${quoteLiteral(study)}) AS study, ` +
          `(SELECT count(*) FROM ${qualified(DATASET, 'series_detail')} WHERE parent_study = ${quoteLiteral(study)}) AS series`,
      );
      expect(under).toEqual([{ study: 0n, series: 0n }]);
      expect(done.result.notes.map((n) => n.note)).toContainEqual(
        '3 series left out: one above them was refused or gone (see _crawl_errors).',
      );
      // the rest of the sync went on: the first patient's new instance
      const kept = afterIds('instances').filter(
        (id) => !beforeIds('instances').includes(id),
      );
      const stored = await rowsOf(
        synced,
        `SELECT count(*) AS n FROM ${qualified(DATASET, 'instances_detail')} WHERE id IN (${kept.map(quoteLiteral).join(', ')})`,
      );
      expect(stored).toEqual([{ n: 1n }]);
      // nothing under it was asked for, but its series once each (only
      // their answer says whose they are); never its instances
      const theirs = kept.filter((id) => {
        const series = bodyOf(after, `/instances/${id}/series`) as JsonObject;
        return series.ParentStudy === study;
      });
      expect(theirs).toHaveLength(7);
      const beneath = (path: string) =>
        path.startsWith(`/studies/${study}/`) ||
        theirs.some((id) => path.includes(id));
      expect(done.requests.filter(beneath)).toEqual([]);
    }
  });
});
