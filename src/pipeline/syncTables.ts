// Which tables a sync writes, and how: the incremental ones merge by
// Orthanc ID or Seq into what the warehouse holds, the small ones read
// whole keep the disposition of a load; and which rows a deleted resource
// owns, in every table that can hold them.

import {
  isLevelResource,
  type Level,
  type LevelResource,
  type Resource,
  RESOURCES,
} from './resources';

export const CHANGES = 'changes';

/** The resource as a sync writes it: merged into what the table holds. */
export function merged(resource: Resource): Resource {
  const incremental =
    isLevelResource(resource) ||
    resource.yields === 'log' ||
    resource.yields === 'tags';
  return incremental ? { ...resource, disposition: 'merge' } : resource;
}

/**
 * The tables whose rows a deleted resource of `level` owns, by the
 * column that holds its ID: whether this sync reads them or not, a table
 * an earlier load filled keeps no row of a resource that is gone.
 */
export function ownedRows(level: Level): { table: string; column: string }[] {
  const owned = RESOURCES.filter(
    (r): r is LevelResource => isLevelResource(r) && r.level === level,
  ).map((r) => ({ table: r.table, column: r.primaryKey[0] ?? 'id' }));
  if (level === 'instances') {
    owned.push({ table: 'instances_tags', column: 'id' });
  }
  if (level === 'series') {
    owned.push({ table: 'instances_tags', column: 'parent_series' });
  }
  // Orthanc drops a deleted resource's entries from its change log
  owned.push({ table: CHANGES, column: 'id' });
  return owned;
}

/** The ID list resource of a level. */
export function idListOf(level: Level): LevelResource {
  const found = RESOURCES.find(
    (r): r is LevelResource =>
      isLevelResource(r) && r.level === level && !r.expand,
  );
  if (found === undefined) throw new RangeError(`no ID list for ${level}`);
  return found;
}
