// A load, from the warehouse's side: tables are declared, batches are
// staged, and only commit() touches the dataset, in one transaction. Until
// then the views keep reading what earlier loads left, and abort() (or a
// failed commit) leaves every table as it was.
//
// Staging lives in its own schema; each Arrow batch first lands in a table
// of its own and joins staging BY NAME, so a batch may carry fewer columns
// than declared, or columns no declaration named yet.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';
import type { CrawlState } from '../pipeline/crawlState';
import type { StoredSchema, TableSchema } from '../pipeline/schema';
import { commitPlan } from './commitPlan';
import type { ExistingTable, Removal, StagedTable } from './commitPlan';
import { getDatabase, saveWarehouse } from './database';
import { nextPipelineState, readPipelineState } from './pipelineState';
import { retractPlan } from './retractPlan';
import type { Database } from './database';
import { nextSchemaVersion } from './schemaVersion';
import { readStoredSchema } from './storedSchema';
import {
  DATASET,
  INGEST,
  SQL_TYPES,
  STAGING,
  addColumnsSql,
  createTableSql,
  identKey,
  qualified,
  quoteIdent,
  quoteLiteral,
  uniqueColumns,
} from './sql';
import type { SqlColumn } from './sql';
import { stringColumn } from './resultColumn';

/** The table each batch lands in before it joins staging. */
const BATCH_TABLE = 'batch';

export interface CommitResult {
  loadId: string;
  /** Rows this load wrote into the dataset, per table. */
  rows: Record<string, number>;
  /** Rows a sync removed (resources deleted on the server), per table. */
  removed: Record<string, number>;
}

/** Set from the first line of beginLoad until commit or abort. */
let loadRunning = false;

/**
 * The schema a new load starts from, read before its crawl starts. The
 * warehouse may be a saved one still opening, so this waits for it.
 */
export async function schemaForNextLoad(): Promise<StoredSchema | null> {
  const database = await getDatabase();
  return database.use('load', readStoredSchema);
}

/** Starts a load; only one runs at a time. */
export async function beginLoad(loadId: string): Promise<LoadSession> {
  if (loadRunning) {
    throw new WarehouseError('internal', 'Another load is still running.');
  }
  loadRunning = true;
  try {
    const database = await getDatabase();
    await database.use('load', async (connection) => {
      await dropStaging(connection);
      await connection.query(`CREATE SCHEMA ${quoteIdent(STAGING)}`);
      await connection.query(`CREATE SCHEMA ${quoteIdent(INGEST)}`);
    });
    return new LoadSession(database, loadId);
  } catch (error) {
    loadRunning = false;
    throw error;
  }
}

export class LoadSession {
  private readonly staged = new Map<string, StagedTable>();
  private readonly removals: Removal[] = [];
  private finished = false;

  constructor(
    private readonly database: Database,
    readonly loadId: string,
  ) {}

  /** Creates the staging table for `schema`, or adds its new columns. */
  declareTable(schema: TableSchema): Promise<void> {
    return this.step(async (connection) => {
      const columns = schema.columns.map((column) => ({
        name: column.name,
        sqlType: SQL_TYPES[column.type],
      }));
      const key = identKey(schema.name);
      const current = this.staged.get(key);
      if (current === undefined) {
        await connection.query(createTableSql(STAGING, schema.name, columns));
        this.staged.set(key, {
          schema,
          columns: uniqueColumns(columns),
          rowCount: 0,
        });
        return;
      }
      await this.widen(connection, current, columns);
      current.schema = { ...schema, name: current.schema.name };
    });
  }

  /**
   * Stages one Arrow IPC stream of rows for `table`. An empty batch is
   * skipped: DuckDB-WASM can break on a zero-row Arrow insert.
   */
  ingest(table: string, ipc: Uint8Array, rowCount: number): Promise<void> {
    return this.step(async (connection) => {
      const staged = this.staged.get(identKey(table));
      if (staged === undefined) {
        throw new WarehouseError(
          'internal',
          `Rows arrived for table ${table}, which was never declared.`,
        );
      }
      if (rowCount === 0 || ipc.byteLength === 0) return;

      const batch = qualified(INGEST, BATCH_TABLE);
      try {
        await connection.insertArrowFromIPCStream(ipc, {
          schema: INGEST,
          name: BATCH_TABLE,
          create: true,
        });
        await this.widen(
          connection,
          staged,
          await tableColumns(connection, INGEST, BATCH_TABLE),
        );
        const inserted = await connection.query(
          `INSERT INTO ${qualified(STAGING, staged.schema.name)} BY NAME ` +
            `SELECT * FROM ${batch}`,
        );
        staged.rowCount += Number(inserted.getChildAt(0)?.get(0) ?? 0n);
      } finally {
        await connection.query(`DROP TABLE IF EXISTS ${batch}`);
      }
    });
  }

  /**
   * Takes back the staged rows of `table` whose primary key is one of
   * `ids`, with their child rows: resources deleted during the load.
   */
  retract(table: string, ids: string[]): Promise<void> {
    return this.step(async (connection) => {
      const root = this.staged.get(identKey(table));
      if (root === undefined) return;
      const all = [...this.staged.values()];
      for (const statement of retractPlan(root, all, ids)) {
        await connection.query(statement);
      }
    });
  }

  /**
   * Notes rows of the dataset that a sync found deleted on the server;
   * they go at commit, in the same transaction as the rest.
   */
  remove(table: string, column: string, ids: string[]): Promise<void> {
    return this.step(() => {
      this.removals.push({ table, column, ids });
      return Promise.resolve();
    });
  }

  /**
   * Moves everything staged into the dataset, all or nothing, with the
   * schema and the pipeline state this load leaves for the next one.
   */
  commit(state: CrawlState): Promise<CommitResult> {
    return this.step(async (connection) => {
      const rows: Record<string, number> = {};
      const removed: Record<string, number> = {};
      for (const table of this.staged.values()) rows[table.schema.name] = 0;

      await connection.query('BEGIN TRANSACTION');
      try {
        const tables = [...this.staged.values()];
        const stored = await readStoredSchema(connection);
        const plan = commitPlan({
          loadId: this.loadId,
          tables,
          existing: await datasetTables(connection),
          stored,
          schema: nextSchemaVersion(
            stored,
            tables.map((table) => table.schema),
          ),
          state: nextPipelineState(
            await readPipelineState(connection),
            state,
            this.loadId,
          ),
          removals: this.removals,
        });
        for (const step of plan) {
          const result = await connection.query(step.sql);
          const count = Number(result.getChildAt(0)?.get(0) ?? 0n);
          if (step.insertsInto !== undefined) rows[step.insertsInto] = count;
          if (step.removesFrom !== undefined) {
            removed[step.removesFrom] =
              (removed[step.removesFrom] ?? 0) + count;
          }
        }
        await connection.query('COMMIT');
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      this.close();
      await connection.query(
        `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
      );
      // The page says "done" only once the load is on disk too.
      await saveWarehouse(this.database, connection);
      return { loadId: this.loadId, rows, removed };
    }, true);
  }

  /** Drops staging; the dataset stays as it was before the load. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.close();
    await this.database.use('load', dropStaging);
  }

  private close(): void {
    if (!this.finished) loadRunning = false;
    this.finished = true;
  }

  /** Runs one step on the load connection, unless the load is over. */
  private step<T>(
    task: (connection: AsyncDuckDBConnection) => Promise<T>,
    finishing = false,
  ): Promise<T> {
    return this.database.use('load', async (connection) => {
      if (this.finished) {
        throw new WarehouseError(
          finishing ? 'internal' : 'cancelled',
          `Load ${this.loadId} is already over.`,
        );
      }
      return task(connection);
    });
  }

  /** Adds to a staging table the columns it lacks. */
  private async widen(
    connection: AsyncDuckDBConnection,
    staged: StagedTable,
    columns: readonly SqlColumn[],
  ): Promise<void> {
    const existing = new Set(staged.columns.map((c) => identKey(c.name)));
    const added = uniqueColumns(columns).filter(
      (column) => !existing.has(identKey(column.name)),
    );
    if (added.length === 0) return;

    // DuckDB's ALTER grows slower with the width of the table: 547 of
    // them, as the every-tag table gets at once, took 4.5 s, where one
    // CREATE of all its columns takes 60 ms. A table with no rows yet is
    // therefore made anew.
    if (staged.rowCount === 0) {
      staged.columns.push(...added);
      await connection.query(
        `DROP TABLE ${qualified(STAGING, staged.schema.name)}`,
      );
      await connection.query(
        createTableSql(STAGING, staged.schema.name, staged.columns),
      );
      return;
    }
    const statements = addColumnsSql(
      STAGING,
      staged.schema.name,
      existing,
      added,
    );
    for (const statement of statements) {
      await connection.query(statement);
    }
    staged.columns.push(...added);
  }
}

async function dropStaging(connection: AsyncDuckDBConnection): Promise<void> {
  await connection.query(
    `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
  );
  await connection.query(`DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`);
}

/**
 * Columns of a table as DuckDB typed them. An Arrow column of nulls only
 * arrives as type NULL, which no table column can have: it becomes text.
 */
async function tableColumns(
  connection: AsyncDuckDBConnection,
  schema: string,
  table: string,
): Promise<SqlColumn[]> {
  const result = await connection.query(
    `SELECT column_name, data_type FROM duckdb_columns() ` +
      `WHERE schema_name = ${quoteLiteral(schema)} ` +
      `AND table_name = ${quoteLiteral(table)} ORDER BY column_index`,
  );
  const types = stringColumn(result, 'data_type');
  return stringColumn(result, 'column_name').map((name, i) => ({
    name,
    sqlType: types[i] === 'NULL' ? 'VARCHAR' : (types[i] ?? 'VARCHAR'),
  }));
}

/** The dataset's tables and their columns, read inside the transaction. */
async function datasetTables(
  connection: AsyncDuckDBConnection,
): Promise<Map<string, ExistingTable>> {
  const result = await connection.query(
    `SELECT table_name, column_name, data_type FROM duckdb_columns() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)}`,
  );
  const columns = stringColumn(result, 'column_name');
  const types = stringColumn(result, 'data_type');
  const tables = new Map<
    string,
    { name: string; columns: Set<string>; types: Map<string, string> }
  >();
  stringColumn(result, 'table_name').forEach((name, i) => {
    const key = identKey(name);
    let table = tables.get(key);
    if (table === undefined) {
      table = { name, columns: new Set(), types: new Map() };
      tables.set(key, table);
    }
    const column = identKey(columns[i] ?? '');
    table.columns.add(column);
    table.types.set(column, types[i] ?? '');
  });
  return tables;
}
