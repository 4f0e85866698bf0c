// The messages between the page and the crawl worker: one union each way,
// keyed by `type`. Only plain data crosses; rows travel as Arrow IPC stream
// bytes whose buffer is transferred, never copied.

import type { ErrorData } from '../lib/errors';
import type { Connection } from '../orthanc/connection';
import type { CrawlState } from '../pipeline/crawlState';
import type { StoredSchema, TableSchema } from '../pipeline/schema';

export type { Connection };

export interface LoadOptions {
  /** Resource names to load; every declared resource when absent. */
  resources?: string[];
  /** Items per paged list request. */
  pageSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** The schema earlier loads left in the warehouse; none before the
   *  first. The load keeps its names and types and only adds to it. */
  schema?: StoredSchema;
}

export type PageToWorker =
  | {
      type: 'start';
      loadId: string;
      connection: Connection;
      options: LoadOptions;
    }
  | { type: 'cancel' }
  /** The page has stored batch `seq`; the worker may send more. */
  | { type: 'ack'; seq: number };

export interface LoadProgress {
  requests: number;
  bytes: number;
  /** Rows normalized so far, all tables together, sent or about to be. */
  rows: number;
  elapsedMs: number;
  /** What the crawl is doing, for the progress line. */
  stage: string;
}

export interface TableNote {
  table: string;
  note: string;
}

export interface LoadSummary {
  loadId: string;
  requests: number;
  bytes: number;
  elapsedMs: number;
  /** Rows per table in this load. */
  rows: Record<string, number>;
  notes: TableNote[];
  /** The resources this load covered; the others' tables were left as
   *  they were. */
  resources: string[];
  /** What the next load needs to know of this one (log cursors, the
   *  server's totals), for `_dlt_pipeline_state`. */
  state: CrawlState;
}

export type WorkerToPage =
  /** Declares (or widens) a table before any of its rows arrive. */
  | { type: 'table'; schema: TableSchema }
  | {
      type: 'batch';
      seq: number;
      table: string;
      rowCount: number;
      /** Arrow IPC stream bytes; the buffer is transferred. */
      ipc: Uint8Array;
    }
  /** Rows sent earlier whose resources were deleted during the load:
   *  the root rows with these primary keys, and their child rows. */
  | { type: 'retract'; table: string; ids: string[] }
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; summary: LoadSummary }
  | { type: 'failed'; error: ErrorData }
  | { type: 'cancelled' };

/**
 * What the page does with a running load (see runLoad.ts). Handlers are
 * called one at a time, in the order the worker sent its messages: a batch
 * is acknowledged, and the worker may send more, only once `onBatch` has
 * resolved, which bounds the memory a load can hold in flight.
 */
export interface LoadHandlers {
  onTable(schema: TableSchema): Promise<void>;
  onBatch(table: string, ipc: Uint8Array, rowCount: number): Promise<void>;
  onRetract(table: string, ids: string[]): Promise<void>;
  onProgress(progress: LoadProgress): void;
  onLog?(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export interface LoadHandle {
  /** Resolves when the crawl has sent everything; rejects with a
   *  WarehouseError (code `cancelled` after cancel()). */
  done: Promise<LoadSummary>;
  cancel(): void;
}
