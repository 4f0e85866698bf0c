// The SQL behind what a sync asks of the warehouse (heldResources.ts):
// a level's resources are the IDs of its detail table (`studies_detail.id`)
// and of its ID list (`studies.value`) together; the parent comes from the
// detail's `ParentPatient`... column, found in the stored schema by the key
// it came from. Kept apart from the database so that tests run it on
// native DuckDB.

import {
  isLevelResource,
  type Level,
  type LevelResource,
  RESOURCES,
} from '../pipeline/resources';
import type { StoredSchema } from '../pipeline/schema';
import { PARENT_KEY } from '../pipeline/syncPlan';
import { DATASET, identKey, qualified, quoteIdent, quoteLiteral } from './sql';

/** The tables that hold a level's resources, as far as they exist. */
export interface LevelTables {
  /** The detail table, with its parent column when it has one. */
  detail?: { table: string; parent?: string };
  /** The ID list table. */
  list?: { table: string };
}

/** The held IDs of a level with their parents; SQL for either table. */
export function heldSql(tables: LevelTables, parents?: string[]): string {
  const parts: string[] = [];
  const { detail, list } = tables;
  if (detail) {
    const parent = detail.parent ? quoteIdent(detail.parent) : 'NULL';
    const only =
      parents === undefined
        ? ''
        : detail.parent
          ? ` WHERE ${parent} IN (${parents.map(quoteLiteral).join(', ')})`
          : ' WHERE FALSE';
    parts.push(
      `SELECT "id" AS id, ${parent} AS parent ` +
        `FROM ${qualified(DATASET, detail.table)}${only}`,
    );
  }
  // the list has no parents: a question about children never reads it
  if (list && parents === undefined) {
    parts.push(
      `SELECT "value" AS id, NULL AS parent ` +
        `FROM ${qualified(DATASET, list.table)}`,
    );
  }
  if (parts.length === 0) return 'SELECT NULL AS id, NULL AS parent LIMIT 0';
  return (
    `SELECT id, max(parent) AS parent FROM (${parts.join(' UNION ALL ')}) ` +
    `AS held WHERE id IS NOT NULL GROUP BY id`
  );
}

/** How many resources of a level the warehouse holds. */
export function heldCountSql(tables: LevelTables): string {
  return `SELECT count(*) AS n FROM (${heldSql(tables)}) AS ids`;
}

function levelResources(level: Level): LevelResource[] {
  return RESOURCES.filter(
    (r): r is LevelResource => isLevelResource(r) && r.level === level,
  );
}

/** The tables of `level` that exist, from the stored schema. */
export function levelTables(
  stored: StoredSchema | null,
  level: Level,
): LevelTables {
  const tables: LevelTables = {};
  const key = PARENT_KEY[level];
  for (const resource of levelResources(level)) {
    const schema = stored?.tables.find(
      (t) => identKey(t.name) === identKey(resource.table),
    );
    if (schema === undefined) continue;
    if (!resource.expand) {
      tables.list = { table: schema.name };
      continue;
    }
    const parent = schema.columns.find(
      (c) => !c.variant && c.source?.length === 1 && c.source[0] === key,
    );
    tables.detail = parent
      ? { table: schema.name, parent: parent.name }
      : { table: schema.name };
  }
  return tables;
}
