// The messages between the page and the Parquet worker. The page sends the
// result's schema, then its rows in Arrow IPC batches, one at a time: each
// is answered before the next goes, so no more than one batch is in flight.

import type { ErrorData } from '../lib/errors';

export type PageToParquet =
  /** Arrow IPC stream bytes holding the schema and no rows. */
  | { type: 'begin'; ipc: Uint8Array }
  /** Arrow IPC stream bytes; written as one row group. */
  | { type: 'write'; ipc: Uint8Array }
  | { type: 'finish' };

export type ParquetToPage =
  | { type: 'ready' }
  | { type: 'done'; file: Blob; rows: number }
  | { type: 'failed'; error: ErrorData };
