// What the saved-load marker is compared with: the tables a warehouse
// holds and the loads `_dlt_loads` lists, read from DuckDB's catalog.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { LOADS_TABLE } from './commitPlan';
import { numberColumn, stringColumn } from './resultColumn';
import type { FoundWarehouse, SavedMarker } from './savedMarker';
import { DATASET, qualified, quoteLiteral } from './sql';

/** What the opened file holds, against the marker's load. */
export async function inspectWarehouse(
  connection: AsyncDuckDBConnection,
  loadId: string | null,
): Promise<FoundWarehouse> {
  const tableCount = await countTables(connection);
  if (loadId === null || !(await hasLoadsTable(connection))) {
    return { tableCount, hasMarkedLoad: false };
  }
  const found = await connection.query(
    `SELECT count(*) AS n FROM ${qualified(DATASET, LOADS_TABLE)} ` +
      `WHERE load_id = ${quoteLiteral(loadId)}`,
  );
  return { tableCount, hasMarkedLoad: (numberColumn(found, 'n')[0] ?? 0) > 0 };
}

/** The marker that describes the warehouse as it is now. */
export async function currentMarker(
  connection: AsyncDuckDBConnection,
): Promise<SavedMarker> {
  const tableCount = await countTables(connection);
  let loadId: string | null = null;
  if (await hasLoadsTable(connection)) {
    const latest = await connection.query(
      `SELECT load_id FROM ${qualified(DATASET, LOADS_TABLE)} ` +
        'ORDER BY inserted_at DESC, load_id DESC LIMIT 1',
    );
    loadId = stringColumn(latest, 'load_id')[0] ?? null;
  }
  return { loadId, tableCount, savedAt: new Date().toISOString() };
}

/** Base tables of the dataset; its views come and go with them. */
async function countTables(connection: AsyncDuckDBConnection): Promise<number> {
  const result = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)}`,
  );
  return numberColumn(result, 'n')[0] ?? 0;
}

async function hasLoadsTable(
  connection: AsyncDuckDBConnection,
): Promise<boolean> {
  const result = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)} ` +
      `AND table_name = ${quoteLiteral(LOADS_TABLE)}`,
  );
  return (numberColumn(result, 'n')[0] ?? 0) > 0;
}
