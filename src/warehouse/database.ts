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

import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { openDatabase } from './openDatabase';
import { SerialQueue } from './serialQueue';
import { DATASET, INGEST, STAGING, quoteIdent } from './sql';
import { toWarehouseError } from './warehouseError';

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

  constructor(private readonly db: AsyncDuckDB) {}

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
      throw toWarehouseError(error);
    }
  }

  /** A connection of its own, for the caller to close. */
  async connect(): Promise<AsyncDuckDBConnection> {
    return this.db.connect();
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

let opening: Promise<Database> | undefined;
let opened: Database | undefined;

/** The page's database, opened on first use. */
export function getDatabase(): Promise<Database> {
  opening ??= start().then(
    (database) => {
      opened = database;
      return database;
    },
    (error: unknown) => {
      // A failed start may succeed on the next try (e.g. after a reload
      // of the wasm file); do not keep the failure.
      opening = undefined;
      throw toWarehouseError(error);
    },
  );
  return opening;
}

/** The page's database if it has finished opening, without waiting. */
export function openedDatabase(): Database | undefined {
  return opened;
}

async function start(): Promise<Database> {
  const db = await openDatabase();
  const database = new Database(db);
  await database.use('load', async (connection) => {
    // Offline, an extension DuckDB tries to fetch fails with an obscure
    // network error; with autoloading off, the error names the function.
    await connection.query('SET autoinstall_known_extensions = false');
    await connection.query('SET autoload_known_extensions = false');
    // Staging left by a load that never finished is not data.
    await connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
    );
    await connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
    );
    await connection.query(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(DATASET)}`,
    );
  });
  return database;
}
