// The shape of warehouse tables as the pipeline sees them: names and
// dlt's data types, independent of DuckDB and of Arrow. The worker sends
// these descriptions ahead of the rows, so that the warehouse can create a
// table that has no rows at all without inserting an empty batch.

/** dlt's data types, as far as JSON from Orthanc can produce them. */
export type ColumnType = 'text' | 'bigint' | 'double' | 'bool' | 'json';

export interface ColumnSchema {
  name: string;
  type: ColumnType;
}

/**
 * How a table's rows replace what the warehouse held before.
 * - `replace`: a load holds the whole table; older rows go.
 * - `merge`: rows replace the rows with the same primary key (and their
 *   child rows, found through `_dlt_root_id`).
 * - `append`: rows are added.
 */
export type WriteDisposition = 'replace' | 'merge' | 'append';

export interface TableSchema {
  /** Final table name in `orthanc_data`, e.g. `studies_detail__series`. */
  name: string;
  /** The root table for a child table, absent for a root table. */
  parent?: string;
  columns: ColumnSchema[];
  disposition: WriteDisposition;
  /** Columns that identify a row of a root table, for `merge`. */
  primaryKey: string[];
}
