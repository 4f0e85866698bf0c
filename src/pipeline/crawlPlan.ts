// The requests of a crawl, planned from the server's totals: every page
// the totals ask for, one page past them to see whether more arrived, and
// the plain ID lists last; plus the single-resource requests that
// reconciliation adds.

import type { Statistics } from '../orthanc/statistics';
import { pagePath, type Resource } from './resources';

export type Task =
  | {
      kind: 'page';
      resource: Resource;
      since: number;
      page: number;
      pages: number;
      /** The first page past the total: is there more? */
      probe: boolean;
    }
  | { kind: 'list'; resource: Resource }
  | { kind: 'item'; resource: Resource; id: string };

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

/** Detail pages first, level by level, then the ID lists. */
export function planTasks(
  resources: readonly Resource[],
  totals: Statistics,
  pageSize: number,
): Task[] {
  const tasks: Task[] = [];
  for (const resource of resources) {
    if (resource.paging !== 'offset') continue;
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
  for (const resource of resources) {
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
