// The worker's side of protocol.ts, apart from the worker global so that
// it runs and is tested anywhere: `start` runs a crawl, or a sync when the
// options say where the warehouse stands (its questions to the page go
// through heldQueries.ts, its removals to the page); schemas, batches as
// transferred Arrow IPC bytes, throttled progress and log lines go out in
// the order the crawl makes them; at most a few batches wait for the
// page's `ack` before the crawl is paused; the end is `done`, `failed` or,
// after `cancel`, `cancelled`.

import { cancelledError } from '../lib/backoff';
import { toErrorData, WarehouseError } from '../lib/errors';
import { createLogger } from '../lib/logger';
import { newRequestStats } from '../orthanc/orthancGet';
import { toArrowBatch } from '../pipeline/arrowBatch';
import { crawl } from '../pipeline/crawl';
import type { CrawlProgress } from '../pipeline/crawlEvents';
import { sync } from '../pipeline/sync';
import { HeldQueries } from './heldQueries';
import type {
  Connection,
  LoadOptions,
  LoadProgress,
  PageToWorker,
  WorkerToPage,
} from './protocol';

/** Batches sent and not yet acknowledged before the crawl waits. */
export const MAX_UNACKED_BATCHES = 4;
/** Their bytes, too: a batch of a wide table (every tag of 2000
 *  instances) can weigh tens of MB, and the page holds each until it is
 *  staged. One batch is always let through, however big. */
export const MAX_UNACKED_BYTES = 32 * 1024 * 1024;
/** At most about five progress messages a second. */
const PROGRESS_INTERVAL_MS = 200;

export type PostToPage = (
  message: WorkerToPage,
  transfer?: ArrayBuffer[],
) => void;

export interface SessionOptions {
  /** The fetch the crawl uses; the global one by default. */
  fetch?: typeof fetch;
  /** The bytes of batches that may wait for an `ack`; MAX_UNACKED_BYTES
   *  by default. */
  maxUnackedBytes?: number;
}

/** A buffer that can be transferred whole: the bytes and nothing else. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return bytes.slice();
}

export class CrawlSession {
  private readonly post: PostToPage;
  private readonly options: SessionOptions;
  private controller: AbortController | null = null;
  /** The bytes of each batch sent and not yet acknowledged, by seq. */
  private readonly unacked = new Map<number, number>();
  private wakeUp: (() => void) | null = null;
  private seq = 0;
  private started = false;
  private readonly heldQueries = new HeldQueries((message) => {
    this.post(message);
  });

  constructor(post: PostToPage, options: SessionOptions = {}) {
    this.post = post;
    this.options = options;
  }

  receive(message: PageToWorker): void {
    switch (message.type) {
      case 'start':
        if (this.started) return;
        this.started = true;
        void this.run(message.loadId, message.connection, message.options);
        return;
      case 'cancel':
        this.controller?.abort();
        this.heldQueries.close();
        this.wake();
        return;
      case 'ack':
        this.unacked.delete(message.seq);
        this.wake();
        return;
      case 'held':
        this.heldQueries.answer(message);
        return;
    }
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  /** Waits until the page has room for another batch. */
  private async room(signal: AbortSignal): Promise<void> {
    while (
      this.unacked.size >= MAX_UNACKED_BATCHES ||
      (this.unacked.size > 0 &&
        this.unackedBytes() >=
          (this.options.maxUnackedBytes ?? MAX_UNACKED_BYTES))
    ) {
      if (signal.aborted) throw cancelledError();
      await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
    if (signal.aborted) throw cancelledError();
  }

  private unackedBytes(): number {
    let bytes = 0;
    for (const size of this.unacked.values()) bytes += size;
    return bytes;
  }

  private async run(
    loadId: string,
    connection: Connection,
    options: LoadOptions,
  ): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const started = performance.now();
    let lastProgress = -Infinity;
    const stats = newRequestStats();
    let latest: CrawlProgress = { ...stats, rows: 0, stage: '' };
    const progress = (): LoadProgress => ({
      ...latest,
      elapsedMs: Math.round(performance.now() - started),
    });
    // a load that ends early is counted to its last request all the same
    const final = (): LoadProgress => ({ ...progress(), ...stats });
    const log = createLogger((level, message) => {
      this.post({ type: 'log', level, message });
    }, 'debug');

    try {
      const crawlOptions: Parameters<typeof crawl>[1] = {
        loadId,
        pageSize: options.pageSize,
        concurrency: options.concurrency,
        signal: controller.signal,
        log,
        stats,
      };
      if (options.resources) crawlOptions.resources = options.resources;
      if (options.timeoutMs !== undefined) {
        crawlOptions.timeoutMs = options.timeoutMs;
      }
      if (options.retries !== undefined) crawlOptions.retries = options.retries;
      if (options.schema) crawlOptions.schema = options.schema;
      if (options.resume) crawlOptions.resume = options.resume;
      if (options.strategy) crawlOptions.strategy = options.strategy;
      if (this.options.fetch) crawlOptions.fetch = this.options.fetch;
      const events = options.sync
        ? sync(connection, {
            ...crawlOptions,
            start: options.sync,
            warehouse: this.heldQueries,
          })
        : crawl(connection, crawlOptions);

      for (let next = await events.next(); ; next = await events.next()) {
        if (next.done) {
          const result = next.value;
          this.post({ type: 'progress', progress: progress() });
          this.post({
            type: 'done',
            summary: {
              loadId,
              requests: result.requests,
              bytes: result.bytes,
              retries: result.retries,
              elapsedMs: Math.round(performance.now() - started),
              rows: result.rows,
              notes: result.notes,
              resources: result.resources,
              state: result.state,
              ...(result.sync ? { sync: result.sync } : {}),
            },
          });
          return;
        }

        const event = next.value;
        if (event.type === 'table') {
          this.post({ type: 'table', schema: event.schema });
        } else if (event.type === 'retract') {
          this.post({ type: 'retract', table: event.table, ids: event.ids });
        } else if (event.type === 'remove') {
          const { table, column, ids } = event;
          this.post({ type: 'remove', table, column, ids });
        } else if (event.type === 'checkpoint') {
          this.post({ type: 'checkpoint', checkpoint: event.checkpoint });
        } else if (event.type === 'rows') {
          await this.room(controller.signal);
          const ipc = ownBuffer(toArrowBatch(event.schema, event.rows));
          const seq = ++this.seq;
          this.unacked.set(seq, ipc.byteLength);
          this.post(
            {
              type: 'batch',
              seq,
              table: event.table,
              rowCount: event.rows.length,
              ipc,
            },
            [ipc.buffer],
          );
        } else {
          latest = event.progress;
          const now = performance.now();
          if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
            lastProgress = now;
            this.post({ type: 'progress', progress: progress() });
          }
        }
      }
    } catch (error) {
      if (
        controller.signal.aborted ||
        (error instanceof WarehouseError && error.code === 'cancelled')
      ) {
        this.post({ type: 'cancelled', progress: final() });
      } else {
        const failure = toErrorData(error);
        this.post({ type: 'failed', error: failure, progress: final() });
      }
    } finally {
      controller.abort();
      this.heldQueries.close();
    }
  }
}
