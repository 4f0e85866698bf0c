// The shape of warehouse tables as the pipeline sees them: names and
// dlt's data types, independent of DuckDB and of Arrow. The worker sends
// these descriptions ahead of the rows, so that the warehouse can create a
// table that has no rows at all without inserting an empty batch.

/** dlt's data types, as far as JSON from Orthanc can produce them; a
 *  `timestamp` holds microseconds since 1970 UTC (see isoTimestamp.ts). */
export type ColumnType =
  'text' | 'bigint' | 'double' | 'bool' | 'json' | 'timestamp';

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /**
   * The JSON keys the values come from, from the top of one row of the
   * table (`['MainDicomTags', 'StudyDate']`). Absent for the normalizer's
   * own columns (`_dlt_id`, ...) and for a declared column no data has
   * filled yet.
   */
  source?: string[];
  /** Set on a dlt variant column (`<column>__v_<type>`): the values of
   *  `source` whose type differed from the first column's. */
  variant?: boolean;
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
  /**
   * For a child table: the table one level up (a root or another child)
   * and the JSON keys of the list inside that table's rows.
   */
  listOf?: { table: string; path: string[] };
}

/**
 * The schema a load leaves behind, kept as JSON in `_dlt_version` (one
 * row per version, as dlt keeps its stored schema) so that the next load
 * keeps every name and type, and the schema view can tell which key
 * became which column.
 */
export interface StoredSchema {
  name: 'orthanc';
  /** Bumped by each load that changed a table or a column. */
  version: number;
  tables: TableSchema[];
}
