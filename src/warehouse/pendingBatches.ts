// The batches of the tables a checkpoint covers (those the crawl's pages
// fill) wait in the ingest schema, each in a table of its own, until the
// next checkpoint. Then they join staging in one transaction with the
// record of how far the load came (stagedLoad.ts), so that staging never
// holds part of what a checkpoint covers: a load that stops, however it
// stops, resumes from rows and a record that agree.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import type { StagedTable } from './commitPlan';
import { INGEST, STAGING, qualified } from './sql';

/** A batch landed in `INGEST.<table>`, for the staging table `key`. */
export interface PendingBatch {
  key: string;
  table: string;
}

/**
 * Moves `pending` into staging and runs `extra` after them, all in one
 * transaction; returns the rows each staging table took, by key. On a
 * failure nothing has moved and the batches still wait.
 */
export async function applyBatches(
  connection: AsyncDuckDBConnection,
  pending: readonly PendingBatch[],
  staged: ReadonlyMap<string, StagedTable>,
  extra: readonly string[],
): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  if (pending.length === 0 && extra.length === 0) return inserted;
  await connection.query('BEGIN TRANSACTION');
  try {
    for (const batch of pending) {
      const target = staged.get(batch.key);
      if (target === undefined) continue;
      const result = await connection.query(
        `INSERT INTO ${qualified(STAGING, target.schema.name)} BY NAME ` +
          `SELECT * FROM ${qualified(INGEST, batch.table)}`,
      );
      const rows = Number(result.getChildAt(0)?.get(0) ?? 0n);
      inserted.set(batch.key, (inserted.get(batch.key) ?? 0) + rows);
    }
    for (const sql of extra) await connection.query(sql);
    for (const batch of pending) {
      await connection.query(`DROP TABLE ${qualified(INGEST, batch.table)}`);
    }
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return inserted;
}
