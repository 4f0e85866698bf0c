// One tab at a time owns the saved warehouse. DuckDB-WASM holds the OPFS
// file through exclusive access handles; a second tab that tried to open
// it would fail halfway, or (with a build that falls back) see an empty
// database. A Web Lock, taken before DuckDB opens the file and held until
// the tab closes, lets the second tab know in advance and say so.
//
// The browser releases the lock when its tab closes or reloads, however
// that happens, so a crashed tab never keeps the warehouse locked.

export const LOCK_NAME = 'orthanc-warehouse';

export interface HeldLock {
  release(): void;
}

/**
 * Takes the warehouse's lock if no other tab holds it; null when one
 * does. The lock is never waited for: a tab left open in the background
 * would otherwise take the warehouse over the moment its owner reloads.
 */
export function tryLock(locks: LockManager): Promise<HeldLock | null> {
  return new Promise<HeldLock | null>((resolve, reject) => {
    locks
      .request(LOCK_NAME, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(null);
          return undefined;
        }
        // The lock lasts as long as this promise is pending.
        return new Promise<void>((release) => {
          resolve({ release });
        });
      })
      .catch(reject);
  });
}
