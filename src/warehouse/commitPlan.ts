// The statements that move a finished load from staging into the dataset,
// and re-create the typed views over it (dicomViews.ts).
// They run in one transaction (see loadSession.ts), so a load lands whole
// or not at all, and what earlier loads left stays readable meanwhile.
//
// Order matters to DuckDB: every CREATE and ALTER comes before the first
// DELETE or INSERT, because a table cannot be altered once the transaction
// has changed its rows. A sync's removals come after the INSERTs, so that
// nothing this load brought can put a deleted resource back.

import { dicomViewsSql } from './dicomViews';
import type { DatasetTable } from './dicomViews';
import { WarehouseError } from '../lib/errors';
import type { StoredSchema, TableSchema } from '../pipeline/schema';
import { recordStateSql, STATE_TABLE, stateColumns } from './pipelineState';
import type { StateRow } from './pipelineState';
import { recordSchemaSql } from './schemaVersion';
import type { SchemaVersion } from './schemaVersion';
import {
  DATASET,
  STAGING,
  addColumnsSql,
  createTableSql,
  identKey,
  qualified,
  quoteIdent,
  quoteLiteral,
} from './sql';
import type { SqlColumn } from './sql';
import { VERSION_TABLE, versionColumns } from './storedSchema';

/** A table as the load staged it. */
export interface StagedTable {
  schema: TableSchema;
  /** The staging table's columns: declared ones, then any a batch added. */
  columns: SqlColumn[];
  /** Rows ingested into staging. */
  rowCount: number;
}

/** A table already in the dataset, with its column keys (see identKey). */
export interface ExistingTable {
  name: string;
  columns: ReadonlySet<string>;
  /** DuckDB's type of each column, by column key, when known. */
  types?: ReadonlyMap<string, string>;
}

export interface CommitInput {
  loadId: string;
  tables: readonly StagedTable[];
  /** The dataset before this load, keyed by identKey(table name). */
  existing: ReadonlyMap<string, ExistingTable>;
  /** The stored schema before this load: it names the child tables of
   *  a root that this load did not declare. */
  stored?: StoredSchema | null;
  /** The schema after this load; a `_dlt_version` row if it changed. */
  schema: SchemaVersion;
  /** The pipeline state after this load, when it changed. */
  state?: StateRow | null;
  /** Rows of resources deleted on the server (a sync's). */
  removals?: readonly Removal[];
}

/**
 * The rows of `table` whose `column` holds one of `ids`, with every child
 * row they own (through `_dlt_root_id`); a table or column the warehouse
 * does not have is no error: there is nothing to remove.
 */
export interface Removal {
  table: string;
  column: string;
  ids: readonly string[];
}

/** IDs per DELETE, to keep each statement a reasonable size. */
const REMOVAL_CHUNK = 1000;

export const LOADS_TABLE = '_dlt_loads';

const loadsColumns: SqlColumn[] = [
  { name: 'load_id', sqlType: 'VARCHAR NOT NULL' },
  { name: 'schema_name', sqlType: 'VARCHAR' },
  { name: 'status', sqlType: 'BIGINT NOT NULL' },
  { name: 'inserted_at', sqlType: 'TIMESTAMP WITH TIME ZONE NOT NULL' },
  { name: 'schema_version_hash', sqlType: 'VARCHAR' },
];

/** One statement; `insertsInto` names the table an INSERT fills,
 *  `removesFrom` the table a removal's DELETE empties, `replaces` the
 *  replaced table whose earlier rows a DELETE takes out, and
 *  `countsChanged` the table whose staged rows replacing rows of the
 *  dataset a SELECT counts (see commitCounts.ts). */
export interface CommitStep {
  sql: string;
  insertsInto?: string;
  removesFrom?: string;
  replaces?: string;
  countsChanged?: string;
}

export function commitPlan(input: CommitInput): CommitStep[] {
  const statements = (sqls: string[]) => sqls.map((sql) => ({ sql }));
  return [
    ...statements([
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(DATASET)}`,
      ...input.tables.flatMap((table) => shapeTarget(table, input.existing)),
      createTableSql(DATASET, LOADS_TABLE, loadsColumns),
      createTableSql(DATASET, VERSION_TABLE, versionColumns),
      createTableSql(DATASET, STATE_TABLE, stateColumns),
      ...input.tables.flatMap((table) => dedupeStaging(table, input.tables)),
    ]),
    ...input.tables.flatMap((table) => countChanged(table, input)),
    ...input.tables.flatMap((table) => clearTarget(table, input)),
    ...input.tables
      .filter((table) => table.rowCount > 0)
      .map((table) => ({
        sql:
          `INSERT INTO ${qualified(DATASET, table.schema.name)} BY NAME ` +
          `SELECT * FROM ${qualified(STAGING, table.schema.name)}`,
        insertsInto: table.schema.name,
      })),
    ...(input.removals ?? []).flatMap((removal) => removeRows(removal, input)),
    ...statements([
      ...dicomViewsSql(datasetAfterCommit(input)),
      recordLoad(input),
      ...(input.schema.changed ? [recordSchemaSql(input.schema)] : []),
      ...(input.state ? [recordStateSql(input.state)] : []),
      `DROP SCHEMA IF EXISTS ${quoteIdent(STAGING)} CASCADE`,
    ]),
  ];
}

/** Creates the target table, or adds the columns it lacks. */
function shapeTarget(
  table: StagedTable,
  existing: ReadonlyMap<string, ExistingTable>,
): string[] {
  const name = table.schema.name;
  const current = existing.get(identKey(name));
  if (current === undefined) {
    return [createTableSql(DATASET, name, table.columns)];
  }
  for (const column of table.columns) {
    const type = current.types?.get(identKey(column.name));
    if (type !== undefined && baseType(type) !== baseType(column.sqlType)) {
      throw new WarehouseError(
        'internal',
        `Column ${name}.${column.name} holds ${type} in the warehouse but ` +
          `${column.sqlType} in this load, and a column never changes its ` +
          `type. The warehouse's record of its schema (${VERSION_TABLE}) ` +
          'is missing or was changed: start from an empty warehouse ' +
          '(reload the page) and load again.',
      );
    }
  }
  return addColumnsSql(DATASET, name, current.columns, table.columns);
}

/** A DuckDB type without its constraints: `VARCHAR NOT NULL` is VARCHAR. */
function baseType(sqlType: string): string {
  return sqlType
    .replace(/\s+NOT\s+NULL$/i, '')
    .trim()
    .toUpperCase();
}

function hasColumn(columns: readonly SqlColumn[], name: string): boolean {
  return columns.some((column) => identKey(column.name) === identKey(name));
}

function mergeKey(table: StagedTable): string[] | undefined {
  const { disposition, primaryKey, parent } = table.schema;
  if (disposition !== 'merge' || parent !== undefined) return undefined;
  if (primaryKey.length === 0) return undefined;
  return primaryKey;
}

/**
 * A merged root can meet the same key twice in one load (Orthanc pages are
 * offsets and shift when resources come and go). The last row wins, as in
 * dlt, and the child rows of the rows dropped go with them.
 */
function dedupeStaging(
  table: StagedTable,
  all: readonly StagedTable[],
): string[] {
  const key = mergeKey(table);
  if (key === undefined || table.rowCount === 0) return [];
  const root = table.schema.name;
  const staging = qualified(STAGING, root);
  const groupBy = key.map(quoteIdent).join(', ');
  const statements = [
    `DELETE FROM ${staging} WHERE rowid NOT IN ` +
      `(SELECT max(rowid) FROM ${staging} GROUP BY ${groupBy})`,
  ];
  if (!hasColumn(table.columns, '_dlt_id')) return statements;
  for (const child of all) {
    if (child.schema.parent !== root || child.rowCount === 0) continue;
    if (!hasColumn(child.columns, '_dlt_root_id')) continue;
    const childStaging = qualified(STAGING, child.schema.name);
    statements.push(
      `DELETE FROM ${childStaging} WHERE NOT EXISTS ` +
        `(SELECT 1 FROM ${staging} AS r ` +
        `WHERE r."_dlt_id" = ${childStaging}."_dlt_root_id")`,
    );
  }
  return statements;
}

/**
 * For a table merged by key: how many of its staged rows replace rows the
 * dataset holds (the load history's "changed"; the others are "added").
 * A child row counts as its root row does. Counted after the staging is
 * deduplicated and before clearTarget deletes the rows replaced.
 */
function countChanged(table: StagedTable, input: CommitInput): CommitStep[] {
  const parent = table.schema.parent;
  const root =
    parent === undefined
      ? table
      : input.tables.find((t) => identKey(t.schema.name) === identKey(parent));
  if (root === undefined || root.rowCount === 0 || table.rowCount === 0) {
    return [];
  }
  const key = mergeKey(root);
  const rootName = root.schema.name;
  if (key === undefined || !input.existing.has(identKey(rootName))) return [];

  const sameKey = key
    .map((column) => `s.${quoteIdent(column)} = t.${quoteIdent(column)}`)
    .join(' AND ');
  const known =
    `EXISTS (SELECT 1 FROM ${qualified(DATASET, rootName)} AS t ` +
    `WHERE ${sameKey})`;
  const rootStaging = `${qualified(STAGING, rootName)} AS s`;
  const name = table.schema.name;
  if (root === table) {
    return [
      {
        sql: `SELECT count(*) FROM ${rootStaging} WHERE ${known}`,
        countsChanged: name,
      },
    ];
  }
  if (!hasColumn(table.columns, '_dlt_root_id')) return [];
  if (!hasColumn(root.columns, '_dlt_id')) return [];
  return [
    {
      sql:
        `SELECT count(*) FROM ${qualified(STAGING, name)} ` +
        `WHERE "_dlt_root_id" IN ` +
        `(SELECT s."_dlt_id" FROM ${rootStaging} WHERE ${known})`,
      countsChanged: name,
    },
  ];
}

/** Removes the rows of the dataset that this load replaces. */
function clearTarget(table: StagedTable, input: CommitInput): CommitStep[] {
  const name = table.schema.name;
  const current = input.existing.get(identKey(name));
  const isRoot = table.schema.parent === undefined;

  if (table.schema.disposition === 'replace') {
    const replace = (target: string): CommitStep => ({
      sql: `DELETE FROM ${qualified(DATASET, target)}`,
      replaces: target,
    });
    const steps = current === undefined ? [] : [replace(name)];
    // A replaced root takes along child tables this load did not declare:
    // their rows belong to roots that are gone.
    if (isRoot) {
      for (const child of undeclaredChildren(name, input)) {
        steps.push(replace(child.name));
      }
    }
    return steps;
  }

  const key = mergeKey(table);
  if (key === undefined || current === undefined || table.rowCount === 0) {
    return [];
  }
  const target = qualified(DATASET, name);
  const staging = qualified(STAGING, name);
  const sameKey = key
    .map(
      (column) => `s.${quoteIdent(column)} = ${target}.${quoteIdent(column)}`,
    )
    .join(' AND ');
  const replacedRows = `EXISTS (SELECT 1 FROM ${staging} AS s WHERE ${sameKey})`;
  const statements: string[] = [];

  // Children first: they are found through the root rows about to go.
  if (current.columns.has(identKey('_dlt_id'))) {
    for (const child of childrenOf(name, input)) {
      if (!child.columns.has(identKey('_dlt_root_id'))) continue;
      statements.push(
        `DELETE FROM ${qualified(DATASET, child.name)} ` +
          `WHERE "_dlt_root_id" IN ` +
          `(SELECT "_dlt_id" FROM ${target} WHERE ${replacedRows})`,
      );
    }
  }
  statements.push(`DELETE FROM ${target} WHERE ${replacedRows}`);
  return statements.map((sql) => ({ sql }));
}

/**
 * Existing child tables of a root: those declared with it as parent, and
 * those named after it by dlt's convention `<root>__<field>` that this load
 * did not declare.
 */
function childrenOf(root: string, input: CommitInput): ExistingTable[] {
  const declared = input.tables
    .filter((table) => table.schema.parent === root)
    .map((table) => input.existing.get(identKey(table.schema.name)))
    .filter((table) => table !== undefined);
  return [...declared, ...undeclaredChildren(root, input)];
}

function undeclaredChildren(root: string, input: CommitInput): ExistingTable[] {
  const prefix = identKey(`${root}__`);
  const declared = new Set(
    input.tables.map((table) => identKey(table.schema.name)),
  );
  // a child whose name was shortened may not start with its root's name
  const stored = new Set(
    (input.stored?.tables ?? [])
      .filter((table) => table.parent === root)
      .map((table) => identKey(table.name)),
  );
  return [...input.existing.entries()]
    .filter(([key]) => key.startsWith(prefix) || stored.has(key))
    .filter(([key]) => !declared.has(key))
    .map(([, table]) => table);
}

/** The DELETEs of one removal: child rows first, then the roots. */
function removeRows(removal: Removal, input: CommitInput): CommitStep[] {
  const target = tableAfterCommit(removal.table, input);
  if (target === undefined || removal.ids.length === 0) return [];
  if (!target.columns.has(identKey(removal.column))) return [];

  const name = qualified(DATASET, target.name);
  const children = target.columns.has(identKey('_dlt_id'))
    ? childrenOf(target.name, input).filter((child) =>
        child.columns.has(identKey('_dlt_root_id')),
      )
    : [];
  const steps: CommitStep[] = [];
  for (let start = 0; start < removal.ids.length; start += REMOVAL_CHUNK) {
    const list = removal.ids
      .slice(start, start + REMOVAL_CHUNK)
      .map(quoteLiteral)
      .join(', ');
    const match = `${quoteIdent(removal.column)} IN (${list})`;
    for (const child of children) {
      steps.push({
        sql:
          `DELETE FROM ${qualified(DATASET, child.name)} ` +
          `WHERE "_dlt_root_id" IN (SELECT "_dlt_id" FROM ${name} ` +
          `WHERE ${match})`,
        removesFrom: child.name,
      });
    }
    steps.push({
      sql: `DELETE FROM ${name} WHERE ${match}`,
      removesFrom: target.name,
    });
  }
  return steps;
}

/** A table as it stands once this load's tables are in, if it exists. */
function tableAfterCommit(
  table: string,
  input: CommitInput,
): ExistingTable | undefined {
  const key = identKey(table);
  const existing = input.existing.get(key);
  const staged = input.tables.find((t) => identKey(t.schema.name) === key);
  if (staged === undefined) return existing;
  const columns = new Set(existing?.columns);
  for (const column of staged.columns) columns.add(identKey(column.name));
  return { name: existing?.name ?? staged.schema.name, columns };
}

/** The dataset's tables once the load is in, with old and new columns. */
function datasetAfterCommit(input: CommitInput): DatasetTable[] {
  const tables = new Map<string, { name: string; columns: string[] }>();
  for (const [key, table] of input.existing) {
    tables.set(key, { name: table.name, columns: [...table.columns] });
  }
  for (const staged of input.tables) {
    const key = identKey(staged.schema.name);
    const table = tables.get(key) ?? { name: staged.schema.name, columns: [] };
    table.columns.push(...staged.columns.map((column) => column.name));
    tables.set(key, table);
  }
  return [...tables.values()];
}

/**
 * A row in `_dlt_loads`, as dlt writes one for a completed load, with the
 * hash of the schema version the load left.
 */
function recordLoad(input: CommitInput): string {
  return (
    `INSERT INTO ${qualified(DATASET, LOADS_TABLE)} ` +
    `(load_id, schema_name, status, inserted_at, schema_version_hash) ` +
    `VALUES (${quoteLiteral(input.loadId)}, 'orthanc', 0, now(), ` +
    `${quoteLiteral(input.schema.hash)})`
  );
}
