// The warehouse's files in the origin private file system: DuckDB's
// database file and its write-ahead log, both at the root. Only the tab
// that holds the warehouse's lock (warehouseLock.ts) touches them.

export const DATABASE_FILE = 'orthanc-warehouse.db';

/** The path DuckDB-WASM opens; it adds `.wal` for the log itself. */
export const DATABASE_PATH = `opfs://${DATABASE_FILE}`;

const FILES = [DATABASE_FILE, `${DATABASE_FILE}.wal`];

/** A terminated DuckDB worker lets go of its handles soon, not at once. */
const REMOVE_ATTEMPTS = 20;
const REMOVE_PAUSE_MS = 100;

/**
 * Deletes the database files. DuckDB must be closed first; its access
 * handles are released shortly after its worker ends, so a file still
 * held is tried again for about two seconds.
 */
export async function removeDatabaseFiles(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  for (const name of FILES) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await root.removeEntry(name);
        break;
      } catch (error) {
        const kind = error instanceof DOMException ? error.name : '';
        if (kind === 'NotFoundError') break;
        if (kind !== 'NoModificationAllowedError') throw error;
        if (attempt === REMOVE_ATTEMPTS) throw error;
        await pause(REMOVE_PAUSE_MS);
      }
    }
  }
}

/**
 * The bytes the warehouse takes on disk: its files when the browser lets
 * the page read their size, otherwise what the storage API estimates for
 * the whole page; null when neither answers.
 */
export async function databaseBytes(): Promise<number | null> {
  try {
    const root = await navigator.storage.getDirectory();
    let total = 0;
    for (const name of FILES) {
      const handle = await root.getFileHandle(name).catch(() => null);
      if (handle !== null) total += (await handle.getFile()).size;
    }
    return total;
  } catch {
    try {
      const estimate = await navigator.storage.estimate();
      return estimate.usage ?? null;
    } catch {
      return null;
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
