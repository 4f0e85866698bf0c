// The load history: every load and sync, completed, failed or cancelled,
// with its requests, bytes and retries and what it did to each table, as
// dlt's load info tells it. It lives in a schema of its own beside the
// dataset, because a load that fails or is cancelled must leave every
// table of `orthanc_data` as it was, while its record stays. A completed
// load's record is written in its commit transaction (loadSession.ts);
// one that did not finish gets a small transaction of its own after the
// abort. The history is saved with the warehouse and goes with it when
// the warehouse is cleared; `_dlt_loads` keeps only completed loads, as
// in dlt.
//
// The requests of a load that did not finish are those the crawl worker
// counted when it stopped; a worker that does not answer a cancel within
// its grace time is ended by the page, which then records the requests of
// the worker's last progress report, a few short of the real number.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import type { TableChange } from './commitCounts';
import { getDatabase, saveWarehouse } from './database';
import {
  HISTORY,
  HISTORY_LOADS,
  HISTORY_TABLES,
  loadsTable,
  recordLoadSql,
  tablesTable,
} from './loadRecord';
import type { LoadRecord } from './loadRecord';
import { numberColumn, resultColumn, stringColumn } from './resultColumn';
import { quoteLiteral } from './sql';

export type { LoadRecord };

/** A load as the History view lists it, with its totals. */
export interface LoadHistoryEntry {
  loadId: string;
  kind: string;
  status: string;
  startedAt: number;
  durationMs: number;
  requests: number;
  bytes: number;
  retries: number;
  /** Rows the load wrote into `_crawl_errors`. */
  crawlErrors: number;
  message: string | null;
  added: number;
  changed: number;
  removed: number;
}

export interface LoadTableEntry extends TableChange {
  table: string;
}

/**
 * Records a load that did not finish, after its abort, in a transaction
 * of its own, and saves it. It may fail (the warehouse may be what made
 * the load fail): the caller reports the load's own error whatever
 * happens here.
 */
export async function recordUnfinishedLoad(record: LoadRecord): Promise<void> {
  const database = await getDatabase();
  await database.use('load', async (connection) => {
    await connection.query('BEGIN TRANSACTION');
    try {
      for (const sql of recordLoadSql({ ...record, tables: {} })) {
        await connection.query(sql);
      }
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await saveWarehouse(database, connection);
  });
}

/** Every load recorded, newest first, with its rows summed. */
export async function readLoadHistory(): Promise<LoadHistoryEntry[]> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    if (!(await hasHistory(connection))) return [];
    const result = await connection.query(
      `SELECT l.load_id, l.kind, l.status, ` +
        `epoch_ms(CAST(l.started_at AS TIMESTAMP)) AS started_ms, l.duration_ms, l.requests, ` +
        `l.bytes, l.retries, l.crawl_errors, l.message, ` +
        `coalesce(t.added, 0) AS added, coalesce(t.changed, 0) AS changed, ` +
        `coalesce(t.removed, 0) AS removed ` +
        `FROM ${loadsTable} AS l LEFT JOIN (` +
        `SELECT load_id, sum(rows_added)::BIGINT AS added, ` +
        `sum(rows_changed)::BIGINT AS changed, ` +
        `sum(rows_removed)::BIGINT AS removed ` +
        `FROM ${tablesTable} GROUP BY load_id) AS t USING (load_id) ` +
        `ORDER BY l.started_at DESC, l.load_id DESC`,
    );
    const ids = stringColumn(result, 'load_id');
    const number = (name: string) => numberColumn(result, name);
    const kinds = stringColumn(result, 'kind');
    const statuses = stringColumn(result, 'status');
    const messages = resultColumn(result, 'message').map((message) =>
      typeof message === 'string' ? message : null,
    );
    const [started, duration, requests, bytes, retries, errors] = [
      number('started_ms'),
      number('duration_ms'),
      number('requests'),
      number('bytes'),
      number('retries'),
      number('crawl_errors'),
    ];
    const [added, changed, removed] = [
      number('added'),
      number('changed'),
      number('removed'),
    ];
    return ids.map((loadId, i) => ({
      loadId,
      kind: kinds[i] ?? '',
      status: statuses[i] ?? '',
      startedAt: started[i] ?? 0,
      durationMs: duration[i] ?? 0,
      requests: requests[i] ?? 0,
      bytes: bytes[i] ?? 0,
      retries: retries[i] ?? 0,
      crawlErrors: errors[i] ?? 0,
      message: messages[i] ?? null,
      added: added[i] ?? 0,
      changed: changed[i] ?? 0,
      removed: removed[i] ?? 0,
    }));
  });
}

/** What one load did to each table, by table name. */
export async function readLoadTables(
  loadId: string,
): Promise<LoadTableEntry[]> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    if (!(await hasHistory(connection))) return [];
    const result = await connection.query(
      `SELECT table_name, rows_added, rows_changed, rows_removed ` +
        `FROM ${tablesTable} WHERE load_id = ${quoteLiteral(loadId)} ` +
        `ORDER BY table_name`,
    );
    const added = numberColumn(result, 'rows_added');
    const changed = numberColumn(result, 'rows_changed');
    const removed = numberColumn(result, 'rows_removed');
    return stringColumn(result, 'table_name').map((table, i) => ({
      table,
      added: added[i] ?? 0,
      changed: changed[i] ?? 0,
      removed: removed[i] ?? 0,
    }));
  });
}

/** Whether both history tables exist: none before the first load. */
async function hasHistory(connection: AsyncDuckDBConnection): Promise<boolean> {
  const result = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(HISTORY)} ` +
      `AND table_name IN (${quoteLiteral(HISTORY_LOADS)}, ` +
      `${quoteLiteral(HISTORY_TABLES)})`,
  );
  return (numberColumn(result, 'n')[0] ?? 0) === 2;
}
