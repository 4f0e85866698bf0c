// The messages between the page and the crawl worker: one union each way,
// keyed by `type`. Only plain data crosses; rows travel as Arrow IPC stream
// bytes whose buffer is transferred, never copied.

import type { ErrorData } from '../lib/errors';
import type { Connection } from '../orthanc/connection';
import type { CrawlCheckpoint, CrawlResume } from '../pipeline/crawlCheckpoint';
import type { SyncReport } from '../pipeline/crawlEvents';
import type { CrawlStrategy } from '../pipeline/crawlPlan';
import type { CrawlState } from '../pipeline/crawlState';
import type { Level } from '../pipeline/resources';
import type { StoredSchema, TableSchema } from '../pipeline/schema';
import type { SyncStart } from '../pipeline/sync';
import type { HeldResource } from '../pipeline/syncPlan';

export type {
  Connection,
  CrawlCheckpoint,
  CrawlResume,
  HeldResource,
  Level,
  SyncReport,
  SyncStart,
};

export interface LoadOptions {
  /** Resource names to load; every declared resource when absent. */
  resources?: string[];
  /** Items per paged list request. */
  pageSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Deadline of one attempt of one request; the client's default when
   *  absent. */
  timeoutMs?: number;
  /** Retries of a GET that failed in a way a retry can cure. */
  retries?: number;
  /** The schema earlier loads left in the warehouse; none before the
   *  first. The load keeps its names and types and only adds to it. */
  schema?: StoredSchema;
  /** Set for a sync: where the warehouse stands. The worker then asks
   *  the page what it holds (`heldQuery`) and sends removals. */
  sync?: SyncStart;
  /** Set to go on with a full load that stopped, under its load id; the
   *  worker then skips the pages its checkpoint lists. */
  resume?: CrawlResume;
  /** How the levels' detail is read: `naive` for the benchmark only. */
  strategy?: CrawlStrategy;
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
  | { type: 'ack'; seq: number }
  /** The answer to the worker's `heldQuery` with the same id. */
  | {
      type: 'held';
      id: number;
      resources?: HeldResource[];
      error?: ErrorData;
    };

export interface LoadProgress {
  requests: number;
  bytes: number;
  /** Attempts made again after a failure a retry can cure. */
  retries: number;
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
  retries: number;
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
  /** What a sync did; absent after a full load. */
  sync?: SyncReport;
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
  /** A sync's rows of resources deleted on the server: the rows of
   *  `table` whose `column` is one of `ids`, and their child rows. */
  | { type: 'remove'; table: string; column: string; ids: string[] }
  /** A sync asks what the warehouse holds at `level` (see
   *  WarehouseReader in pipeline/syncRemovals.ts). */
  | { type: 'heldQuery'; id: number; level: Level; parents?: string[] }
  | { type: 'progress'; progress: LoadProgress }
  /** The rows sent so far are what a resumed load keeps (see
   *  pipeline/crawlCheckpoint.ts). */
  | { type: 'checkpoint'; checkpoint: CrawlCheckpoint }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; summary: LoadSummary }
  /** The end of a load that did not finish; `progress` counts every
   *  request it made, for the load history. */
  | { type: 'failed'; error: ErrorData; progress?: LoadProgress }
  | { type: 'cancelled'; progress?: LoadProgress };

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
  /** A sync's removals; called before `done`, applied at commit. A sync
   *  without these two handlers fails rather than keep deleted rows. */
  onRemove?(table: string, column: string, ids: string[]): Promise<void>;
  /** What the warehouse holds, for a sync. */
  onHeld?(level: Level, parents?: string[]): Promise<HeldResource[]>;
  onProgress(progress: LoadProgress): void;
  /** Stages the rows sent so far with how far the crawl came. */
  onCheckpoint?(checkpoint: CrawlCheckpoint): Promise<void>;
  onLog?(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export interface LoadHandle {
  /** Resolves when the crawl has sent everything; rejects with a
   *  WarehouseError (code `cancelled` after cancel()). */
  done: Promise<LoadSummary>;
  cancel(): void;
}
