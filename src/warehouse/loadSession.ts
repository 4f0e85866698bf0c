// A load, from the warehouse's side: tables are declared, batches are
// staged, and only commit() touches the dataset, in one transaction. Until
// then the views keep reading what earlier loads left, and abort() (or a
// failed commit) leaves every table as it was.
//
// Staging lives in its own schema; each Arrow batch first lands in a table
// of its own and joins staging BY NAME, so a batch may carry fewer columns
// than declared, or columns no declaration named yet.
//
// A full load can be resumed: the batches of the tables its pages fill
// wait for the crawl's checkpoints and join staging with a record of how
// far it came (pendingBatches.ts, stagedLoad.ts). A load that then fails
// is suspended, not aborted: its staging stays, on disk too, for Resume.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';
import type { CrawlState } from '../pipeline/crawlState';
import type { StoredSchema, TableSchema } from '../pipeline/schema';
import { commitCounts } from './commitCounts';
import type { CommitCounts, TableChange } from './commitCounts';
import { commitPlan } from './commitPlan';
import type { Removal, StagedTable } from './commitPlan';
import { datasetTables, tableColumns } from './stagingColumns';
import { getDatabase, saveWarehouse, streamsOpen } from './database';
import { recordLoadSql } from './loadRecord';
import type { LoadRecord } from './loadRecord';
import { applyMemoryLimit, DEFAULT_MEMORY_LIMIT_MB } from './memoryLimit';
import { nextPipelineState, readPipelineState } from './pipelineState';
import { applyBatches, type PendingBatch } from './pendingBatches';
import { retractPlan } from './retractPlan';
import type { CrawlCheckpoint } from '../pipeline/crawlCheckpoint';
import {
  isCheckpointed,
  prepareResume,
  recordSql,
  type StagedLoad,
  type StagedLoadStart,
} from './stagedLoad';
import type { Database } from './database';
import { nextSchemaVersion } from './schemaVersion';
import { readStoredSchema } from './storedSchema';
import {
  INGEST,
  SQL_TYPES,
  STAGING,
  addColumnsSql,
  createTableSql,
  identKey,
  qualified,
  quoteIdent,
  uniqueColumns,
} from './sql';
import type { SqlColumn } from './sql';
import { stringColumn } from './resultColumn';

/** The table each batch lands in before it joins staging. */
const BATCH_TABLE = 'batch';

/** What the load history needs of a load beyond what its commit knows. */
export type LoadTotals = Pick<
  LoadRecord,
  'kind' | 'startedAt' | 'requests' | 'bytes' | 'retries'
>;

export interface CommitResult {
  loadId: string;
  /** Rows this load wrote into the dataset, per table. */
  rows: Record<string, number>;
  /** Rows a sync removed (resources deleted on the server), per table. */
  removed: Record<string, number>;
  /** Rows added, changed and removed, per table (see commitCounts.ts). */
  tables: Record<string, TableChange>;
}

/** Set from the first line of beginLoad until commit or abort. */
let loadRunning = false;

/** A staged load is written to disk at most this often while it runs. */
const SAVE_STAGED_INTERVAL_MS = 5000;

/** A full load that can be resumed: how it started, the root tables its
 *  pages fill and, to go on with one that stopped, its record. */
export interface Resumable {
  start: StagedLoadStart;
  pagedTables: readonly string[];
  record?: StagedLoad;
}

/**
 * The schema a new load starts from, read before its crawl starts. The
 * warehouse may be a saved one still opening, so this waits for it.
 */
export async function schemaForNextLoad(): Promise<StoredSchema | null> {
  const database = await getDatabase();
  return database.use('load', readStoredSchema);
}

/**
 * Starts a load, under DuckDB's memory limit `memoryLimitMb` (see
 * memoryLimit.ts); only one runs at a time.
 */
export async function beginLoad(
  loadId: string,
  memoryLimitMb = DEFAULT_MEMORY_LIMIT_MB,
  resumable: Resumable | null = null,
): Promise<LoadSession> {
  if (loadRunning) {
    throw new WarehouseError('internal', 'Another load is still running.');
  }
  loadRunning = true;
  try {
    const database = await getDatabase();
    const record = resumable?.record;
    const kept = await database.use('load', async (connection) => {
      await applyMemoryLimit(connection, memoryLimitMb);
      // a new load discards one that stopped; a resumed one goes on
      if (record) return prepareResume(connection, record);
      await dropStaging(connection);
      await connection.query(`CREATE SCHEMA ${quoteIdent(STAGING)}`);
      await connection.query(`CREATE SCHEMA ${quoteIdent(INGEST)}`);
      return [];
    });
    const session = new LoadSession(database, loadId, resumable);
    session.adopt(kept, record ?? null);
    return session;
  } catch (error) {
    loadRunning = false;
    throw error;
  }
}

export class LoadSession {
  private readonly staged = new Map<string, StagedTable>();
  private readonly removals: Removal[] = [];
  private finished = false;
  /** Batches waiting for the next checkpoint. */
  private pending: PendingBatch[] = [];
  private batches = 0;
  /** The last record written, once a checkpoint was. */
  private record: StagedLoad | null = null;
  private savedAt = 0;
  private readonly paged: ReadonlySet<string>;

  constructor(
    private readonly database: Database,
    readonly loadId: string,
    private readonly resumable: Resumable | null = null,
  ) {
    this.paged = new Set((resumable?.pagedTables ?? []).map(identKey));
  }

  /** Goes on from the tables a stopped load kept, and its record. */
  adopt(tables: readonly StagedTable[], record: StagedLoad | null): void {
    for (const table of tables) {
      this.staged.set(identKey(table.schema.name), table);
    }
    this.record = record;
  }

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

      // a batch the next checkpoint covers waits in a table of its own
      const waits = isCheckpointed(staged.schema, this.paged);
      const name = waits ? `${BATCH_TABLE}_${++this.batches}` : BATCH_TABLE;
      const batch = qualified(INGEST, name);
      let kept = false;
      try {
        await connection.insertArrowFromIPCStream(ipc, {
          schema: INGEST,
          name,
          create: true,
        });
        await this.widen(
          connection,
          staged,
          await tableColumns(connection, INGEST, name),
        );
        if (waits) {
          this.pending.push({ key: identKey(table), table: name });
          kept = true;
          return;
        }
        const inserted = await connection.query(
          `INSERT INTO ${qualified(STAGING, staged.schema.name)} BY NAME ` +
            `SELECT * FROM ${batch}`,
        );
        staged.rowCount += Number(inserted.getChildAt(0)?.get(0) ?? 0n);
      } finally {
        if (!kept) await connection.query(`DROP TABLE IF EXISTS ${batch}`);
      }
    });
  }

  /**
   * Stages the batches that waited, with the record of how far the load
   * came, in one transaction; written to disk now and then, so that a
   * closed tab loses little.
   */
  checkpoint(checkpoint: CrawlCheckpoint): Promise<void> {
    return this.step(async (connection) => {
      const start = this.resumable?.start;
      if (start === undefined) {
        await this.applyPending(connection, []);
        return;
      }
      const record: StagedLoad = {
        ...start,
        version: 1,
        savedAt: new Date().toISOString(),
        checkpoint,
        staged: [...this.staged.values()].map((table) => table.schema),
      };
      await this.applyPending(connection, recordSql(record));
      this.record = record;
      const now = performance.now();
      if (
        this.database.persistent &&
        !streamsOpen() &&
        now - this.savedAt > SAVE_STAGED_INTERVAL_MS
      ) {
        this.savedAt = now;
        // a checkpoint refused (another transaction open) waits for the next
        await connection.query('CHECKPOINT').catch(() => undefined);
      }
    });
  }

  /** The values of `column` in a staged table, e.g. the IDs it holds. */
  stagedValues(table: string, column: string): Promise<string[]> {
    return this.step(async (connection) => {
      const staged = this.staged.get(identKey(table));
      if (staged === undefined || staged.rowCount === 0) return [];
      const result = await connection.query(
        `SELECT ${quoteIdent(column)} AS v ` +
          `FROM ${qualified(STAGING, staged.schema.name)}`,
      );
      return stringColumn(result, 'v');
    });
  }

  /**
   * Ends a load that failed. Once a checkpoint was written, its staging
   * stays, with the failure in its record, saved to disk, for Resume;
   * the dataset is untouched either way. True when it was kept.
   */
  async suspend(reason: string): Promise<boolean> {
    if (this.finished) return false;
    const last = this.record;
    if (last === null) {
      await this.abort();
      return false;
    }
    this.close();
    await this.database.use('load', async (connection) => {
      await connection.query(
        `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
      );
      const record = {
        ...last,
        stoppedAt: new Date().toISOString(),
        error: reason,
      };
      await applyBatches(connection, [], this.staged, recordSql(record));
      await saveWarehouse(this.database, connection);
    });
    return true;
  }

  /** Moves the batches that waited into staging, with `extra` after. */
  private async applyPending(
    connection: AsyncDuckDBConnection,
    extra: readonly string[],
  ): Promise<void> {
    const pending = this.pending;
    const inserted = await applyBatches(
      connection,
      pending,
      this.staged,
      extra,
    );
    this.pending = [];
    for (const [key, rows] of inserted) {
      const staged = this.staged.get(key);
      if (staged) staged.rowCount += rows;
    }
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
      await this.applyPending(connection, retractPlan(root, all, ids));
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
  commit(state: CrawlState, history?: LoadTotals): Promise<CommitResult> {
    return this.step(async (connection) => {
      let counts: CommitCounts | undefined;
      await this.applyPending(connection, []);

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
        counts = await commitCounts(
          plan,
          async (sql) =>
            Number((await connection.query(sql)).getChildAt(0)?.get(0) ?? 0n),
          tables.map((table) => table.schema.name),
        );
        // the load's record lands with it, or not at all
        if (history !== undefined) {
          const record: LoadRecord = {
            ...history,
            loadId: this.loadId,
            status: 'completed',
            finishedAt: Date.now(),
            message: null,
            tables: counts.tables,
          };
          for (const sql of recordLoadSql(record)) await connection.query(sql);
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
      const { rows, removed, tables } = counts;
      return { loadId: this.loadId, rows, removed, tables };
    }, true);
  }

  /**
   * Instances staged so far, from their detail pages or their ID list,
   * whichever got further: how far a load that stops early came.
   */
  stagedInstances(): number {
    const rows = (table: string) =>
      this.staged.get(identKey(table))?.rowCount ?? 0;
    return Math.max(rows('instances_detail'), rows('instances'));
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
