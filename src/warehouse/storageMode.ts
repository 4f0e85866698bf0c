// Where the warehouse can live in this browser. A saved warehouse needs
// the origin private file system (OPFS), which browsers give only to
// secure pages (https, or http on localhost and 127.0.0.1), and the Web
// Locks API, which makes sure one tab at a time writes the file. Without
// either, the page still works, in memory, and says why.

export interface StorageSupport {
  /** `isSecureContext`: OPFS and Web Locks exist only there. */
  secureContext: boolean;
  /** `navigator.storage.getDirectory` exists. */
  opfs: boolean;
  /** `navigator.locks` exists. */
  locks: boolean;
}

export type StoragePlan = { kind: 'opfs' } | { kind: 'memory'; reason: string };

/** Decides where the warehouse lives; the reason is shown to the user. */
export function planStorage(support: StorageSupport): StoragePlan {
  if (!support.secureContext) {
    return {
      kind: 'memory',
      reason:
        'The page is not served over HTTPS (or from localhost), so the ' +
        'browser gives it no storage for the warehouse.',
    };
  }
  if (!support.opfs) {
    return {
      kind: 'memory',
      reason:
        'This browser has no private file system for web pages; ' +
        'a current Chrome, Edge, Firefox or Safari has one.',
    };
  }
  if (!support.locks) {
    return {
      kind: 'memory',
      reason:
        'This browser cannot tell whether another tab has the warehouse ' +
        'open (it lacks Web Locks), so it is not saved.',
    };
  }
  return { kind: 'opfs' };
}
