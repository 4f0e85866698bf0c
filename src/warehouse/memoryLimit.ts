// How much memory DuckDB may take. Left alone, DuckDB-WASM sets its
// memory_limit to 3.1 GiB, nearly all of the 4 GiB a wasm32 heap can
// reach, and the tab, the crawl worker and the allocations DuckDB makes
// outside its buffer manager would run out of room first: the browser
// ends the tab instead of DuckDB refusing a query. Under an explicit
// limit a load that needs more fails with an "Out of Memory Error",
// which the page reports (see memoryLimitMessage in lib/errors.ts) while
// the tab and the warehouse live on.
//
// DuckDB-WASM 1.32 cannot spill to OPFS (a temp_directory there fails on
// the first temporary file, duckdb/duckdb-wasm#2061), so spilling is
// switched off: at the limit DuckDB says so plainly instead of failing on
// a file it cannot create.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';

/** The limit until the user sets another, in MB. */
export const DEFAULT_MEMORY_LIMIT_MB = 1024;

export function memoryLimitSql(megabytes: number): string {
  if (!Number.isSafeInteger(megabytes) || megabytes <= 0) {
    throw new WarehouseError(
      'internal',
      `Invalid memory limit ${String(megabytes)}.`,
    );
  }
  return `SET memory_limit = '${megabytes}MB'`;
}

/** Sets the limit, and no spilling, for the whole database. */
export async function applyMemoryLimit(
  connection: AsyncDuckDBConnection,
  megabytes: number,
): Promise<void> {
  await connection.query(memoryLimitSql(megabytes));
  await connection.query("SET temp_directory = ''");
}
