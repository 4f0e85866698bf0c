// A normalized row: column name to value, in the order the columns were
// filled. Values are already in the type their column holds in the
// warehouse (see schema.ts): text and json as strings, bigint as BigInt,
// double as number, bool as boolean, timestamp as BigInt microseconds
// since 1970 UTC. A missing key or null is no value.

export type CellValue = string | bigint | number | boolean;

export type Row = Map<string, CellValue>;

/** A row and the table it belongs to, as the normalizer yields them. */
export interface TableRow {
  table: string;
  row: Row;
}
