// What the views read. Paging and sorting happen in SQL, so a table of a
// million rows costs the page 50 rows at a time; values come back as
// display strings (see displayValue.ts).

import { DataType, Precision } from 'apache-arrow';
import type { Schema } from 'apache-arrow';

import { WarehouseError } from '../lib/errors';
import { getDatabase, streaming } from './database';
import { displayColumn, displayRows } from './displayValue';
import type { DisplayValue } from './displayValue';
import { numberColumn, stringColumn } from './resultColumn';
import { DATASET, identKey, qualified, quoteIdent, quoteLiteral } from './sql';

export interface TableInfo {
  name: string;
  rowCount: number;
  columnCount: number;
}

export interface ColumnInfo {
  name: string;
  /** DuckDB's type name for a table, Arrow's for a query result. */
  type: string;
}

export interface TableSort {
  column: string;
  desc: boolean;
}

export interface TablePageRequest {
  table: string;
  pageIndex: number;
  pageSize: number;
  sort?: TableSort | undefined;
}

export interface TablePage {
  columns: ColumnInfo[];
  rows: DisplayValue[][];
  /** Rows in the whole table. */
  rowCount: number;
  /**
   * Rows whose `is_stable` is false, for a table that has that column:
   * resources Orthanc may still be receiving (C06).
   */
  unstableCount?: number;
}

export interface SqlResult {
  columns: ColumnInfo[];
  rows: DisplayValue[][];
  /** True when the result had more rows than were kept. */
  truncated: boolean;
  elapsedMs: number;
}

/** Orthanc's `IsStable`, as the detail tables name it. */
export const STABLE_COLUMN = 'is_stable';

/** The tables of `orthanc_data`, with exact row counts. */
export async function listTables(): Promise<TableInfo[]> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    const tables = await connection.query(
      `SELECT table_name, column_count FROM duckdb_tables() ` +
        `WHERE schema_name = ${quoteLiteral(DATASET)} ORDER BY table_name`,
    );
    const names = stringColumn(tables, 'table_name');
    if (names.length === 0) return [];
    const columnCounts = numberColumn(tables, 'column_count');

    const counts = await connection.query(
      names
        .map(
          (name, i) =>
            `SELECT ${i} AS i, count(*) AS n FROM ${qualified(DATASET, name)}`,
        )
        .join(' UNION ALL '),
    );
    const rowCounts = new Map<number, number>();
    const index = numberColumn(counts, 'i');
    numberColumn(counts, 'n').forEach((n, row) => {
      rowCounts.set(index[row] ?? -1, n);
    });
    return names.map((name, i) => ({
      name,
      rowCount: rowCounts.get(i) ?? 0,
      columnCount: columnCounts[i] ?? 0,
    }));
  });
}

/** One page of a table, sorted in SQL, with the table's row count. */
export async function tablePage(request: TablePageRequest): Promise<TablePage> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    const described = await connection.query(
      `SELECT column_name, data_type FROM duckdb_columns() ` +
        `WHERE schema_name = ${quoteLiteral(DATASET)} ` +
        `AND table_name = ${quoteLiteral(request.table)} ORDER BY column_index`,
    );
    const types = stringColumn(described, 'data_type');
    const columns = stringColumn(described, 'column_name').map((name, i) => ({
      name,
      type: types[i] ?? '',
    }));
    if (columns.length === 0) {
      throw new WarehouseError(
        'not_found',
        `Table ${request.table} is not in the warehouse.`,
      );
    }
    const table = qualified(DATASET, request.table);

    const stability = columns.find(
      (c) => identKey(c.name) === STABLE_COLUMN && c.type === 'BOOLEAN',
    );
    const unstable =
      stability === undefined
        ? ''
        : `, count(*) FILTER (WHERE NOT ${quoteIdent(stability.name)}) AS u`;
    const counted = await connection.query(
      `SELECT count(*) AS n${unstable} FROM ${table}`,
    );
    const rowCount = numberColumn(counted, 'n')[0] ?? 0;

    const page = await connection.query(
      `SELECT * FROM ${table} ${orderBy(request.sort, columns)} ` +
        `LIMIT ${Math.max(1, Math.floor(request.pageSize))} ` +
        `OFFSET ${Math.max(0, Math.floor(request.pageIndex * request.pageSize))}`,
    );
    const result: TablePage = { columns, rows: displayRows(page), rowCount };
    if (stability !== undefined) {
      result.unstableCount = numberColumn(counted, 'u')[0] ?? 0;
    }
    return result;
  });
}

/**
 * ORDER BY for a page. `rowid` breaks ties, so rows with equal sort values
 * keep one order and no row shows on two pages or on none.
 */
export function orderBy(
  sort: TableSort | undefined,
  columns: readonly ColumnInfo[],
): string {
  const column =
    sort === undefined
      ? undefined
      : columns.find((c) => identKey(c.name) === identKey(sort.column));
  if (sort === undefined || column === undefined) return 'ORDER BY rowid';
  const direction = sort.desc ? 'DESC' : 'ASC';
  return `ORDER BY ${quoteIdent(column.name)} ${direction} NULLS LAST, rowid`;
}

/**
 * Runs the user's SQL and keeps the first `maxRows` rows of its result. The
 * result streams, so a query over a large table stops being read once
 * enough rows are in.
 */
export async function runSql(sql: string, maxRows = 1000): Promise<SqlResult> {
  const database = await getDatabase();
  return database.use('sql', (connection) =>
    streaming(async () => {
      const started = performance.now();
      const reader = await connection.send(sql, true);
      // The schema is read with the first message, even for zero rows.
      await reader.open();
      const columns = describe(reader.schema);
      const kept: DisplayValue[][] = columns.map(() => []);
      let rows = 0;
      let truncated = false;
      for await (const batch of reader) {
        const take = Math.min(batch.numRows, maxRows - rows);
        if (take < batch.numRows) truncated = true;
        batch.schema.fields.forEach((_, i) => {
          const vector = batch.getChildAt(i);
          if (vector !== null) kept[i]?.push(...displayColumn(vector, take));
        });
        rows += take;
        if (truncated) break;
      }
      if (truncated) {
        // The rest of the result is not wanted; free the connection.
        await connection.cancelSent().catch(() => false);
      }
      const table: DisplayValue[][] = [];
      for (let r = 0; r < rows; r++) {
        table.push(kept.map((column) => column[r] ?? null));
      }
      return {
        columns,
        rows: table,
        truncated,
        elapsedMs: performance.now() - started,
      };
    }),
  );
}

function describe(schema: Schema): ColumnInfo[] {
  return schema.fields.map((field) => ({
    name: field.name,
    type: sqlTypeName(field.type as DataType),
  }));
}

/** DuckDB's name for the Arrow type a result column came back as. */
export function sqlTypeName(type: DataType): string {
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isInt(type)) {
    const names: Record<number, string> = {
      8: 'TINYINT',
      16: 'SMALLINT',
      32: 'INTEGER',
      64: 'BIGINT',
    };
    const name = names[type.bitWidth] ?? 'INTEGER';
    return type.isSigned ? name : `U${name}`;
  }
  if (DataType.isFloat(type)) {
    return type.precision === Precision.DOUBLE ? 'DOUBLE' : 'FLOAT';
  }
  if (DataType.isDecimal(type)) {
    return `DECIMAL(${type.precision},${type.scale})`;
  }
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isTime(type)) return 'TIME';
  if (DataType.isTimestamp(type)) {
    return type.timezone ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP';
  }
  if (DataType.isBinary(type)) return 'BLOB';
  if (DataType.isNull(type)) return 'NULL';
  // Arrow's own names for the rest, e.g. `List<Int32>`.
  return (type as { toString(): string }).toString();
}
