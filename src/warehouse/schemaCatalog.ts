// Reads the warehouse's shape in four catalog queries, however many
// tables there are: a dataset can hold a few hundred child tables, and a
// query per table would keep the view waiting on each round trip. They
// run in one read transaction, so a commit landing meanwhile cannot drop
// a table between listing it and counting its rows.
//
// Row counts are count(*), all tables in one UNION ALL. DuckDB's
// `estimated_size` is cheaper but not exact: it still counts the rows a
// merge deleted until the table is checkpointed (measured on DuckDB 1.5:
// 10,000 rows, 3,000 deleted and 500 added in one commit read 10,500).

import { DATASET, qualified, quoteLiteral } from './sql';
import { parseStoredSchema, VERSION_TABLE } from './storedSchema';
import type { CatalogColumn, CatalogSnapshot } from './warehouseSchema';

/** Runs one query and returns its rows as plain objects. */
export type CatalogQuery = (sql: string) => Promise<Record<string, unknown>[]>;

const inDataset = `schema_name = ${quoteLiteral(DATASET)}`;

async function relations(query: CatalogQuery) {
  const rows = await query(
    `SELECT table_name AS name, false AS is_view FROM duckdb_tables() ` +
      `WHERE ${inDataset} ` +
      `UNION ALL SELECT view_name, true FROM duckdb_views() ` +
      `WHERE ${inDataset} AND NOT internal`,
  );
  const tables: string[] = [];
  const views: string[] = [];
  for (const row of rows) {
    (row.is_view === true ? views : tables).push(String(row.name));
  }
  return { tables, views };
}

async function columns(query: CatalogQuery) {
  const rows = await query(
    `SELECT table_name, column_name, data_type FROM duckdb_columns() ` +
      `WHERE ${inDataset} ORDER BY table_name, column_index`,
  );
  const byRelation = new Map<string, CatalogColumn[]>();
  for (const row of rows) {
    const relation = String(row.table_name);
    const columns = byRelation.get(relation) ?? [];
    columns.push({
      name: String(row.column_name),
      type: String(row.data_type),
    });
    byRelation.set(relation, columns);
  }
  return byRelation;
}

async function rowCounts(query: CatalogQuery, tables: readonly string[]) {
  const counts = new Map<string, number>();
  if (tables.length === 0) return counts;
  const rows = await query(
    tables
      .map(
        (name, i) =>
          `SELECT ${i} AS i, count(*) AS n FROM ${qualified(DATASET, name)}`,
      )
      .join(' UNION ALL '),
  );
  for (const row of rows) {
    const name = tables[Number(row.i)];
    if (name !== undefined) counts.set(name, Number(row.n));
  }
  return counts;
}

async function storedSchema(query: CatalogQuery) {
  const rows = await query(
    `SELECT schema FROM ${qualified(DATASET, VERSION_TABLE)} ` +
      `WHERE schema_name = 'orthanc' ORDER BY version DESC LIMIT 1`,
  );
  const text = rows[0]?.schema;
  return typeof text === 'string' ? parseStoredSchema(text) : null;
}

/**
 * What the catalog holds. A stored schema this version cannot read is
 * reported beside the catalog, not instead of it: the tables are still
 * there to see.
 */
export async function readCatalog(
  query: CatalogQuery,
): Promise<CatalogSnapshot> {
  await query('BEGIN TRANSACTION');
  try {
    return await readSnapshot(query);
  } finally {
    await query('ROLLBACK');
  }
}

async function readSnapshot(query: CatalogQuery): Promise<CatalogSnapshot> {
  const found = await relations(query);
  const byRelation = await columns(query);
  const counts = await rowCounts(query, found.tables);

  let stored = null;
  let storedProblem = null;
  if (found.tables.includes(VERSION_TABLE)) {
    try {
      stored = await storedSchema(query);
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      storedProblem =
        `The stored schema in ${VERSION_TABLE} could not be read, so ` +
        `the JSON keys of the columns are not shown (${cause}).`;
    }
  }

  const pick = (names: string[]) =>
    new Map(names.map((name) => [name, byRelation.get(name) ?? []]));
  return {
    tables: pick(found.tables),
    rowCounts: counts,
    views: pick(found.views),
    stored,
    storedProblem,
  };
}
