// How far a full crawl has come, and how a crawl that stopped goes on.
//
// The paged detail lists are the bulk of a load. At the end of a page,
// once a few batches' worth of rows came since the last checkpoint, after
// each resource's last page, and before rows are taken back, the crawl
// hands out every row it holds and then a checkpoint: the pages done, the
// normalizer's schema as it stands, the totals and the log ends taken at
// the start, and its notes and counters. The warehouse keeps those rows and the checkpoint
// together, so that a load that fails can resume as dlt finishes its
// pending packages: pages already staged are not requested again, the
// IDs they brought count as seen, and columns keep the names they got.
// Everything after the pages (ID lists, reconciliation, the server's
// other resources) is read again in full: those tables are emptied when
// a load resumes, and only the tables the pages fill are kept.

import type { Statistics } from '../orthanc/statistics';
import type { CrawlNote } from './crawlEvents';
import type { CrawlState } from './crawlState';
import type { Task } from './crawlPlan';
import type { ListCounts } from './declaredLists';
import {
  isLevelResource,
  type Level,
  type LevelResource,
  type Resource,
} from './resources';
import type { StoredSchema } from './schema';

export interface CrawlCheckpoint {
  /** Pages whose rows are all handed out, as pageKey() names them. */
  pages: string[];
  /** The pages planned per resource, the look past the total included. */
  plan: Record<string, number>;
  /** The root tables the pages fill: kept when the load resumes. */
  pagedTables: string[];
  /** Every table the normalizer knows, as it stands. */
  schema: StoredSchema;
  /** /statistics when the load began: the pages are planned from it. */
  statistics: NonNullable<CrawlState['statistics']>;
  /** Where each log is read up to, taken when the load began. */
  logEnds: Record<string, number>;
  notes: CrawlNote[];
  /** Resources met twice on the pages, per table. */
  duplicates: Record<string, number>;
  /** Rows handed out per table. */
  rows: Record<string, number>;
  /** Items of each declared list seen, with and without its key. */
  lists: Record<string, ListCounts>;
}

/** What a crawl resumes from. */
export interface CrawlResume {
  checkpoint: CrawlCheckpoint;
  /** The IDs the kept tables hold, per level: they count as seen. */
  seen: Partial<Record<Level, string[]>>;
}

/** The name of a page in a checkpoint. */
export function pageKey(resource: string, since: number): string {
  return `${resource}@${since}`;
}

/** The root tables a crawl of `resources` fills from paged lists. */
export function pagedTables(resources: readonly Resource[]): string[] {
  return resources
    .filter(
      (r): r is LevelResource => isLevelResource(r) && r.paging === 'offset',
    )
    .map((r) => r.table);
}

/** The pages planned per resource. */
export function pagePlan(tasks: readonly Task[]): Record<string, number> {
  const plan: Record<string, number> = {};
  for (const task of tasks) {
    if (task.kind !== 'page') continue;
    plan[task.resource.name] = (plan[task.resource.name] ?? 0) + 1;
  }
  return plan;
}

/** The tasks a resumed crawl still has to run: all but the pages done. */
export function remainingTasks(
  tasks: readonly Task[],
  done: readonly string[],
): Task[] {
  const skip = new Set(done);
  return tasks.filter(
    (task) =>
      task.kind !== 'page' ||
      !skip.has(pageKey(task.resource.name, task.since)),
  );
}

/** The totals a checkpoint kept, as /statistics gives them. */
export function checkpointTotals(checkpoint: CrawlCheckpoint): Statistics {
  const { statistics } = checkpoint;
  return {
    patients: statistics.patients,
    studies: statistics.studies,
    series: statistics.series,
    instances: statistics.instances,
    diskSizeBytes: BigInt(statistics.diskSizeBytes),
  };
}

/** How far a checkpoint got, for the page to say. */
export interface CheckpointProgress {
  /** Resources whose pages are all done. */
  resourcesDone: number;
  pagesDone: number;
  pagesPlanned: number;
}

export function checkpointProgress(
  checkpoint: CrawlCheckpoint,
): CheckpointProgress {
  const done = new Set(checkpoint.pages);
  let resourcesDone = 0;
  let pagesPlanned = 0;
  for (const [resource, pages] of Object.entries(checkpoint.plan)) {
    pagesPlanned += pages;
    const finished = checkpoint.pages.filter((key) =>
      key.startsWith(`${resource}@`),
    ).length;
    if (finished >= pages) resourcesDone++;
  }
  return { resourcesDone, pagesDone: done.size, pagesPlanned };
}
