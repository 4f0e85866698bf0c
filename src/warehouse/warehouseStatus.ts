// Where the warehouse lives right now, as the page shows it. The database
// module reports every change; the store listens.

export type WarehouseStatus =
  /** DuckDB is starting, or the warehouse is being cleared. */
  | { kind: 'opening' }
  /** In OPFS, checkpointed after the last commit; its size on disk. */
  | { kind: 'saved'; bytes: number | null }
  /** In OPFS, but the last CHECKPOINT failed: a reload may lose loads. */
  | { kind: 'unsaved'; reason: string }
  /** In this tab's memory only. */
  | { kind: 'memory'; reason: string }
  /** Another tab holds the saved warehouse; the user picks what next. */
  | { kind: 'other-tab' }
  /** The file opened without the loads the marker says were saved. */
  | { kind: 'restore-failed'; detail: string }
  /** DuckDB could not start at all. */
  | { kind: 'failed'; message: string };

type Listener = (status: WarehouseStatus) => void;

let current: WarehouseStatus = { kind: 'opening' };
const listeners = new Set<Listener>();

export function warehouseStatus(): WarehouseStatus {
  return current;
}

export function reportStatus(status: WarehouseStatus): void {
  current = status;
  for (const listener of listeners) listener(status);
}

/** Calls `listener` on every change; returns the unsubscribe. */
export function onWarehouseStatus(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
