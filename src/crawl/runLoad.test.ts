import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import type { TableSchema } from '../pipeline/schema';
import { CrawlSession } from './crawlSession';
import type { LoadProgress, PageToWorker, WorkerToPage } from './protocol';
import { runLoad, type WorkerLike } from './runLoad';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';

const BASE = 'http://127.0.0.1:8042';
const connection = { baseUrl: BASE, username: 'demo', password: 'demo' };

/**
 * The real CrawlSession behind a real MessageChannel: messages are
 * structured-cloned and IPC buffers transferred as between a page and a
 * worker, only within one thread.
 */
function inProcessWorker(fetchImpl: typeof fetch) {
  const channel = new MessageChannel();
  const state = { terminated: false, sent: [] as PageToWorker[] };
  const session = new CrawlSession(
    (message, transfer) => {
      channel.port2.postMessage(message, transfer ?? []);
    },
    { fetch: fetchImpl },
  );
  channel.port2.on('message', (message: PageToWorker) => {
    session.receive(message);
  });
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message) {
      state.sent.push(message);
      if (!state.terminated) channel.port1.postMessage(message);
    },
    terminate() {
      state.terminated = true;
      channel.port1.close();
      channel.port2.close();
    },
  };
  channel.port1.on('message', (data: WorkerToPage) => {
    worker.onmessage?.({ data });
  });
  return { worker, state };
}

describe('runLoad with the crawl session behind a message channel', () => {
  it('stores every batch in order, acknowledges it, and ends the worker', async () => {
    const replay = replayFetch(BASE, loadFixtures('1.10.1'));
    const { worker, state } = inProcessWorker(replay.fetch);
    const declared = new Map<string, TableSchema>();
    const stored = new Map<string, number>();
    const order: string[] = [];
    const progress: LoadProgress[] = [];
    let storing = 0;
    let names: unknown[] = [];

    const handle = runLoad(
      'load-7',
      connection,
      { pageSize: 2, concurrency: 2 },
      {
        onTable: (schema) => {
          declared.set(schema.name, schema);
          order.push(`table ${schema.name}`);
          return Promise.resolve();
        },
        onBatch: async (table, ipc, rowCount) => {
          // one batch at a time, and never before its table is declared
          expect(storing).toBe(0);
          expect(declared.has(table)).toBe(true);
          storing++;
          await new Promise((resolve) => setTimeout(resolve, 2));
          const arrow = tableFromIPC(ipc);
          expect(arrow.numRows).toBe(rowCount);
          const column = arrow.getChild('main_dicom_tags__patient_name');
          if (table === 'patients_detail' && column) {
            names = [...(column.toArray() as Iterable<unknown>)];
          }
          stored.set(table, (stored.get(table) ?? 0) + rowCount);
          order.push(`batch ${table}`);
          storing--;
        },
        onRetract: () => Promise.resolve(),
        onProgress: (p) => progress.push(p),
      },
      () => worker,
    );

    const summary = await handle.done;

    expect(summary.loadId).toBe('load-7');
    expect(summary.rows.instances_detail).toBe(12);
    expect(Object.fromEntries(stored)).toEqual(
      Object.fromEntries(
        Object.entries(summary.rows).filter(([, count]) => count > 0),
      ),
    );
    expect(names).toContain('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(order.indexOf('table series_detail__instances')).toBeLessThan(
      order.indexOf('batch series_detail__instances'),
    );
    const batches = order.filter((o) => o.startsWith('batch')).length;
    const acks = state.sent.flatMap((m) => (m.type === 'ack' ? [m.seq] : []));
    expect(acks).toEqual(Array.from({ length: batches }, (_, i) => i + 1));
    expect(progress.at(-1)?.requests).toBe(summary.requests);
    expect(summary.requests).toBe(replay.requests.length);
    expect(state.terminated).toBe(true);
  });

  it('rejects with the worker error as a WarehouseError', async () => {
    const unauthorized = JSON.parse(
      readFileSync(
        new URL(
          '../pipeline/fixtures/orthanc-1.10.1/unauthorized.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as CapturedResponse;
    const replay = replayFetch(BASE, [
      { ...unauthorized, request: '/statistics' },
    ]);
    const { worker, state } = inProcessWorker(replay.fetch);
    const progress: LoadProgress[] = [];
    const handle = runLoad(
      'load-8',
      connection,
      { pageSize: 2, concurrency: 2 },
      {
        onTable: () => Promise.resolve(),
        onBatch: () => Promise.resolve(),
        onRetract: () => Promise.resolve(),
        onProgress: (p) => progress.push(p),
      },
      () => worker,
    );

    const error: unknown = await handle.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).code).toBe('unauthorized');
    // the load history counts the requests of a load that failed too
    expect(progress.at(-1)?.requests).toBe(replay.requests.length);
    expect(replay.requests.length).toBe(1);
    expect(state.terminated).toBe(true);
  });

  it('cancels: stops storing, rejects with cancelled, ends the worker', async () => {
    const replay = replayFetch(BASE, loadFixtures('1.10.1'));
    const { worker, state } = inProcessWorker(replay.fetch);
    let batches = 0;
    const progress: LoadProgress[] = [];
    const handle = runLoad(
      'load-9',
      connection,
      { pageSize: 2, concurrency: 1 },
      {
        onTable: () => Promise.resolve(),
        onBatch: () => {
          batches++;
          handle.cancel();
          return Promise.resolve();
        },
        onRetract: () => Promise.resolve(),
        onProgress: (p) => progress.push(p),
      },
      () => worker,
    );

    const error: unknown = await handle.done.catch((e: unknown) => e);
    expect((error as WarehouseError).code).toBe('cancelled');
    expect(batches).toBe(1);
    expect(progress.at(-1)?.requests).toBe(replay.requests.length);
    expect(state.sent.some((m) => m.type === 'cancel')).toBe(true);
    expect(state.terminated).toBe(true);
  });

  it('ends the load when storing a batch fails', async () => {
    const replay = replayFetch(BASE, loadFixtures('1.10.1'));
    const { worker, state } = inProcessWorker(replay.fetch);
    const handle = runLoad(
      'load-10',
      connection,
      { pageSize: 2, concurrency: 2 },
      {
        onTable: () => Promise.resolve(),
        onBatch: () =>
          Promise.reject(new WarehouseError('warehouse', 'The disk is full.')),
        onRetract: () => Promise.resolve(),
        onProgress: () => undefined,
      },
      () => worker,
    );

    const error: unknown = await handle.done.catch((e: unknown) => e);
    expect((error as WarehouseError).message).toBe('The disk is full.');
    expect(state.terminated).toBe(true);
  });
});
