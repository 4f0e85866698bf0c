// What a load leaves for the next one besides its rows: where each log
// paged by Seq was read up to (the cursor an incremental sync goes on
// from) and the server's totals when the load began. The warehouse keeps
// it in `_dlt_pipeline_state`, as dlt keeps a pipeline's state.

import type { Statistics } from '../orthanc/statistics';

export interface CrawlState {
  /**
   * The last Seq read per log resource (`changes`, `exports`); 0 for a
   * log that was empty. A resource that was not read has no entry.
   */
  cursors: Record<string, number>;
  /** /statistics at the start of the load, the disk size as digits. */
  statistics: {
    patients: number;
    studies: number;
    series: number;
    instances: number;
    diskSizeBytes: string;
  } | null;
  /**
   * The resources the load covered. The state keeps those of the last
   * load that read the change log: a sync refreshes exactly these, whose
   * tables are as recent as the log's cursor.
   */
  resources?: string[];
}

export function emptyCrawlState(): CrawlState {
  return { cursors: {}, statistics: null };
}

export function statisticsState(
  totals: Statistics,
): NonNullable<CrawlState['statistics']> {
  return {
    patients: totals.patients,
    studies: totals.studies,
    series: totals.series,
    instances: totals.instances,
    diskSizeBytes: totals.diskSizeBytes.toString(),
  };
}

/** Moves the cursor of `resource` on to the Seq of `entry`, if later. */
export function advanceCursor(
  state: CrawlState,
  resource: string,
  entry: Record<string, unknown>,
): void {
  const seq = entry.Seq;
  if (typeof seq !== 'number') return;
  state.cursors[resource] = Math.max(state.cursors[resource] ?? 0, seq);
}
