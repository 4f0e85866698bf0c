// What the load reads of DuckDB's catalog: the columns of a batch or a
// staging table as DuckDB typed them, and the dataset's tables as they
// stand inside the commit's transaction.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import type { ExistingTable } from './commitPlan';
import { stringColumn } from './resultColumn';
import { DATASET, identKey, quoteLiteral } from './sql';
import type { SqlColumn } from './sql';

/**
 * Columns of a table as DuckDB typed them. An Arrow column of nulls only
 * arrives as type NULL, which no table column can have: it becomes text.
 */
export async function tableColumns(
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
export async function datasetTables(
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
