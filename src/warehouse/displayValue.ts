// Arrow values as the text a person reads, the way DuckDB prints them.
// 64-bit integers stay exact (BigInt), timestamps keep their microseconds
// and are shown in UTC, and NULL stays null so the page can mark it apart
// from an empty string. Used by the page and by the Parquet worker for
// types Parquet export writes as text.

import { DataType, makeVector, TimeUnit } from 'apache-arrow';
import type { Data, Table, Vector } from 'apache-arrow';

/** A value as text; null for SQL NULL. */
export type DisplayValue = string | null;

type Format = (chunk: Vector, data: Data, index: number) => string;

/** Every value of a column, first `limit` rows at most. */
export function displayColumn(
  vector: Vector,
  limit = Infinity,
): DisplayValue[] {
  const out: DisplayValue[] = [];
  // Arrow types a column of unknown type as `any`; the chunks are Data.
  for (const data of vector.data as readonly Data[]) {
    const format = formatFor(data.type);
    const chunk: Vector = makeVector(data);
    for (let i = 0; i < data.length && out.length < limit; i++) {
      out.push(data.getValid(i) ? format(chunk, data, i) : null);
    }
    if (out.length >= limit) break;
  }
  return out;
}

/** Rows of a table as display strings, row-major. */
export function displayRows(table: Table, limit = Infinity): DisplayValue[][] {
  const count = Math.min(table.numRows, limit);
  const columns = table.schema.fields.map((_, i) => {
    const vector = table.getChildAt(i);
    return vector === null ? [] : displayColumn(vector, count);
  });
  const rows: DisplayValue[][] = [];
  for (let r = 0; r < count; r++) {
    rows.push(columns.map((column) => column[r] ?? null));
  }
  return rows;
}

export function formatFor(type: DataType): Format {
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    return (chunk, _data, i) => String(chunk.get(i));
  }
  if (DataType.isTimestamp(type)) {
    const toMicros = microsFactor(type.unit);
    const suffix = type.timezone ? '+00' : '';
    return (_chunk, data, i) =>
      formatTimestamp(toMicros(rawBigInt(data, i))) + suffix;
  }
  if (DataType.isDate(type)) {
    // Arrow hands dates out as epoch milliseconds, whole days.
    return (chunk, _data, i) => formatDate(Number(chunk.get(i)));
  }
  if (DataType.isTime(type)) {
    const toMicros = microsFactor(type.unit);
    return (_chunk, data, i) => formatTime(toMicros(rawBigInt(data, i)));
  }
  if (DataType.isDecimal(type)) {
    const scale = type.scale;
    return (chunk, _data, i) => formatDecimal(String(chunk.get(i)), scale);
  }
  if (DataType.isBinary(type) || DataType.isFixedSizeBinary(type)) {
    return (chunk, _data, i) => formatBytes(chunk.get(i) as Uint8Array);
  }
  if (DataType.isBool(type)) {
    return (chunk, _data, i) => (chunk.get(i) ? 'true' : 'false');
  }
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    return (chunk, _data, i) => String(chunk.get(i));
  }
  return (chunk, _data, i) => scalarText(chunk.get(i));
}

/** Dictionary entries, nested values and anything rarer. */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return toJson(value);
  }
}

function rawBigInt(data: Data, index: number): bigint {
  const values = data.values as ArrayLike<bigint | number>;
  return BigInt(values[index] ?? 0);
}

function microsFactor(unit: TimeUnit): (value: bigint) => bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return (value) => value * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return (value) => value * 1_000n;
    case TimeUnit.MICROSECOND:
      return (value) => value;
    case TimeUnit.NANOSECOND:
      return (value) => value / 1_000n;
  }
}

/** Splits microseconds into whole seconds and a non-negative fraction. */
function splitMicros(micros: bigint): [seconds: bigint, fraction: bigint] {
  let seconds = micros / 1_000_000n;
  let fraction = micros % 1_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000n;
    seconds -= 1n;
  }
  return [seconds, fraction];
}

function fractionText(fraction: bigint): string {
  if (fraction === 0n) return '';
  return '.' + fraction.toString().padStart(6, '0').replace(/0+$/, '');
}

export function formatTimestamp(micros: bigint): string {
  const [seconds, fraction] = splitMicros(micros);
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return iso.slice(0, 19).replace('T', ' ') + fractionText(fraction);
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function formatTime(micros: bigint): string {
  const [seconds, fraction] = splitMicros(micros);
  const s = Number(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return clock + fractionText(fraction);
}

/** An unscaled integer in decimal digits, with its point put back. */
export function formatDecimal(unscaled: string, scale: number): string {
  if (scale <= 0) return unscaled;
  const negative = unscaled.startsWith('-');
  const digits = (negative ? unscaled.slice(1) : unscaled).padStart(
    scale + 1,
    '0',
  );
  const point = digits.length - scale;
  return (
    (negative ? '-' : '') + digits.slice(0, point) + '.' + digits.slice(point)
  );
}

function formatBytes(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += '\\x' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return text;
}

/** Nested values (lists, structs, maps) as JSON; 64-bit integers exact. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}
