// The schema each load leaves behind, kept inside the warehouse the way
// dlt keeps its own: a `_dlt_version` table with one row per version and
// the schema as JSON text. The next load starts from it (names and types
// stay what they were) and the schema view reads which JSON key became
// which column.

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { WarehouseError } from '../lib/errors';
import type {
  ColumnSchema,
  StoredSchema,
  TableSchema,
} from '../pipeline/schema';
import { resultColumn } from './resultColumn';
import { DATASET, qualified, quoteLiteral, SQL_TYPES } from './sql';
import type { SqlColumn } from './sql';

export const VERSION_TABLE = '_dlt_version';

/** dlt's columns of `_dlt_version`; `schema` holds a StoredSchema. */
export const versionColumns: SqlColumn[] = [
  { name: 'version', sqlType: 'BIGINT NOT NULL' },
  { name: 'engine_version', sqlType: 'BIGINT NOT NULL' },
  { name: 'inserted_at', sqlType: 'TIMESTAMP WITH TIME ZONE NOT NULL' },
  { name: 'schema_name', sqlType: 'VARCHAR NOT NULL' },
  { name: 'version_hash', sqlType: 'VARCHAR NOT NULL' },
  { name: 'schema', sqlType: 'VARCHAR NOT NULL' },
];

/** The version of the StoredSchema layout, in `engine_version`. */
export const SCHEMA_ENGINE_VERSION = 1;

const COLUMN_TYPES = new Set<unknown>(Object.keys(SQL_TYPES));

function isColumnSchema(value: unknown): value is ColumnSchema {
  if (typeof value !== 'object' || value === null) return false;
  const column = value as Partial<ColumnSchema>;
  return (
    typeof column.name === 'string' &&
    COLUMN_TYPES.has(column.type) &&
    (column.source === undefined ||
      (Array.isArray(column.source) &&
        column.source.every((key) => typeof key === 'string')))
  );
}

function isTableSchema(value: unknown): value is TableSchema {
  if (typeof value !== 'object' || value === null) return false;
  const table = value as Partial<TableSchema>;
  return (
    typeof table.name === 'string' &&
    Array.isArray(table.columns) &&
    table.columns.every(isColumnSchema) &&
    Array.isArray(table.primaryKey) &&
    typeof table.disposition === 'string'
  );
}

/** A StoredSchema from its JSON text; throws if it is not one. */
export function parseStoredSchema(text: string): StoredSchema {
  const value: unknown = JSON.parse(text);
  const schema = value as Partial<StoredSchema> | null;
  if (
    schema === null ||
    typeof schema !== 'object' ||
    schema.name !== 'orthanc' ||
    typeof schema.version !== 'number' ||
    !Array.isArray(schema.tables) ||
    !schema.tables.every(isTableSchema)
  ) {
    throw new WarehouseError(
      'internal',
      `The stored schema in ${VERSION_TABLE} is not one this version ` +
        'reads: start from an empty warehouse (reload the page) and load ' +
        'again.',
    );
  }
  return schema as StoredSchema;
}

/** The newest stored schema, or null before the first load. */
export async function readStoredSchema(
  connection: AsyncDuckDBConnection,
): Promise<StoredSchema | null> {
  const exists = await connection.query(
    `SELECT count(*) AS n FROM duckdb_tables() ` +
      `WHERE schema_name = ${quoteLiteral(DATASET)} ` +
      `AND table_name = ${quoteLiteral(VERSION_TABLE)}`,
  );
  if (Number(resultColumn(exists, 'n')[0] ?? 0) === 0) return null;

  const result = await connection.query(
    `SELECT schema FROM ${qualified(DATASET, VERSION_TABLE)} ` +
      `ORDER BY version DESC LIMIT 1`,
  );
  const text = resultColumn(result, 'schema')[0];
  return typeof text === 'string' ? parseStoredSchema(text) : null;
}
