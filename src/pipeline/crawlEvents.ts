// What a crawl hands out, in order: a table's schema before its first rows
// and again whenever it has grown, batches of rows, and progress.

import type { CrawlCheckpoint } from './crawlCheckpoint';
import type { CrawlState } from './crawlState';
import type { Row } from './rows';
import type { TableSchema } from './schema';

export interface CrawlProgress {
  requests: number;
  bytes: number;
  /** Attempts made again after a failure a retry can cure. */
  retries: number;
  rows: number;
  stage: string;
}

export type CrawlEvent =
  | { type: 'table'; schema: TableSchema }
  | { type: 'rows'; table: string; rows: Row[]; schema: TableSchema }
  /** Rows already handed out whose resources were deleted meanwhile. */
  | { type: 'retract'; table: string; ids: string[] }
  /** Rows the warehouse holds from earlier loads whose resources were
   *  deleted on the server: those whose `column` is one of `ids`, with
   *  their child rows. */
  | { type: 'remove'; table: string; column: string; ids: string[] }
  | { type: 'progress'; progress: CrawlProgress }
  /** Every row of the pages done so far has been handed out: how far
   *  the crawl has come, for a load that stops to resume from. */
  | { type: 'checkpoint'; checkpoint: CrawlCheckpoint };

export interface CrawlNote {
  table: string;
  note: string;
}

export interface CrawlResult {
  requests: number;
  bytes: number;
  retries: number;
  /** Rows per table, child tables included. */
  rows: Record<string, number>;
  notes: CrawlNote[];
  /** The resources this crawl read, by name, in declaration order. */
  resources: string[];
  /** What the next load needs to know of this one. */
  state: CrawlState;
  /** What a sync did; absent after a full load. */
  sync?: SyncReport;
}

/** What a sync read, fetched and removed, for its summary. */
export interface SyncReport {
  /** The change log's Seq the sync read after, and up to. */
  from: number;
  to: number;
  /** Change entries read. */
  changes: number;
  /** Changes logged while the sync ran, left for the next one. */
  arrived: number;
  /** Resources fetched one by one. */
  refetched: number;
  /** Resources found deleted on the server, whose rows go. */
  removed: number;
  /** Levels whose IDs were listed to find the deletions. */
  listed: string[];
  /** The change log ended below the cursor: a full load ran instead. */
  reset: boolean;
}
