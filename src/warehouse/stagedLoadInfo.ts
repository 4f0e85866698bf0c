// The staged load the page offers to resume or discard (stagedLoad.ts),
// read from what DuckDB last committed, beside any load running.

import { getDatabase, saveWarehouse } from './database';
import { INGEST, quoteIdent, STAGING } from './sql';
import { keptRows, readStagedLoad, type StagedLoad } from './stagedLoad';

export interface StagedLoadInfo {
  record: StagedLoad;
  /** Rows a resumed load keeps. */
  rows: number;
}

export async function stagedLoadInfo(): Promise<StagedLoadInfo | null> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    const record = await readStagedLoad(connection);
    if (record === null) return null;
    return { record, rows: await keptRows(connection, record) };
  });
}

/** Drops a staged load; the dataset is not touched. */
export async function discardStagedLoad(): Promise<void> {
  const database = await getDatabase();
  await database.use('load', async (connection) => {
    await connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
    );
    await connection.query(
      `DROP SCHEMA IF EXISTS ${quoteIdent(INGEST)} CASCADE`,
    );
    await saveWarehouse(database, connection);
  });
}
