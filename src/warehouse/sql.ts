// SQL text the warehouse generates. Every identifier goes through
// quoteIdent and every string through quoteLiteral: table and column names
// come from Orthanc's JSON keys and values from DICOM files, so both are
// data, never trusted SQL.

import { WarehouseError } from '../lib/errors';
import type { ColumnType } from '../pipeline/schema';

/** The schema users query, named as in dlt's DuckDB destination. */
export const DATASET = 'orthanc_data';

/** Where a running load keeps its rows until commit. */
export const STAGING = 'orthanc_data_staging';

/** Where one Arrow batch lands before it joins its staging table. */
export const INGEST = 'orthanc_data_ingest';

/** The DuckDB type of each of dlt's data types. */
export const SQL_TYPES: Record<ColumnType, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
  json: 'VARCHAR',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
};

export interface SqlColumn {
  name: string;
  /** A DuckDB type name, e.g. `VARCHAR`. */
  sqlType: string;
}

/** A double-quoted identifier, embedded quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new WarehouseError(
      'internal',
      `Invalid SQL identifier ${JSON.stringify(name)}.`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted string literal, embedded quotes doubled. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) {
    throw new WarehouseError('internal', 'A SQL string holds a NUL byte.');
  }
  return `'${value.replaceAll("'", "''")}'`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * DuckDB compares identifiers without regard to case, even quoted ones, so
 * every "does this column exist" check goes through this key.
 */
export function identKey(name: string): string {
  return name.toLowerCase();
}

/** Columns without repeats, the first spelling of a name winning. */
export function uniqueColumns(columns: readonly SqlColumn[]): SqlColumn[] {
  const seen = new Set<string>();
  return columns.filter((column) => {
    const key = identKey(column.name);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function createTableSql(
  schema: string,
  table: string,
  columns: readonly SqlColumn[],
): string {
  const unique = uniqueColumns(columns);
  if (unique.length === 0) {
    throw new WarehouseError(
      'internal',
      `Table ${table} was declared without columns.`,
    );
  }
  const body = unique
    .map((column) => `${quoteIdent(column.name)} ${column.sqlType}`)
    .join(', ');
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, table)} (${body})`;
}

/**
 * ALTER statements adding the columns a table lacks. Existing columns keep
 * their type: a column changes type only through a new variant column,
 * which the pipeline names.
 */
export function addColumnsSql(
  schema: string,
  table: string,
  existing: ReadonlySet<string>,
  columns: readonly SqlColumn[],
): string[] {
  return uniqueColumns(columns)
    .filter((column) => !existing.has(identKey(column.name)))
    .map(
      (column) =>
        `ALTER TABLE ${qualified(schema, table)} ` +
        `ADD COLUMN ${quoteIdent(column.name)} ${column.sqlType}`,
    );
}
