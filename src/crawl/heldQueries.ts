// The worker's side of a sync's questions to the warehouse (see
// WarehouseReader in pipeline/syncRemovals.ts): each question goes to the
// page as a `heldQuery` with an id, and the promise settles when the
// page's `held` answer with that id comes back. A cancel settles every
// open question at once, so that a sync waiting on the page ends too.

import { cancelledError } from '../lib/backoff';
import { fromErrorData } from '../lib/errors';
import type { WarehouseReader } from '../pipeline/syncRemovals';
import type {
  HeldResource,
  Level,
  PageToWorker,
  WorkerToPage,
} from './protocol';

type Answer = Extract<PageToWorker, { type: 'held' }>;

interface Open {
  resolve: (resources: HeldResource[]) => void;
  reject: (error: unknown) => void;
}

export class HeldQueries implements WarehouseReader {
  private lastId = 0;
  private readonly open = new Map<number, Open>();
  private closed = false;

  constructor(private readonly post: (message: WorkerToPage) => void) {}

  held(level: Level, parents?: readonly string[]): Promise<HeldResource[]> {
    if (this.closed) return Promise.reject(cancelledError());
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.open.set(id, { resolve, reject });
      this.post({
        type: 'heldQuery',
        id,
        level,
        ...(parents === undefined ? {} : { parents: [...parents] }),
      });
    });
  }

  answer(message: Answer): void {
    const open = this.open.get(message.id);
    if (open === undefined) return;
    this.open.delete(message.id);
    if (message.error !== undefined) open.reject(fromErrorData(message.error));
    else open.resolve(message.resources ?? []);
  }

  /** Ends every open question; later ones fail at once. */
  close(): void {
    this.closed = true;
    for (const open of this.open.values()) open.reject(cancelledError());
    this.open.clear();
  }
}
