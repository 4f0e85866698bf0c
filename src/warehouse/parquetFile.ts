// Arrow record batches written out as one Parquet file, row group by row
// group, with hyparquet-writer (DuckDB-WASM cannot write Parquet offline).
// Types stay what they were: BIGINT as INT64, DOUBLE, BOOLEAN, VARCHAR as
// UTF8 strings, dates and timestamps as Parquet dates and timestamps, and
// NULL as a missing value in an OPTIONAL column. Types Parquet has no plain
// equivalent for here (decimals, lists, structs, intervals) are written as
// the text the page shows for them.

import { DataType, Precision, TimeUnit } from 'apache-arrow';
import type { Field, Schema, Table, Vector } from 'apache-arrow';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';

import { displayColumn } from './displayValue';

interface ColumnPlan {
  element: SchemaElement;
  values(vector: Vector): unknown[];
}

const MS_PER_DAY = 86_400_000;

/**
 * Collects the file in parts, one per row group, instead of one buffer
 * that doubles as it grows: a large export never needs twice its size.
 */
class BlobSink extends ByteWriter {
  private readonly parts: ArrayBuffer[] = [];

  flush(): void {
    this.parts.push(this.buffer.slice(0, this.index));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  toBlob(): Blob {
    return new Blob(this.parts, { type: 'application/vnd.apache.parquet' });
  }
}

export class ParquetFile {
  private readonly plans: ColumnPlan[];
  private readonly names: string[];
  private readonly sink = new BlobSink();
  private readonly writer: ParquetWriter;
  private rows = 0;

  constructor(schema: Schema) {
    this.names = uniqueNames(schema.fields.map((field) => field.name));
    this.plans = schema.fields.map((field, i) =>
      planColumn(field, this.names[i] ?? field.name),
    );
    this.writer = new ParquetWriter({
      writer: this.sink,
      schema: [
        { name: 'root', num_children: this.plans.length },
        ...this.plans.map((plan) => plan.element),
      ],
    });
  }

  /** Writes the rows of `table` as one row group. */
  write(table: Table): void {
    if (table.numRows === 0) return;
    const columnData = this.plans.map((plan, i) => {
      const vector = table.getChildAt(i);
      if (vector === null) {
        throw new Error(`Batch lacks column ${this.names[i] ?? i}.`);
      }
      return { name: plan.element.name, data: plan.values(vector) };
    });
    void this.writer.write({ columnData, rowGroupSize: table.numRows });
    this.rows += table.numRows;
  }

  finish(): { file: Blob; rows: number } {
    void this.writer.finish();
    return { file: this.sink.toBlob(), rows: this.rows };
  }
}

/** Parquet column names must differ; a repeat gets `_1`, `_2`... */
function uniqueNames(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let n = 1; taken.has(candidate); n++) candidate = `${name}_${n}`;
    taken.add(candidate);
    return candidate;
  });
}

function optional(
  name: string,
  element: Omit<SchemaElement, 'name'>,
): SchemaElement {
  return { name, repetition_type: 'OPTIONAL', ...element };
}

/** Every value through Arrow's getter; null stays null. */
function each(
  convert: (value: unknown) => unknown,
): (vector: Vector) => unknown[] {
  return (vector) => {
    const out = new Array<unknown>(vector.length);
    for (let i = 0; i < vector.length; i++) {
      const value: unknown = vector.get(i);
      out[i] = value === null || value === undefined ? null : convert(value);
    }
    return out;
  };
}

const same = (value: unknown) => value;

function planColumn(field: Field, name: string): ColumnPlan {
  const type = field.type as DataType;

  if (DataType.isInt(type)) {
    if (type.bitWidth === 64) {
      return {
        element: optional(name, {
          type: 'INT64',
          ...(type.isSigned ? {} : { converted_type: 'UINT_64' }),
        }),
        values: each((value) =>
          typeof value === 'bigint' ? value : BigInt(value as number),
        ),
      };
    }
    const converted = smallIntType(type.bitWidth, type.isSigned);
    return {
      element: optional(name, {
        type: 'INT32',
        ...(converted === undefined ? {} : { converted_type: converted }),
      }),
      values: each(same),
    };
  }
  if (DataType.isFloat(type)) {
    return {
      element: optional(name, {
        type: type.precision === Precision.DOUBLE ? 'DOUBLE' : 'FLOAT',
      }),
      values: each(same),
    };
  }
  if (DataType.isBool(type)) {
    return {
      element: optional(name, { type: 'BOOLEAN' }),
      values: each(same),
    };
  }
  if (
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type) ||
    (DataType.isDictionary(type) &&
      (DataType.isUtf8(type.dictionary) ||
        DataType.isLargeUtf8(type.dictionary)))
  ) {
    return {
      element: optional(name, { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
      values: each(String),
    };
  }
  if (DataType.isDate(type)) {
    return {
      element: optional(name, { type: 'INT32', converted_type: 'DATE' }),
      values: each((ms) => Math.round(Number(ms) / MS_PER_DAY)),
    };
  }
  if (DataType.isTimestamp(type)) {
    const adjusted = Boolean(type.timezone);
    return {
      element: optional(name, {
        type: 'INT64',
        logical_type: {
          type: 'TIMESTAMP',
          isAdjustedToUTC: adjusted,
          unit: 'MICROS',
        },
        // The legacy annotation means "adjusted to UTC"; a local timestamp
        // carries the logical type only.
        ...(adjusted ? { converted_type: 'TIMESTAMP_MICROS' } : {}),
      }),
      values: (vector) => timestampMicros(vector, type.unit),
    };
  }
  return {
    element: optional(name, { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    values: (vector) => displayColumn(vector),
  };
}

/** The annotation of a narrow integer; plain INT32 needs none. */
function smallIntType(
  bitWidth: number,
  signed: boolean,
): SchemaElement['converted_type'] {
  if (signed) {
    if (bitWidth === 8) return 'INT_8';
    if (bitWidth === 16) return 'INT_16';
    return undefined;
  }
  if (bitWidth === 8) return 'UINT_8';
  if (bitWidth === 16) return 'UINT_16';
  return 'UINT_32';
}

/** Raw timestamp values in microseconds, read past Arrow's lossy getter. */
function timestampMicros(vector: Vector, unit: TimeUnit): (bigint | null)[] {
  const scale: Record<TimeUnit, (value: bigint) => bigint> = {
    [TimeUnit.SECOND]: (value) => value * 1_000_000n,
    [TimeUnit.MILLISECOND]: (value) => value * 1_000n,
    [TimeUnit.MICROSECOND]: (value) => value,
    [TimeUnit.NANOSECOND]: (value) => value / 1_000n,
  };
  const out: (bigint | null)[] = [];
  for (const data of vector.data) {
    const values = data.values as ArrayLike<bigint | number>;
    for (let i = 0; i < data.length; i++) {
      const raw = values[i];
      out.push(
        data.getValid(i) && raw !== undefined ? scale[unit](BigInt(raw)) : null,
      );
    }
  }
  return out;
}
