// What a sync must fetch and where it must look for deletions, decided
// from the change log and the counts alone, without a request. The rules
// follow what Orthanc writes (ServerEnumerations.h, the Store and Delete
// paths of StatelessDatabaseOperations.cpp):
//
// - A new instance sets LastUpdate on its series, study and patient and
//   makes them unstable again, and a new series or study changes its
//   parents' child lists; so these changes refetch the resource and every
//   level above it. The parents are known only once the resource has been
//   read (its `ParentSeries`...), which the sync does level by level.
// - Every other logged change (Stable*, UpdatedMetadata, UpdatedAttachment,
//   CompletedSeries, Modified*, Anonymized*) concerns the resource itself.
//   A modification makes new resources, which come with their own New*.
// - Deletions are never logged (the log's rows go with the resource), and
//   neither are labels. Deletions show in /statistics: a level whose count
//   differs from what the warehouse holds plus what the log added is
//   listed; a change of labels alone is not seen by a sync.

import type { JsonObject } from '../orthanc/guards';
import type { Level } from './resources';

export const LEVELS: readonly Level[] = [
  'patients',
  'studies',
  'series',
  'instances',
];

/** Orthanc's `ResourceType` of a change, by level. */
const LEVEL_OF_TYPE: Record<string, Level> = {
  Patient: 'patients',
  Study: 'studies',
  Series: 'series',
  Instance: 'instances',
};

/** The changes that make a resource, at the level they make it. */
const CREATES: Record<string, Level> = {
  NewPatient: 'patients',
  NewStudy: 'studies',
  NewSeries: 'series',
  NewInstance: 'instances',
};

/** Changes whose resource's ancestors changed too (see above). */
const CLIMBS = new Set(['NewInstance', 'NewSeries', 'NewStudy']);

/** Changes that alter what /series/{id}/instances-tags answers. */
const CHANGES_TAGS = new Set([
  'NewInstance',
  'NewSeries',
  'UpdatedAttachment',
  'ModifiedSeries',
  'AnonymizedSeries',
]);

/** The level one step up, none for patients. */
export function parentLevel(level: Level): Level | null {
  const index = LEVELS.indexOf(level);
  return index > 0 ? (LEVELS[index - 1] ?? null) : null;
}

/** The level one step down, none for instances. */
export function childLevel(level: Level): Level | null {
  return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}

/** The key of a resource's parent in its detail (`ParentStudy`...). */
export const PARENT_KEY: Record<Level, string | null> = {
  patients: null,
  studies: 'ParentPatient',
  series: 'ParentStudy',
  instances: 'ParentSeries',
};

export type LevelSets = Record<Level, Set<string>>;

export function emptyLevelSets(): LevelSets {
  return {
    patients: new Set(),
    studies: new Set(),
    series: new Set(),
    instances: new Set(),
  };
}

export interface RefetchPlan {
  /** Resources named by a change that alters their detail, per level. */
  refetch: LevelSets;
  /** Of those, the ones whose parents must be read again too. */
  climb: Set<string>;
  /** Resources the log says were created, per level. */
  created: LevelSets;
  /** Series whose instances' tags changed, and instances whose series
   *  is only known once they are read. */
  tagSeries: Set<string>;
  tagInstances: Set<string>;
  /** Entries by ChangeType, for the summary. */
  byType: Record<string, number>;
}

/** What the change entries (Orthanc's JSON, as read) ask to fetch. */
export function planRefetch(changes: readonly JsonObject[]): RefetchPlan {
  const plan: RefetchPlan = {
    refetch: emptyLevelSets(),
    climb: new Set(),
    created: emptyLevelSets(),
    tagSeries: new Set(),
    tagInstances: new Set(),
    byType: {},
  };
  for (const change of changes) {
    const type = typeof change.ChangeType === 'string' ? change.ChangeType : '';
    plan.byType[type] = (plan.byType[type] ?? 0) + 1;
    const level = LEVEL_OF_TYPE[String(change.ResourceType)];
    const id = change.ID;
    // server-wide changes (peers, modalities, jobs) name no resource
    if (level === undefined || typeof id !== 'string') continue;

    plan.refetch[level].add(id);
    if (CLIMBS.has(type)) plan.climb.add(id);
    if (CREATES[type] === level) plan.created[level].add(id);
    if (CHANGES_TAGS.has(type)) {
      if (level === 'series') plan.tagSeries.add(id);
      if (level === 'instances') plan.tagInstances.add(id);
    }
  }
  return plan;
}

/** A level's numbers before a sync looks at its IDs. */
export interface LevelCounts {
  /** Resources the warehouse holds. */
  held: number;
  /** Resources /statistics counts. */
  server: number;
  /** Resources the log says were created, that the warehouse lacks. */
  created: number;
  /** Held resources known to be gone (their parent was deleted). */
  removed: number;
}

/**
 * Whether a level's IDs must be listed to find what was deleted: the
 * server's count differs from what the warehouse holds, less what is
 * known to be gone, plus what the log created. Equal counts prove that
 * nothing else went, whatever the log holds; a difference may also come
 * from resources created or deleted while the sync started, which the
 * listing then sorts out.
 */
export function needsListing(counts: LevelCounts): boolean {
  return counts.server !== counts.held - counts.removed + counts.created;
}

/** A resource the warehouse holds, with its parent when known. */
export interface HeldResource {
  id: string;
  parent: string | null;
}

export interface ListingDiff {
  /** Held, but not in the server's list: deleted, to be confirmed. */
  vanished: string[];
  /** Listed, neither held nor announced by the log: to be fetched. */
  missing: string[];
}

/** Compares what the warehouse holds with the server's complete list. */
export function diffListing(
  held: readonly HeldResource[],
  listed: ReadonlySet<string>,
  created: ReadonlySet<string>,
): ListingDiff {
  const heldIds = new Set(held.map((resource) => resource.id));
  return {
    vanished: [...heldIds].filter((id) => !listed.has(id)),
    missing: [...listed].filter((id) => !heldIds.has(id) && !created.has(id)),
  };
}
