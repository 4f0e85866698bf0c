// The requests of a crawl's levels, planned from the server's totals:
// every page the totals ask for, one page past them to see whether more
// arrived, and the plain ID lists last; plus the single-resource requests
// that reconciliation adds. The server's other resources are read after
// these (see readServerResource.ts).
//
// The `naive` strategy plans what a dlt rest_api configuration for
// Orthanc requests instead: no pages, only the ID lists, and then each
// resource's detail on its own (/patients/{id}...), which the crawl's
// reconciling fetches as it does the resources the pages missed. It
// exists for the benchmark (scripts/bench), to compare the two on the
// same server; the page never offers it.

import type { Statistics } from '../orthanc/statistics';
import {
  isLevelResource,
  pagePath,
  type LevelResource,
  type Resource,
} from './resources';

export type Task =
  | {
      kind: 'page';
      resource: LevelResource;
      since: number;
      page: number;
      pages: number;
      /** The first page past the total: is there more? */
      probe: boolean;
    }
  | { kind: 'list'; resource: LevelResource }
  | { kind: 'item'; resource: LevelResource; id: string };

/** Items per page of the expanded lists, as the page asks for them. */
export const PAGE_SIZE = 500;

/** How a crawl reads the detail of a level: expanded pages, or one
 *  request per resource after its ID list. */
export type CrawlStrategy = 'paged' | 'naive';

/** The request path of a task, query included. */
export function taskPath(task: Task, pageSize: number): string {
  switch (task.kind) {
    case 'page':
      return pagePath(task.resource, task.since, pageSize);
    case 'list':
      return task.resource.path;
    case 'item':
      return `${task.resource.path}/${encodeURIComponent(task.id)}`;
  }
}

/**
 * Detail pages first, level by level, then the ID lists; the ID lists
 * alone for the naive strategy.
 */
export function planTasks(
  resources: readonly Resource[],
  totals: Statistics,
  pageSize: number,
  strategy: CrawlStrategy = 'paged',
): Task[] {
  const tasks: Task[] = [];
  const levels = resources.filter(isLevelResource);
  for (const resource of levels) {
    if (resource.paging !== 'offset' || strategy === 'naive') continue;
    const pages = Math.ceil(totals[resource.level] / pageSize);
    for (let page = 0; page <= pages; page++) {
      tasks.push({
        kind: 'page',
        resource,
        since: page * pageSize,
        page: page + 1,
        pages,
        probe: page === pages,
      });
    }
  }
  for (const resource of levels) {
    if (resource.paging === 'none') tasks.push({ kind: 'list', resource });
  }
  return tasks;
}

/** What the progress line says while `task` runs. */
export function taskStage(task: Task): string {
  switch (task.kind) {
    case 'page':
      return task.probe
        ? `${task.resource.table}: checking for more`
        : `${task.resource.table}: page ${task.page} of ${task.pages}`;
    case 'list':
      return `${task.resource.table}: ID list`;
    case 'item':
      return `${task.resource.table}: fetching ${task.resource.level} missed by the pages`;
  }
}
