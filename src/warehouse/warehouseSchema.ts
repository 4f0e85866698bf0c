// The shape of `orthanc_data` as the schema view shows it: DuckDB's
// catalog says which tables and views exist, their columns and types; the
// stored schema, when a load has written one, adds what only the pipeline
// knows: the JSON keys behind each column, variant columns, the list a
// child table holds, write disposition and primary key.

import { plainColumnName, wasRenamed } from '../pipeline/columnOrigin';
import { NamingConvention } from '../pipeline/naming';
import type {
  ColumnSchema,
  StoredSchema,
  TableSchema,
  WriteDisposition,
} from '../pipeline/schema';
import { identKey } from './sql';
import { tableTree } from './tableTree';
import type { TreePlace } from './tableTree';

export interface CatalogColumn {
  name: string;
  /** DuckDB's type name, e.g. `VARCHAR`. */
  type: string;
}

export interface SchemaColumn extends CatalogColumn {
  /** The JSON keys the values come from, when the stored schema has them. */
  source: string[] | null;
  variant: boolean;
  /** The name the keys would have alone, when they are recorded. */
  plainName: string | null;
  /** Named apart because another key had the plain name first. */
  renamed: boolean;
}

export interface SchemaTable extends TreePlace {
  rowCount: number;
  columns: SchemaColumn[];
  /** The list's JSON keys in the parent's rows, when recorded. */
  listPath: string[] | null;
  /** Null when no stored schema describes the table. */
  disposition: WriteDisposition | null;
  primaryKey: string[] | null;
}

export interface SchemaView {
  name: string;
  columns: CatalogColumn[];
}

export interface WarehouseSchema {
  /** Every table once, in tree order (see tableTree.ts). */
  tables: SchemaTable[];
  views: SchemaView[];
  /** The stored schema's version, null when there is none. */
  storedVersion: number | null;
  /** Why a stored schema that exists could not be read. */
  storedProblem: string | null;
}

/** What the catalog queries found, before it is put together. */
export interface CatalogSnapshot {
  tables: Map<string, CatalogColumn[]>;
  rowCounts: Map<string, number>;
  views: Map<string, CatalogColumn[]>;
  stored: StoredSchema | null;
  storedProblem: string | null;
}

const naming = new NamingConvention();

function describeColumn(
  column: CatalogColumn,
  recorded: ColumnSchema | undefined,
): SchemaColumn {
  const source = recorded?.source;
  return {
    ...column,
    source: source && source.length > 0 ? [...source] : null,
    variant: recorded?.variant === true,
    plainName: recorded ? plainColumnName(recorded, naming) : null,
    renamed: recorded !== undefined && wasRenamed(recorded, naming),
  };
}

function describeTable(
  place: TreePlace,
  catalog: CatalogSnapshot,
  recorded: TableSchema | undefined,
): SchemaTable {
  const byKey = new Map(
    (recorded?.columns ?? []).map((c) => [identKey(c.name), c]),
  );
  const columns = (catalog.tables.get(place.name) ?? []).map((column) =>
    describeColumn(column, byKey.get(identKey(column.name))),
  );
  return {
    ...place,
    rowCount: catalog.rowCounts.get(place.name) ?? 0,
    columns,
    listPath: recorded?.listOf ? [...recorded.listOf.path] : null,
    disposition: recorded?.disposition ?? null,
    primaryKey: recorded ? [...recorded.primaryKey] : null,
  };
}

export function warehouseSchema(catalog: CatalogSnapshot): WarehouseSchema {
  const recorded = new Map(
    (catalog.stored?.tables ?? []).map((table) => [table.name, table]),
  );
  const inputs = [...catalog.tables].map(([name, columns]) => ({
    name,
    columnNames: columns.map((column) => column.name),
  }));
  const tables = tableTree(inputs, catalog.stored).map((place) =>
    describeTable(place, catalog, recorded.get(place.name)),
  );
  const views = [...catalog.views]
    .map(([name, columns]) => ({ name, columns }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    tables,
    views,
    storedVersion: catalog.stored?.version ?? null,
    storedProblem: catalog.storedProblem,
  };
}
