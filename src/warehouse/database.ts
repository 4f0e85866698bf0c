// The owner of the DuckDB-WASM instance on the page. It opens the database
// once, however many callers ask at the same time, and hands out one
// connection per kind of work, each behind a queue:
// - `load`: staging and the commit transaction of a running load;
// - `browse`: table lists and pages for the views;
// - `sql`: the user's own queries, which may open transactions or fail
//   halfway without touching a load.
// DuckDB's MVCC keeps them apart: the views read what was last committed
// while a load is staging or committing. Exports get a connection of their
// own for the time of the export, so a long one blocks no view.
//
// It also follows where the warehouse lives (openWarehouse.ts decides,
// warehouseStatus.ts tells the page): saved in OPFS, in memory, or not
// open because another tab holds it or it could not be restored. In the
// last two cases every use fails with a message until the user chooses
// (workInMemory, retryWarehouse, clearWarehouse).

import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';
import { applyMemoryLimit, DEFAULT_MEMORY_LIMIT_MB } from './memoryLimit';
import { databaseBytes, removeDatabaseFiles } from './opfsFiles';
import { openWarehouse } from './openWarehouse';
import { currentMarker } from './savedContents';
import { removeMarker, writeMarker } from './savedMarker';
import { SerialQueue } from './serialQueue';
import { readStagedLoad } from './stagedLoad';
import { DATASET, INGEST, STAGING, quoteIdent } from './sql';
import type { HeldLock } from './warehouseLock';
import { toWarehouseError } from './warehouseError';
import { reportStatus, warehouseStatus } from './warehouseStatus';

export type ConnectionPurpose = 'load' | 'browse' | 'sql';

interface OwnedConnection {
  connection: AsyncDuckDBConnection;
  queue: SerialQueue;
}

export class Database {
  private readonly owned = new Map<
    ConnectionPurpose,
    Promise<OwnedConnection>
  >();

  constructor(
    private readonly db: AsyncDuckDB,
    /** True for the saved warehouse, false in memory. */
    readonly persistent: boolean,
  ) {}

  /**
   * Runs `task` with the connection for `purpose`, after every task queued
   * on it before. DuckDB errors come out as WarehouseError.
   */
  async use<T>(
    purpose: ConnectionPurpose,
    task: (connection: AsyncDuckDBConnection) => Promise<T>,
  ): Promise<T> {
    const { connection, queue } = await this.connectionFor(purpose);
    try {
      return await queue.run(() => task(connection));
    } catch (error) {
      if (INVALIDATED.test(String(error))) restartAfterFatal(this);
      throw toWarehouseError(error);
    }
  }

  /** A connection of its own, for the caller to close. */
  async connect(): Promise<AsyncDuckDBConnection> {
    return this.db.connect();
  }

  /** Ends DuckDB's worker, which lets go of the files; uses fail after. */
  async close(): Promise<void> {
    await this.db.terminate();
  }

  private connectionFor(purpose: ConnectionPurpose): Promise<OwnedConnection> {
    let owned = this.owned.get(purpose);
    if (owned === undefined) {
      owned = this.db
        .connect()
        .then((connection) => ({ connection, queue: new SerialQueue() }));
      this.owned.set(purpose, owned);
    }
    return owned;
  }
}

/** DuckDB's words for a database it gave up on after a fatal error. */
const INVALIDATED = /database has been invalidated/i;

/** Shown, and thrown at every use, while another tab holds the file. */
export const OTHER_TAB_MESSAGE =
  'The warehouse is open in another tab. Close it there, or work here ' +
  'in memory without saving.';

const IN_MEMORY_BY_CHOICE =
  'The warehouse is open in another tab, so this tab works in memory.';

/** An open that waits for the user, as opposed to one that failed. */
class WarehouseBlocked extends WarehouseError {}

let opening: Promise<Database> | undefined;
/** True until `opening` settles. */
let pending = false;
let opened: Database | undefined;
/** The Web Lock on the saved warehouse, once this tab has it. */
let lock: HeldLock | null = null;
/** Set when the user chose memory; then the file is never opened. */
let memoryReason: string | null = null;

/** The page's database, opened on first use. */
export function getDatabase(): Promise<Database> {
  return opening ?? begin();
}

/** The page's database if it has finished opening, without waiting. */
export function openedDatabase(): Database | undefined {
  return opened;
}

/** In a tab where another one holds the saved warehouse: use memory. */
export async function workInMemory(): Promise<void> {
  if (pending) return;
  memoryReason = IN_MEMORY_BY_CHOICE;
  await begin().catch(() => undefined);
}

/** Tries the saved warehouse again, e.g. once the other tab closed. */
export async function retryWarehouse(): Promise<void> {
  // A second press while the first one opens would find the lock taken
  // by the first, and report this very tab as the other one.
  if (pending) return;
  await begin().catch(() => undefined);
}

/**
 * Deletes the warehouse and opens an empty one. The saved files and the
 * marker go only when this tab owns them; a tab in memory beside the
 * owner empties its memory and leaves the owner's file alone.
 */
export async function clearWarehouse(): Promise<void> {
  const previous = opening;
  await begin(async () => {
    const database = await previous?.catch(() => undefined);
    await database?.close();
    opened = undefined;
    if (lock === null) return;
    try {
      await removeDatabaseFiles();
    } catch (error) {
      throw new WarehouseError(
        'warehouse',
        'The saved warehouse could not be deleted ' +
          `(${toWarehouseError(error).message}). ` +
          'Close the other tabs of this page, reload, and try again.',
      );
    }
    removeMarker(globalThis.localStorage);
  }).catch(() => undefined);
}

/** Results being streamed (SQL view, exports), on any connection. */
let openStreams = 0;

/**
 * Runs `task`, which streams a result, counted as open. A CHECKPOINT while
 * a streamed result is open on another connection leaves DuckDB-WASM's
 * single-threaded worker waiting for good, so checkpoints that can wait
 * (those during a load) skip while any is open.
 */
export async function streaming<T>(task: () => Promise<T>): Promise<T> {
  openStreams += 1;
  try {
    return await task();
  } finally {
    openStreams -= 1;
  }
}

export function streamsOpen(): boolean {
  return openStreams > 0;
}

/**
 * Makes what the load connection just committed survive a reload:
 * CHECKPOINT moves the write-ahead log into the database file, then the
 * marker records what the file holds. Run on the load connection, after
 * COMMIT; in memory there is nothing to do. DuckDB-WASM 1.32 also
 * replays a `.wal` left without a checkpoint when it reopens the file
 * (seen in Chromium), but later builds have lost such files (C24), so
 * the page does not count on it. A failed checkpoint leaves the commit
 * in place (the tables are right) and says the warehouse is not saved.
 */
export async function saveWarehouse(
  database: Database,
  connection: AsyncDuckDBConnection,
): Promise<void> {
  if (!database.persistent || opened !== database) return;
  const started = performance.now();
  try {
    await connection.query('CHECKPOINT');
  } catch (error) {
    reportStatus({
      kind: 'unsaved',
      reason:
        `CHECKPOINT failed (${toWarehouseError(error).message}). The ` +
        'tables are here, but a reload may not find them; the next load ' +
        'or change saves them again.',
    });
    return;
  }
  performance.measure('warehouse checkpoint', { start: started });

  const marker = await currentMarker(connection);
  if (marker.tableCount === 0) {
    removeMarker(globalThis.localStorage);
  } else {
    writeMarker(globalThis.localStorage, marker);
  }
  reportSaved(database);
}

/** Saves changes made outside a load (the user's own SQL). */
export async function saveChanges(): Promise<void> {
  const database = opened;
  if (database === undefined || !database.persistent) return;
  await database.use('load', (connection) =>
    saveWarehouse(database, connection),
  );
}

/**
 * After a fatal error DuckDB refuses every query until it is started
 * again; running out of memory while it checkpoints is one (C25). The
 * warehouse is then opened anew, and the next use waits for it: a saved
 * one comes back from its file and write-ahead log as the last commit
 * left it, one in memory comes back empty.
 */
function restartAfterFatal(database: Database): void {
  if (opened !== database) return;
  begin(() => database.close()).catch(() => undefined);
}

/**
 * Starts an open, after `before` (the clear's deletion). Until it settles
 * every use waits for it; a failed open is forgotten so that the next use
 * tries again, a blocked one stays until the user chooses.
 */
function begin(before?: () => Promise<void>): Promise<Database> {
  opened = undefined;
  pending = true;
  reportStatus({ kind: 'opening' });
  const attempt = (async () => {
    await before?.();
    return start();
  })()
    .catch((error: unknown) => {
      if (error instanceof WarehouseBlocked) throw error;
      const failure = toWarehouseError(error);
      if (opening === attempt) opening = undefined;
      reportStatus({ kind: 'failed', message: failure.message });
      throw failure;
    })
    .finally(() => {
      if (opening === attempt) pending = false;
    });
  opening = attempt;
  return attempt;
}

/**
 * Right after a reload, the old page's worker can still hold the file for
 * writing while this one opens it: the open succeeds, but the first write
 * fails ("File is not opened in write mode"). Opening again a moment
 * later gets the file whole.
 */
async function start(): Promise<Database> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      const held =
        error instanceof Error &&
        /not opened in write mode/i.test(error.message);
      if (!held || attempt === REOPEN_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, REOPEN_PAUSE_MS));
    }
  }
}

const REOPEN_ATTEMPTS = 5;
const REOPEN_PAUSE_MS = 300;

async function startOnce(): Promise<Database> {
  const started = performance.now();
  const outcome = await openWarehouse({ inMemory: memoryReason, lock });
  if (outcome.kind === 'other-tab') {
    reportStatus({ kind: 'other-tab' });
    throw new WarehouseBlocked('warehouse', OTHER_TAB_MESSAGE);
  }
  lock = outcome.lock;
  if (outcome.kind === 'restore-failed') {
    reportStatus({ kind: 'restore-failed', detail: outcome.detail });
    throw new WarehouseBlocked(
      'warehouse',
      'The saved warehouse could not be restored. ' +
        'Press "Clear warehouse", then load again.',
    );
  }

  const database = new Database(outcome.db, outcome.memoryReason === null);
  try {
    await prepare(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  performance.measure('warehouse open', { start: started });
  opened = database;
  if (outcome.memoryReason === null) {
    reportSaved(database);
  } else {
    reportStatus({ kind: 'memory', reason: outcome.memoryReason });
  }
  return database;
}

async function prepare(database: Database): Promise<void> {
  await database.use('load', async (connection) => {
    // Offline, an extension DuckDB tries to fetch fails with an obscure
    // network error; with autoloading off, the error names the function.
    await connection.query('SET autoinstall_known_extensions = false');
    await connection.query('SET autoload_known_extensions = false');
    // A load sets the user's limit; until then, the default one.
    await applyMemoryLimit(connection, DEFAULT_MEMORY_LIMIT_MB);
    // Staging left by a load that never finished is not data, unless
    // it is a full load's with its record: that one waits for Resume.
    if ((await readStagedLoad(connection)) === null) {
      await connection.query(
        `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
      );
    }
    await connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
    );
    await connection.query(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(DATASET)}`,
    );
  });
}

/** Says "saved" at once, then again with the size once it is known. */
function reportSaved(database: Database): void {
  reportStatus({ kind: 'saved', bytes: null });
  void databaseBytes().then((bytes) => {
    const status = warehouseStatus();
    if (opened === database && status.kind === 'saved') {
      reportStatus({ kind: 'saved', bytes });
    }
  });
}
