import {
  Bool,
  Decimal,
  Float64,
  Int64,
  List,
  Field,
  Table,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';

import {
  displayRows,
  formatDecimal,
  formatTime,
  formatTimestamp,
} from './displayValue';

describe('display values', () => {
  it('keeps 64-bit integers exact and NULL apart from empty text', () => {
    const table = new Table({
      size: vectorFromArray([9007199254740993n, null], new Int64()),
      name: vectorFromArray(['', null], new Utf8()),
      ratio: vectorFromArray([0.1, Number.NaN], new Float64()),
      ok: vectorFromArray([false, true], new Bool()),
      tags: vectorFromArray(
        [['a', '<b>'], []],
        new List(new Field('item', new Utf8(), true)),
      ),
    });
    expect(displayRows(table)).toEqual([
      ['9007199254740993', '', '0.1', 'false', '["a","<b>"]'],
      [null, null, 'NaN', 'true', '[]'],
    ]);
  });

  it('stops at the row limit', () => {
    const table = new Table({
      n: vectorFromArray([1n, 2n, 3n], new Int64()),
    });
    expect(displayRows(table, 2)).toEqual([['1'], ['2']]);
  });

  it('prints times as DuckDB does, in UTC, to the microsecond', () => {
    expect(formatTimestamp(1_689_000_000_123_456n)).toBe(
      '2023-07-10 14:40:00.123456',
    );
    expect(formatTimestamp(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(formatTimestamp(0n)).toBe('1970-01-01 00:00:00');
    expect(formatTime(36_930_123_450n)).toBe('10:15:30.12345');
    expect(formatTime(36_900_000_000n)).toBe('10:15:00');
  });

  it('puts the decimal point back', () => {
    expect(formatDecimal('12345', 2)).toBe('123.45');
    expect(formatDecimal('-5', 2)).toBe('-0.05');
    expect(formatDecimal('7', 0)).toBe('7');
    const decimals = makeVector(
      makeData({
        type: new Decimal(3, 10, 128),
        length: 1,
        data: Uint32Array.of(123456, 0, 0, 0),
      }),
    );
    expect(displayRows(new Table({ d: decimals }))).toEqual([['123.456']]);
  });
});
