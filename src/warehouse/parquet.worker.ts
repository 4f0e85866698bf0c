// Writes Parquet off the page's thread: encoding and compressing a large
// table takes seconds, during which the page must stay responsive.

import { tableFromIPC } from 'apache-arrow';

import { toErrorData, WarehouseError } from '../lib/errors';
import { ParquetFile } from './parquetFile';
import type { PageToParquet, ParquetToPage } from './parquetProtocol';

let file: ParquetFile | undefined;

function reply(message: ParquetToPage): void {
  self.postMessage(message);
}

function handle(message: PageToParquet): void {
  switch (message.type) {
    case 'begin':
      file = new ParquetFile(tableFromIPC(message.ipc).schema);
      reply({ type: 'ready' });
      return;
    case 'write':
      current().write(tableFromIPC(message.ipc));
      reply({ type: 'ready' });
      return;
    case 'finish': {
      const { file: blob, rows } = current().finish();
      file = undefined;
      reply({ type: 'done', file: blob, rows });
      return;
    }
  }
}

function current(): ParquetFile {
  if (file === undefined) {
    throw new WarehouseError('internal', 'Parquet export was not begun.');
  }
  return file;
}

self.addEventListener('message', (event: MessageEvent<PageToParquet>) => {
  try {
    handle(event.data);
  } catch (error) {
    file = undefined;
    const data = toErrorData(error);
    reply({
      type: 'failed',
      error: { ...data, code: data.code === 'internal' ? 'export' : data.code },
    });
  }
});
