// Rows of one table into Arrow IPC stream bytes, the form in which they
// cross to the warehouse (DuckDB-WASM reads IPC streams whatever the Arrow
// version of the writer). Columns come in schema order; a column a row
// has no value for is null there, so a batch made before a table widened
// still fits the wider table.
//
// The column buffers are laid out here by hand rather than with Arrow's
// builders: those compile code at run time with `Function()`, which the
// page's Content-Security-Policy forbids, and a load would fail there.

import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import { WarehouseError } from '../lib/errors';
import type { CellValue, Row } from './rows';
import type { ColumnSchema, ColumnType, TableSchema } from './schema';

function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'bigint':
      return new Int64();
    case 'double':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'text':
    case 'json':
      return new Utf8();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
  }
}

const JS_TYPE: Record<ColumnType, string> = {
  text: 'string',
  json: 'string',
  bigint: 'bigint',
  double: 'number',
  bool: 'boolean',
  timestamp: 'bigint',
};

const encoder = new TextEncoder();

/** One bit a row, as Arrow packs validity and booleans. */
function bitmap(length: number): Uint8Array {
  return new Uint8Array(Math.ceil(length / 8));
}

function setBit(bits: Uint8Array, index: number): void {
  bits[index >> 3] = (bits[index >> 3] ?? 0) | (1 << (index & 7));
}

/** The values of one column, checked against the column's type. */
function columnValues(
  table: string,
  column: ColumnSchema,
  rows: readonly Row[],
): (CellValue | undefined)[] {
  const expected = JS_TYPE[column.type];
  return rows.map((row) => {
    const value = row.get(column.name) ?? undefined;
    if (value !== undefined && typeof value !== expected) {
      // the normalizer routes every mismatch to a variant column
      throw new WarehouseError(
        'internal',
        `${table}.${column.name} holds a ${typeof value}, ` +
          `not ${column.type}.`,
      );
    }
    return value;
  });
}

function columnData(type: ColumnType, values: (CellValue | undefined)[]) {
  const length = values.length;
  const nullBitmap = bitmap(length);
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === undefined) nullCount += 1;
    else setBit(nullBitmap, index);
  });
  const common = { length, nullCount, nullBitmap };

  switch (type) {
    case 'bigint': {
      const data = new BigInt64Array(length);
      values.forEach((value, index) => {
        if (typeof value === 'bigint') data[index] = value;
      });
      return makeData({ type: new Int64(), ...common, data });
    }
    case 'timestamp': {
      const data = new BigInt64Array(length);
      values.forEach((value, index) => {
        if (typeof value === 'bigint') data[index] = value;
      });
      const timestamp = new TimestampMicrosecond('UTC');
      return makeData({ type: timestamp, ...common, data });
    }
    case 'double': {
      const data = new Float64Array(length);
      values.forEach((value, index) => {
        if (typeof value === 'number') data[index] = value;
      });
      return makeData({ type: new Float64(), ...common, data });
    }
    case 'bool': {
      const data = bitmap(length);
      values.forEach((value, index) => {
        if (value === true) setBit(data, index);
      });
      return makeData({ type: new Bool(), ...common, data });
    }
    case 'text':
    case 'json': {
      const encoded = values.map((value) =>
        typeof value === 'string' ? encoder.encode(value) : undefined,
      );
      const valueOffsets = new Int32Array(length + 1);
      let size = 0;
      encoded.forEach((bytes, index) => {
        size += bytes?.length ?? 0;
        valueOffsets[index + 1] = size;
      });
      const data = new Uint8Array(size);
      encoded.forEach((bytes, index) => {
        if (bytes) data.set(bytes, valueOffsets[index]);
      });
      return makeData({ type: new Utf8(), ...common, valueOffsets, data });
    }
  }
}

export function toArrowBatch(
  schema: TableSchema,
  rows: readonly Row[],
): Uint8Array {
  const fields = schema.columns.map(
    (column) => new Field(column.name, arrowType(column.type), true),
  );
  const children: Data[] = schema.columns.map((column) =>
    columnData(column.type, columnValues(schema.name, column, rows)),
  );

  const data = makeData({
    type: new Struct(fields),
    length: rows.length,
    nullCount: 0,
    children,
  });
  const batch = new RecordBatch(new Schema(fields), data);
  return tableToIPC(new Table(batch), 'stream');
}
