// Where a sync finds what was deleted on the server. Orthanc logs no
// deletion, so the counts of /statistics are compared, level by level from
// the patients down, with what the warehouse holds (see needsListing in
// syncPlan.ts):
//
// - the children of a resource known to be gone are gone too (Orthanc
//   deletes the whole subtree); the warehouse says which they are;
// - a level whose count still differs is listed, in pages (both `since`
//   and `limit`, never `limit=0`, case C03). A held resource missing from
//   the list is asked for on its own before it is removed, since offsets
//   shift when the server changes during the listing: only a 404 removes
//   it. A listed resource the warehouse lacks, and the log did not
//   announce, is fetched like a changed one.
//
// A level whose counts agree costs nothing, so the requests follow the
// deletions, not the size of the server. The parents of what was removed
// lost a child: their details are read again.

import { WarehouseError } from '../lib/errors';
import { expectIdList } from '../orthanc/guards';
import type { Statistics } from '../orthanc/statistics';
import { mapOrdered } from './orderedPool';
import { type Level, pagePath } from './resources';
import { resourcePathOf } from './syncFetch';
import {
  childLevel,
  diffListing,
  emptyLevelSets,
  type HeldResource,
  LEVELS,
  type LevelSets,
  needsListing,
  parentLevel,
  type RefetchPlan,
} from './syncPlan';
import { idListOf } from './syncTables';

/** What a sync asks of the warehouse it updates. */
export interface WarehouseReader {
  /**
   * The resources of `level` the warehouse holds (in its detail or ID
   * list table), with their parent when the detail table has it; with
   * `parents`, only the children of those.
   */
  held(level: Level, parents?: readonly string[]): Promise<HeldResource[]>;
}

export interface RemovalContext {
  warehouse: WarehouseReader;
  /** What the warehouse held when the sync began, per level it has. */
  held: Partial<Record<Level, number>>;
  server: Statistics;
  /** The server's complete ID list of a level, read in pages. */
  listIds(level: Level): Promise<Set<string>>;
  /** Of `ids`, those the server answers 404 for. */
  confirmGone(level: Level, ids: readonly string[]): Promise<string[]>;
}

export interface Removals {
  /** Resources deleted on the server that the warehouse holds. */
  removed: LevelSets;
  /** Parents of removed resources that remain: their detail changed. */
  remaining: LevelSets;
  /** Listed by the server, neither held nor announced: to be fetched. */
  missing: LevelSets;
  /** The levels whose IDs were listed. */
  listed: Level[];
}

export function emptyRemovals(): Removals {
  return {
    removed: emptyLevelSets(),
    remaining: emptyLevelSets(),
    missing: emptyLevelSets(),
    listed: [],
  };
}

/** Notes the parent of each removed resource that is itself kept. */
function keepParents(
  removals: Removals,
  level: Level,
  resources: readonly HeldResource[],
): void {
  const up = parentLevel(level);
  if (up === null) return;
  for (const resource of resources) {
    if (!removals.removed[level].has(resource.id)) continue;
    if (resource.parent === null) continue;
    if (removals.removed[up].has(resource.parent)) continue;
    removals.remaining[up].add(resource.parent);
  }
}

/**
 * Takes `ids` at `level` as deleted, with every held descendant; used
 * both while looking and for resources that answer 404 later.
 */
export async function removeSubtree(
  removals: Removals,
  warehouse: WarehouseReader,
  level: Level,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) removals.removed[level].add(id);
  let parents = [...ids];
  for (let down = childLevel(level); down !== null; down = childLevel(down)) {
    if (parents.length === 0) return;
    const children = await warehouse.held(down, parents);
    for (const child of children) removals.removed[down].add(child.id);
    parents = children.map((child) => child.id);
  }
}

export async function findRemovals(
  plan: RefetchPlan,
  context: RemovalContext,
): Promise<Removals> {
  const removals = emptyRemovals();
  for (const level of LEVELS) {
    const held = context.held[level];
    if (held === undefined) continue;

    // the subtrees of resources removed above
    const up = parentLevel(level);
    if (up !== null && removals.removed[up].size > 0) {
      const children = await context.warehouse.held(level, [
        ...removals.removed[up],
      ]);
      for (const child of children) removals.removed[level].add(child.id);
    }

    const created = plan.created[level];
    const counts = {
      held,
      server: context.server[level],
      created: [...created].filter((id) => !removals.removed[level].has(id))
        .length,
      removed: removals.removed[level].size,
    };
    if (!needsListing(counts)) continue;

    removals.listed.push(level);
    const listed = await context.listIds(level);
    const all = await context.warehouse.held(level);
    const { vanished, missing } = diffListing(all, listed, created);
    const unsure = vanished.filter((id) => !removals.removed[level].has(id));
    const gone = await context.confirmGone(level, unsure);
    for (const id of gone) removals.removed[level].add(id);
    for (const id of missing) removals.missing[level].add(id);
    keepParents(removals, level, all);
  }
  return removals;
}

/** What the server-side helpers below need from the sync. */
export interface ServerContext {
  get(path: string): Promise<unknown>;
  pageSize: number;
  concurrency: number;
  /** Records a failure the sync can live with; throws if it cannot. */
  skip(level: Level, path: string, error: unknown): void;
}

/**
 * Every ID of a level, in pages of `since` and `limit`. A page shorter
 * than the limit is the end: an ID list, unlike an expanded one, leaves
 * nothing out. A page that brings nothing new ends it too.
 */
export async function listIds(
  context: ServerContext,
  level: Level,
): Promise<Set<string>> {
  const resource = idListOf(level);
  const ids = new Set<string>();
  for (let since = 0; ; since += context.pageSize) {
    const path = pagePath(resource, since, context.pageSize);
    const page = expectIdList(await context.get(path), path);
    const before = ids.size;
    for (const id of page) ids.add(id);
    if (page.length < context.pageSize || ids.size === before) return ids;
  }
}

/** Of `ids`, those the server answers 404 for. */
export async function confirmGone(
  context: ServerContext,
  level: Level,
  ids: readonly string[],
): Promise<string[]> {
  const gone: string[] = [];
  const ask = async (id: string) => {
    try {
      await context.get(resourcePathOf(level, id));
      return false;
    } catch (error) {
      if (error instanceof WarehouseError && error.code === 'not_found') {
        return true;
      }
      throw error;
    }
  };
  let index = 0;
  for await (const settled of mapOrdered(ids, context.concurrency, ask)) {
    const id = ids[index++] ?? '';
    if (!settled.ok) {
      context.skip(level, resourcePathOf(level, id), settled.error);
      continue;
    }
    if (settled.value) gone.push(id);
  }
  return gone;
}
