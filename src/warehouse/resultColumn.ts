// Reading the small catalog queries the warehouse runs on itself. Their
// columns are known, so each is read by name into plain values.

import type { Table } from 'apache-arrow';

import { WarehouseError } from '../lib/errors';

/** The values of one column of a query result, in row order. */
export function resultColumn(result: Table, name: string): unknown[] {
  const vector = result.getChild(name);
  if (vector === null) {
    throw new WarehouseError('internal', `Query result lacks column ${name}.`);
  }
  // Read value by value: toArray() on a result of several chunks can fail
  // to join 64-bit chunks into one typed array.
  const values: unknown[] = [];
  for (let i = 0; i < vector.length; i++) values.push(vector.get(i));
  return values;
}

export function stringColumn(result: Table, name: string): string[] {
  return resultColumn(result, name).map(String);
}

/** Counts and sizes, exact up to 2^53 as JavaScript numbers. */
export function numberColumn(result: Table, name: string): number[] {
  return resultColumn(result, name).map(Number);
}
