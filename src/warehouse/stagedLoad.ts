// A full load that stopped, as the warehouse keeps it for "Resume": its
// staged rows stay in the staging schema, beside one row of
// `_staged_load` that says which load they belong to, against which
// server, with what options, and the crawl's last checkpoint (see
// pipeline/crawlCheckpoint.ts). Rows and record change together, in one
// transaction at each checkpoint, so whatever DuckDB wrote to disk last
// (a failure, a reload, a closed tab) the two agree.
//
// The record names the server by its URL alone: credentials are typed
// again after a reload and never stored. Nothing in it comes from DICOM
// but the column names the normalizer made from Orthanc's JSON keys.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import type { CrawlCheckpoint } from '../pipeline/crawlCheckpoint';
import type { TableSchema } from '../pipeline/schema';
import type { StagedTable } from './commitPlan';
import { numberColumn, stringColumn } from './resultColumn';
import {
  identKey,
  INGEST,
  qualified,
  quoteIdent,
  quoteLiteral,
  STAGING,
  type SqlColumn,
} from './sql';

/** The record's table, in the staging schema. */
export const STAGED_LOAD_TABLE = '_staged_load';

const RECORD_VERSION = 1;

/** What a load is started with, kept for its resumption. */
export interface StagedLoadStart {
  loadId: string;
  /** The Orthanc's URL, without credentials. */
  server: string;
  /** ISO 8601. */
  startedAt: string;
  resources: string[];
  pageSize: number;
}

export interface StagedLoad extends StagedLoadStart {
  version: typeof RECORD_VERSION;
  /** When the last checkpoint was written, ISO 8601. */
  savedAt: string;
  /** When the load failed, if the page saw it fail (not a closed tab). */
  stoppedAt?: string;
  /** Why it failed. */
  error?: string;
  checkpoint: CrawlCheckpoint;
  /** The staged tables as declared when the checkpoint was written. */
  staged: TableSchema[];
}

/** A URL as a staged load records it: no user name, no password. */
export function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}

/** Why `record` cannot be resumed against the server at `url`, or null:
 *  a load goes on only against the server it came from. */
export function resumeRefusal(record: StagedLoad, url: string): string | null {
  if (serverOf(url) === record.server) return null;
  return (
    `This load was fetched from ${record.server}, not from the server ` +
    'connected now: it cannot be resumed here. Discard it, or connect to ' +
    'that server again.'
  );
}

/** The root table of a staged table. */
function rootOf(schema: TableSchema): string {
  return schema.parent ?? schema.name;
}

/** Whether the rows of `schema` wait for a checkpoint: those the pages
 *  bring, which a resumed load keeps. */
export function isCheckpointed(
  schema: TableSchema,
  pagedTables: ReadonlySet<string>,
): boolean {
  return pagedTables.has(identKey(rootOf(schema)));
}

export function parseStagedLoad(text: string): StagedLoad | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Partial<StagedLoad>;
  const checkpoint = record.checkpoint as unknown;
  if (
    record.version !== RECORD_VERSION ||
    typeof record.loadId !== 'string' ||
    typeof record.server !== 'string' ||
    typeof record.savedAt !== 'string' ||
    !Array.isArray(record.resources) ||
    typeof record.pageSize !== 'number' ||
    typeof checkpoint !== 'object' ||
    checkpoint === null ||
    !Array.isArray((checkpoint as { pages?: unknown }).pages) ||
    !Array.isArray(record.staged)
  ) {
    return null;
  }
  return record as StagedLoad;
}

/** The statements that make `record` the one staged load. */
export function recordSql(record: StagedLoad): string[] {
  const table = qualified(STAGING, STAGED_LOAD_TABLE);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} ` +
      `(load_id VARCHAR NOT NULL, record VARCHAR NOT NULL)`,
    `DELETE FROM ${table}`,
    `INSERT INTO ${table} VALUES (${quoteLiteral(record.loadId)}, ` +
      `${quoteLiteral(JSON.stringify(record))})`,
  ];
}

/** A staged table a resumed load goes on with. */
export interface KeptTable {
  schema: TableSchema;
  columns: SqlColumn[];
}

/**
 * What a resumed load keeps of staging, and the statements that clear
 * the rest: the tables the pages fill stay, with the columns the record
 * knows (a column added after the last checkpoint holds nothing the
 * checkpoint covers); every other table goes, to be read again in full,
 * and so does any table made after the last checkpoint.
 */
export function resumePlan(
  record: StagedLoad,
  catalog: ReadonlyMap<string, SqlColumn[]>,
): { kept: KeptTable[]; statements: string[] } {
  const paged = new Set(record.checkpoint.pagedTables.map(identKey));
  const declared = new Map(
    record.staged.map((schema) => [identKey(schema.name), schema]),
  );
  const kept: KeptTable[] = [];
  const statements: string[] = [];
  for (const [name, columns] of catalog) {
    if (identKey(name) === identKey(STAGED_LOAD_TABLE)) continue;
    const schema = declared.get(identKey(name));
    if (schema === undefined || !isCheckpointed(schema, paged)) {
      statements.push(`DROP TABLE ${qualified(STAGING, name)}`);
      continue;
    }
    const known = new Set(schema.columns.map((c) => identKey(c.name)));
    const later = columns.filter((c) => !known.has(identKey(c.name)));
    for (const column of later) {
      statements.push(
        `ALTER TABLE ${qualified(STAGING, name)} ` +
          `DROP COLUMN ${quoteIdent(column.name)}`,
      );
    }
    kept.push({
      schema,
      columns: columns.filter((c) => known.has(identKey(c.name))),
    });
  }
  return { kept, statements };
}

/** The staging tables and their columns, as DuckDB has them. */
export async function stagingCatalog(
  connection: AsyncDuckDBConnection,
): Promise<Map<string, SqlColumn[]>> {
  const result = await connection.query(
    `SELECT table_name, column_name, data_type FROM duckdb_columns() ` +
      `WHERE schema_name = ${quoteLiteral(STAGING)} ` +
      `ORDER BY table_name, column_index`,
  );
  const names = stringColumn(result, 'table_name');
  const columns = stringColumn(result, 'column_name');
  const types = stringColumn(result, 'data_type');
  const catalog = new Map<string, SqlColumn[]>();
  names.forEach((name, i) => {
    const list = catalog.get(name) ?? [];
    list.push({ name: columns[i] ?? '', sqlType: types[i] ?? 'VARCHAR' });
    catalog.set(name, list);
  });
  return catalog;
}

/** The staged load the staging schema holds, if there is one. */
export async function readStagedLoad(
  connection: AsyncDuckDBConnection,
): Promise<StagedLoad | null> {
  const exists = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(STAGING)} ` +
      `AND table_name = ${quoteLiteral(STAGED_LOAD_TABLE)}`,
  );
  if ((numberColumn(exists, 'n')[0] ?? 0) === 0) return null;
  const result = await connection.query(
    `SELECT record FROM ${qualified(STAGING, STAGED_LOAD_TABLE)} LIMIT 1`,
  );
  const text = stringColumn(result, 'record')[0];
  return text === undefined ? null : parseStagedLoad(text);
}

/** Rows a resumed load keeps: those of the tables the pages fill. */
export async function keptRows(
  connection: AsyncDuckDBConnection,
  record: StagedLoad,
): Promise<number> {
  const { kept } = resumePlan(record, await stagingCatalog(connection));
  if (kept.length === 0) return 0;
  const counts = kept.map(
    ({ schema }) =>
      `SELECT count(*) AS n FROM ${qualified(STAGING, schema.name)}`,
  );
  const result = await connection.query(
    `SELECT sum(n) AS n FROM (${counts.join(' UNION ALL ')})`,
  );
  return numberColumn(result, 'n')[0] ?? 0;
}

/**
 * Readies staging for `record`'s load to go on: an empty ingest schema,
 * and staging cleared as resumePlan says, in one transaction. Returns
 * the tables kept, with their rows counted.
 */
export async function prepareResume(
  connection: AsyncDuckDBConnection,
  record: StagedLoad,
): Promise<StagedTable[]> {
  await connection.query(`DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`);
  await connection.query(`CREATE SCHEMA ${quoteIdent(INGEST)}`);
  const { kept, statements } = resumePlan(
    record,
    await stagingCatalog(connection),
  );
  await connection.query('BEGIN TRANSACTION');
  try {
    for (const sql of statements) await connection.query(sql);
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const tables: StagedTable[] = [];
  for (const { schema, columns } of kept) {
    const result = await connection.query(
      `SELECT count(*) AS n FROM ${qualified(STAGING, schema.name)}`,
    );
    tables.push({
      schema,
      columns,
      rowCount: numberColumn(result, 'n')[0] ?? 0,
    });
  }
  return tables;
}
