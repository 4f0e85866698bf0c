// What a load needs to be resumable, and to resume: the record it starts
// staging with, and, for one that stopped, the IDs its kept pages hold
// (they count as seen) with its last checkpoint.

import type { Connection, CrawlResume } from '../crawl/protocol';
import { pagedTables } from '../pipeline/crawlCheckpoint';
import {
  isLevelResource,
  type Level,
  selectResources,
} from '../pipeline/resources';
import type { LoadSession, Resumable } from '../warehouse/loadSession';
import { serverOf, type StagedLoad } from '../warehouse/stagedLoad';

/** The staging a full load of `resources` keeps if it fails. */
export function resumableLoad(
  loadId: string,
  connection: Connection,
  resources: readonly string[],
  pageSize: number,
  record?: StagedLoad,
): Resumable {
  const resumable: Resumable = {
    start: {
      loadId,
      server: serverOf(connection.baseUrl),
      startedAt: record?.startedAt ?? new Date().toISOString(),
      resources: [...resources],
      pageSize,
    },
    pagedTables: pagedTables(selectResources(resources)),
  };
  if (record) resumable.record = record;
  return resumable;
}

/** The checkpoint to go on from, and the IDs the kept pages hold. */
export async function resumeFrom(
  session: LoadSession,
  record: StagedLoad,
): Promise<CrawlResume> {
  const seen: Partial<Record<Level, string[]>> = {};
  for (const resource of selectResources(record.resources)) {
    if (!isLevelResource(resource) || resource.paging !== 'offset') continue;
    seen[resource.level] = await session.stagedValues(resource.table, 'id');
  }
  return { checkpoint: record.checkpoint, seen };
}
