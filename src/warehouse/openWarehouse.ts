// Opening the warehouse: in OPFS when this browser can keep it and no
// other tab holds it, in memory otherwise, with the reason. A saved
// warehouse is compared with the marker its last checkpoint left: one
// that comes back without its loads (case C24) is reported, never opened
// as if it were new and empty.

import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';

import { DATABASE_PATH } from './opfsFiles';
import { IN_MEMORY, openDatabase } from './openDatabase';
import { inspectWarehouse } from './savedContents';
import { readMarker, restoreProblem } from './savedMarker';
import { planStorage } from './storageMode';
import type { StorageSupport } from './storageMode';
import { readable } from './warehouseError';
import { tryLock } from './warehouseLock';
import type { HeldLock } from './warehouseLock';

export interface OpenRequest {
  /** Set once the user chose memory over waiting: the reason shown. */
  inMemory: string | null;
  /** The lock this tab already holds (after a clear), if any. */
  lock: HeldLock | null;
}

export type OpenOutcome =
  | {
      kind: 'open';
      db: AsyncDuckDB;
      /** Null when the database is the saved one. */
      memoryReason: string | null;
      lock: HeldLock | null;
    }
  | { kind: 'other-tab' }
  | { kind: 'restore-failed'; detail: string; lock: HeldLock };

/** How often an open is tried while a closing tab still holds the file. */
const OPEN_ATTEMPTS = 5;
const OPEN_PAUSE_MS = 200;

export async function openWarehouse(
  request: OpenRequest,
): Promise<OpenOutcome> {
  const inMemory = async (reason: string, lock: HeldLock | null) => ({
    kind: 'open' as const,
    db: await openDatabase(IN_MEMORY),
    memoryReason: reason,
    lock,
  });
  if (request.inMemory !== null) return inMemory(request.inMemory, null);

  const plan = planStorage(browserSupport());
  if (plan.kind === 'memory') return inMemory(plan.reason, null);

  const lock = request.lock ?? (await tryLock(navigator.locks));
  if (lock === null) return { kind: 'other-tab' };

  // From here on this tab owns the file, even when it cannot open it:
  // the lock stays, so that "Clear warehouse" here may delete it.
  const marker = readMarker(globalThis.localStorage);
  const unreadable = (error: unknown): Promise<OpenOutcome> => {
    const message = readable(
      error instanceof Error ? error.message : String(error),
    );
    const detail = restoreProblem(marker, null);
    if (detail !== null) {
      const outcome = { kind: 'restore-failed' as const, lock };
      return Promise.resolve({ ...outcome, detail: `${detail} (${message})` });
    }
    return inMemory(
      `The browser could not open the saved warehouse (${message}). ` +
        'Clear warehouse deletes its file and starts a new one.',
      lock,
    );
  };

  let db: AsyncDuckDB;
  try {
    db = await openSavedFile();
  } catch (error) {
    return unreadable(error);
  }

  let found;
  try {
    const connection = await db.connect();
    try {
      found = await inspectWarehouse(connection, marker?.loadId ?? null);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await db.terminate();
    return unreadable(error);
  }
  const detail = restoreProblem(marker, found);
  if (detail !== null) {
    await db.terminate();
    return { kind: 'restore-failed', detail, lock };
  }
  return { kind: 'open', db, memoryReason: null, lock };
}

/**
 * Opens the OPFS file. Right after a reload the old page's DuckDB worker
 * may hold the file's access handles for a moment after its lock was
 * released; the open is tried again then, with a new worker each time.
 */
async function openSavedFile(): Promise<AsyncDuckDB> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await openDatabase(DATABASE_PATH);
    } catch (error) {
      const held =
        error instanceof Error && /access handle/i.test(error.message);
      if (!held || attempt === OPEN_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, OPEN_PAUSE_MS));
    }
  }
}

/** What this browser offers, read from the page's globals. */
function browserSupport(): StorageSupport {
  const nav = globalThis.navigator as Partial<Navigator> | undefined;
  return {
    secureContext: globalThis.isSecureContext,
    opfs: typeof nav?.storage?.getDirectory === 'function',
    locks: typeof nav?.locks?.request === 'function',
  };
}
