// The page's side of a load: starts the crawl worker, runs the handlers
// strictly in the order the worker's messages came (an `onTable` or
// `onBatch` is awaited before the next message is looked at), acknowledges
// each batch once it is stored, and ends the worker whatever the outcome.

import { cancelledError } from '../lib/backoff';
import { fromErrorData, toErrorData, WarehouseError } from '../lib/errors';
import type {
  Connection,
  LoadHandle,
  LoadHandlers,
  LoadOptions,
  LoadSummary,
  PageToWorker,
  WorkerToPage,
} from './protocol';

export interface WorkerMessageEvent {
  data: WorkerToPage;
}

export interface WorkerErrorEvent {
  message: string;
  preventDefault(): void;
}

/** What runLoad needs of a worker; a browser Worker is one. */
export interface WorkerLike {
  postMessage(message: PageToWorker): void;
  terminate(): void;
  onmessage: ((event: WorkerMessageEvent) => void) | null;
  onerror: ((event: WorkerErrorEvent) => void) | null;
}

type WorkerConstructor = new (
  url: URL,
  options: { type: 'module'; name: string },
) => WorkerLike;

// The page's Worker, typed by what is used of it: this module is also
// compiled for the Node tests, where no Worker exists. The `new Worker(new
// URL(...))` form below is what Vite bundles the worker from.
const Worker = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;

/** How long a cancelled worker may take to say so before it is ended. */
const CANCEL_GRACE_MS = 5000;

function createCrawlWorker(): WorkerLike {
  return new Worker(new URL('./crawl.worker.ts', import.meta.url), {
    type: 'module',
    name: 'crawl',
  });
}

function noSync(): WarehouseError {
  return new WarehouseError(
    'internal',
    'A sync ran where the page cannot apply one.',
  );
}

export function runLoad(
  loadId: string,
  connection: Connection,
  options: LoadOptions,
  handlers: LoadHandlers,
  createWorker: () => WorkerLike = createCrawlWorker,
): LoadHandle {
  const worker = createWorker();
  let settled = false;
  let cancelling = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let queue = Promise.resolve();

  let resolveDone!: (summary: LoadSummary) => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<LoadSummary>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const finish = (outcome: { summary: LoadSummary } | { error: unknown }) => {
    if (settled) return;
    settled = true;
    clearTimeout(graceTimer);
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    if ('summary' in outcome) resolveDone(outcome.summary);
    else rejectDone(outcome.error);
  };

  const handle = async (message: WorkerToPage): Promise<void> => {
    if (settled) return;
    switch (message.type) {
      case 'table':
        // after a cancel, nothing more goes into the warehouse
        if (!cancelling) await handlers.onTable(message.schema);
        return;
      case 'batch':
        if (!cancelling) {
          await handlers.onBatch(message.table, message.ipc, message.rowCount);
        }
        worker.postMessage({ type: 'ack', seq: message.seq });
        return;
      case 'retract':
        if (!cancelling) await handlers.onRetract(message.table, message.ids);
        return;
      case 'remove':
        if (cancelling) return;
        if (handlers.onRemove === undefined) throw noSync();
        await handlers.onRemove(message.table, message.column, message.ids);
        return;
      case 'heldQuery':
        await answerHeld(message);
        return;
      case 'progress':
        handlers.onProgress(message.progress);
        return;
      case 'checkpoint':
        if (!cancelling) await handlers.onCheckpoint?.(message.checkpoint);
        return;
      case 'log':
        handlers.onLog?.(message.level, message.message);
        return;
      case 'done':
        if (cancelling) finish({ error: cancelledError() });
        else finish({ summary: message.summary });
        return;
      case 'failed':
        if (message.progress) handlers.onProgress(message.progress);
        finish({ error: fromErrorData(message.error) });
        return;
      case 'cancelled':
        if (message.progress) handlers.onProgress(message.progress);
        finish({ error: cancelledError() });
        return;
    }
  };

  // a question that fails is answered with the error: the sync ends
  const answerHeld = async (
    message: Extract<WorkerToPage, { type: 'heldQuery' }>,
  ) => {
    const { id, level, parents } = message;
    try {
      if (handlers.onHeld === undefined) throw noSync();
      const resources = await handlers.onHeld(level, parents);
      worker.postMessage({ type: 'held', id, resources });
    } catch (error) {
      worker.postMessage({ type: 'held', id, error: toErrorData(error) });
    }
  };

  worker.onmessage = (event) => {
    const message = event.data;
    queue = queue.then(
      () => handle(message),
      () => undefined,
    );
    // a handler that fails (the warehouse refused a batch) ends the load
    queue.catch((error: unknown) => {
      worker.postMessage({ type: 'cancel' });
      finish({ error });
    });
  };

  worker.onerror = (event) => {
    event.preventDefault();
    finish({
      error: new WarehouseError(
        'internal',
        `The crawl worker stopped: ${event.message || 'it could not start'}.`,
      ),
    });
  };

  worker.postMessage({ type: 'start', loadId, connection, options });

  return {
    done,
    cancel() {
      if (settled || cancelling) return;
      cancelling = true;
      worker.postMessage({ type: 'cancel' });
      // a worker stuck in a request still ends in time
      graceTimer = setTimeout(() => {
        finish({ error: cancelledError() });
      }, CANCEL_GRACE_MS);
    },
  };
}
