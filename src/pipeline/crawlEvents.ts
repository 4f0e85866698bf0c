// What a crawl hands out, in order: a table's schema before its first rows
// and again whenever it has grown, batches of rows, and progress.

import type { CrawlState } from './crawlState';
import type { Row } from './rows';
import type { TableSchema } from './schema';

export interface CrawlProgress {
  requests: number;
  bytes: number;
  rows: number;
  stage: string;
}

export type CrawlEvent =
  | { type: 'table'; schema: TableSchema }
  | { type: 'rows'; table: string; rows: Row[]; schema: TableSchema }
  /** Rows already handed out whose resources were deleted meanwhile. */
  | { type: 'retract'; table: string; ids: string[] }
  | { type: 'progress'; progress: CrawlProgress };

export interface CrawlNote {
  table: string;
  note: string;
}

export interface CrawlResult {
  requests: number;
  bytes: number;
  /** Rows per table, child tables included. */
  rows: Record<string, number>;
  notes: CrawlNote[];
  /** The resources this crawl read, by name, in declaration order. */
  resources: string[];
  /** What the next load needs to know of this one. */
  state: CrawlState;
}
