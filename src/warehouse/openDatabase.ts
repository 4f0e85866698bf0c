// The one place where DuckDB-WASM starts. The wasm modules and workers are
// the package's own files, served from this origin (no CDN), and DuckDB
// picks the exception-handling build when the browser supports it.
//
// `path` is `:memory:` or an `opfs://` file. For the latter DuckDB's
// worker takes exclusive access handles on the file and its `.wal`
// before it opens them read-write; a file that does not exist yet is
// created empty. Which path, and whether this tab may open the file at
// all, is decided before (openWarehouse.ts).

import {
  AsyncDuckDB,
  DuckDBAccessMode,
  VoidLogger,
  selectBundle,
} from '@duckdb/duckdb-wasm';
import type { DuckDBBundles } from '@duckdb/duckdb-wasm';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';

import { WarehouseError } from '../lib/errors';

const bundles: DuckDBBundles = {
  mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
  eh: { mainModule: ehWasm, mainWorker: ehWorker },
};

export const IN_MEMORY = ':memory:';

export async function openDatabase(path: string): Promise<AsyncDuckDB> {
  const bundle = await selectBundle(bundles);
  if (bundle.mainWorker === null) {
    throw new WarehouseError('internal', 'No DuckDB worker for this browser.');
  }
  const worker = new Worker(bundle.mainWorker);

  // A worker that fails to load reports it only as an event; without this
  // the instantiation below would wait forever.
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', () => {
      reject(
        new WarehouseError(
          'warehouse',
          'The DuckDB worker could not start; reload the page.',
        ),
      );
    });
  });
  // Marked as handled: the error may come after start-up, when nobody waits.
  failed.catch(() => undefined);

  const db = new AsyncDuckDB(new VoidLogger(), worker);
  try {
    await Promise.race([
      db.instantiate(bundle.mainModule, bundle.pthreadWorker),
      failed,
    ]);
    await db.open(
      path === IN_MEMORY
        ? { path }
        : { path, accessMode: DuckDBAccessMode.READ_WRITE },
    );
  } catch (error) {
    // Ending the worker also lets go of any file handle it took.
    worker.terminate();
    throw error;
  }
  return db;
}
