// Parquet downloads. The rows stream out of DuckDB on a connection of
// their own, are gathered into batches of a bounded size, and go to the
// Parquet worker one batch at a time; the page only moves Arrow buffers.

import { Table, tableToIPC } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';

import { fromErrorData, WarehouseError } from '../lib/errors';
import { getDatabase, streaming } from './database';
import type { PageToParquet, ParquetToPage } from './parquetProtocol';
import { DATASET, qualified } from './sql';
import { toWarehouseError } from './warehouseError';

/** Rows and bytes per row group: large enough to compress well. */
const GROUP_ROWS = 100_000;
const GROUP_BYTES = 32 * 1024 * 1024;

export interface ParquetExport {
  file: Blob;
  rows: number;
  fileName: string;
}

/** A warehouse table in `orthanc_data`, as `<table>.parquet`. */
export function exportTable(table: string): Promise<ParquetExport> {
  return exportSelect(
    `SELECT * FROM ${qualified(DATASET, table)}`,
    `${table}.parquet`,
  );
}

/**
 * The result of one query, as `query.parquet`. The query is wrapped as a
 * subquery, so only a single SELECT (or VALUES, WITH...) is accepted:
 * exporting never runs a statement that writes a second time.
 */
export function exportQuery(sql: string): Promise<ParquetExport> {
  // A closing semicolon, even with a comment after it, would end the
  // subquery early; the wrapper's own line breaks make comments harmless.
  const body = sql.trim().replace(/;[\s;]*(--[^\n]*)?$/, '');
  if (body === '') {
    return Promise.reject(new WarehouseError('export', 'The query is empty.'));
  }
  return exportSelect(`SELECT * FROM (\n${body}\n)`, 'query.parquet');
}

function exportSelect(sql: string, fileName: string): Promise<ParquetExport> {
  return streaming(() => streamSelect(sql, fileName));
}

async function streamSelect(
  sql: string,
  fileName: string,
): Promise<ParquetExport> {
  const database = await getDatabase();
  const connection = await database.connect();
  const worker = new ParquetWorker();
  try {
    const reader = await connection.send(sql, true);
    // The schema is read with the first message, even for zero rows.
    await reader.open();
    await worker.request({
      type: 'begin',
      ipc: tableToIPC(new Table(reader.schema), 'stream'),
    });

    let group: RecordBatch[] = [];
    let rows = 0;
    let bytes = 0;
    const flush = async () => {
      if (group.length === 0) return;
      const ipc = tableToIPC(new Table(group), 'stream');
      group = [];
      rows = 0;
      bytes = 0;
      await worker.request({ type: 'write', ipc }, [ipc.buffer]);
    };
    for await (const batch of reader) {
      group.push(batch);
      rows += batch.numRows;
      bytes += batch.data.byteLength;
      if (rows >= GROUP_ROWS || bytes >= GROUP_BYTES) await flush();
    }
    await flush();

    const done = await worker.request({ type: 'finish' });
    if (done.type !== 'done') {
      throw new WarehouseError('export', 'The Parquet file was not finished.');
    }
    return { file: done.file, rows: done.rows, fileName };
  } catch (error) {
    const failure = toWarehouseError(error);
    if (failure.code === 'export') throw failure;
    throw new WarehouseError(
      'export',
      `Parquet export failed: ${failure.message}`,
    );
  } finally {
    worker.terminate();
    await connection.close().catch(() => undefined);
  }
}

/** One export's worker; requests go one at a time. */
class ParquetWorker {
  private readonly worker = new Worker(
    new URL('./parquet.worker.ts', import.meta.url),
    { type: 'module' },
  );

  request(
    message: PageToParquet,
    transfer: Transferable[] = [],
  ): Promise<ParquetToPage> {
    return new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent<ParquetToPage>) => {
        cleanup();
        if (event.data.type === 'failed') {
          reject(fromErrorData(event.data.error));
        } else {
          resolve(event.data);
        }
      };
      const onError = () => {
        cleanup();
        reject(new WarehouseError('export', 'The Parquet worker stopped.'));
      };
      const cleanup = () => {
        this.worker.removeEventListener('message', onMessage);
        this.worker.removeEventListener('error', onError);
      };
      this.worker.addEventListener('message', onMessage);
      this.worker.addEventListener('error', onError);
      this.worker.postMessage(message, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
