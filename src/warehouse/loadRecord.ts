// A load's record in the load history (loadHistory.ts): the history's
// two tables in their own schema, and the statements that write one
// load's record, inside its commit transaction or in one of its own.

import { CRAWL_ERRORS } from '../pipeline/resources';
import type { TableChange } from './commitCounts';
import {
  createTableSql,
  identKey,
  qualified,
  quoteIdent,
  quoteLiteral,
} from './sql';
import type { SqlColumn } from './sql';

export const HISTORY = 'orthanc_history';
export const HISTORY_LOADS = 'loads';
export const HISTORY_TABLES = 'load_tables';

export type LoadOutcome = 'completed' | 'failed' | 'cancelled';

/** A load of the picked resources, or a sync of the last load's. */
export type HistoryKind = 'load' | 'sync';

/** What the history keeps of one load. */
export interface LoadRecord {
  loadId: string;
  kind: HistoryKind;
  status: LoadOutcome;
  /** Milliseconds since 1970. */
  startedAt: number;
  finishedAt: number;
  requests: number;
  bytes: number;
  retries: number;
  /** Why the load failed; null unless it did. */
  message: string | null;
  /** What it did to each table; none for a load that did not finish. */
  tables: Record<string, TableChange>;
}

const loadsColumns: SqlColumn[] = [
  { name: 'load_id', sqlType: 'VARCHAR NOT NULL' },
  { name: 'kind', sqlType: 'VARCHAR NOT NULL' },
  { name: 'status', sqlType: 'VARCHAR NOT NULL' },
  { name: 'started_at', sqlType: 'TIMESTAMP WITH TIME ZONE NOT NULL' },
  { name: 'finished_at', sqlType: 'TIMESTAMP WITH TIME ZONE NOT NULL' },
  { name: 'duration_ms', sqlType: 'BIGINT NOT NULL' },
  { name: 'requests', sqlType: 'BIGINT NOT NULL' },
  { name: 'bytes', sqlType: 'BIGINT NOT NULL' },
  { name: 'retries', sqlType: 'BIGINT NOT NULL' },
  { name: 'crawl_errors', sqlType: 'BIGINT NOT NULL' },
  { name: 'message', sqlType: 'VARCHAR' },
];

const tablesColumns: SqlColumn[] = [
  { name: 'load_id', sqlType: 'VARCHAR NOT NULL' },
  { name: 'table_name', sqlType: 'VARCHAR NOT NULL' },
  { name: 'rows_added', sqlType: 'BIGINT NOT NULL' },
  { name: 'rows_changed', sqlType: 'BIGINT NOT NULL' },
  { name: 'rows_removed', sqlType: 'BIGINT NOT NULL' },
];

export const loadsTable = qualified(HISTORY, HISTORY_LOADS);
export const tablesTable = qualified(HISTORY, HISTORY_TABLES);

/**
 * The statements that record `record`, run inside a transaction. A load
 * resumed under its load id (resumeStart.ts) replaces the record of its
 * run that stopped: the history keeps a load's last run, and the
 * requests of the runs before it are not added in. A completed record
 * stays as it is: a commit that went through and then failed to save is
 * not recorded as failed after it.
 */
export function recordLoadSql(record: LoadRecord): string[] {
  const id = quoteLiteral(record.loadId);
  const count = (n: number) => String(Math.max(0, Math.round(n)));
  const time = (ms: number) => `to_timestamp(${count(ms) + 'e-3'})`;
  const errors = Object.entries(record.tables).find(
    ([table]) => identKey(table) === identKey(CRAWL_ERRORS.name),
  )?.[1];
  const message =
    record.message === null
      ? 'NULL'
      : quoteLiteral(record.message.replaceAll('\0', '\uFFFD'));
  const values = [
    id,
    quoteLiteral(record.kind),
    quoteLiteral(record.status),
    time(record.startedAt),
    time(record.finishedAt),
    count(record.finishedAt - record.startedAt),
    count(record.requests),
    count(record.bytes),
    count(record.retries),
    count(errors?.added ?? 0),
    message,
  ];
  const unfinished = `load_id = ${id} AND status <> 'completed'`;
  const statements = [
    ...createHistorySql(),
    `DELETE FROM ${tablesTable} WHERE load_id IN ` +
      `(SELECT load_id FROM ${loadsTable} WHERE ${unfinished})`,
    `DELETE FROM ${loadsTable} WHERE ${unfinished}`,
    `INSERT INTO ${loadsTable} ` +
      `(${loadsColumns.map((c) => quoteIdent(c.name)).join(', ')}) ` +
      `SELECT ${values.join(', ')} ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${loadsTable} WHERE load_id = ${id})`,
  ];
  const rows = Object.entries(record.tables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([table, change]) =>
        `(${id}, ${quoteLiteral(table)}, ${count(change.added)}, ` +
        `${count(change.changed)}, ${count(change.removed)})`,
    );
  if (rows.length > 0) {
    statements.push(`INSERT INTO ${tablesTable} VALUES ${rows.join(', ')}`);
  }
  return statements;
}

function createHistorySql(): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(HISTORY)}`,
    createTableSql(HISTORY, HISTORY_LOADS, loadsColumns),
    createTableSql(HISTORY, HISTORY_TABLES, tablesColumns),
  ];
}
