// Long text values along the whole path of a load (case C18): rows into
// Arrow IPC bytes (toArrowBatch), DuckDB-WASM's Arrow ingest, staging, the
// commit, then the committed table out as Parquet, read back by native
// DuckDB. DuckDB-WASM runs here in Node, the same engine as in the page.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  createDuckDB,
  type DuckDBConnection,
  NODE_RUNTIME,
  VoidLogger,
} from '@duckdb/duckdb-wasm/blocking';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { toArrowBatch } from '../pipeline/arrowBatch';
import type { Row } from '../pipeline/rows';
import type { TableSchema } from '../pipeline/schema';
import { commitPlan } from './commitPlan';
import { nextSchemaVersion } from './schemaVersion';
import { ParquetFile } from './parquetFile';
import {
  DATASET,
  INGEST,
  SQL_TYPES,
  STAGING,
  createTableSql,
  qualified,
  quoteIdent,
} from './sql';

const schema: TableSchema = {
  name: 'instances_tags',
  columns: [
    { name: 'id', type: 'text' },
    { name: 'image_comments', type: 'text' },
    { name: 'image_comments__too_long', type: 'bool' },
    { name: '_dlt_load_id', type: 'text' },
    { name: '_dlt_id', type: 'text' },
  ],
  disposition: 'replace',
  primaryKey: ['id'],
};

/** Text of `length` code points, multi-byte ones among them. */
function longText(length: number): string {
  const pattern = 'Ünïcødé^名前 0123456789 ';
  const chars = Array.from(pattern);
  return Array.from({ length }, (_, i) => chars[i % chars.length]).join('');
}

const values: Record<string, string | null> = {
  'ten-kb': longText(10_000),
  'one-mb': longText(1_000_000),
  short: 'A short comment',
  'too-long': null,
};

function rows(): Row[] {
  return Object.entries(values).map(([id, text]) => {
    const row: Row = new Map([['id', id]]);
    if (text === null) row.set('image_comments__too_long', true);
    else row.set('image_comments', text);
    row.set('_dlt_load_id', 'load-1');
    row.set('_dlt_id', `row-${id}`);
    return row;
  });
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

async function openWasm(): Promise<DuckDBConnection> {
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
  const worker =
    require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs');
  const database = await createDuckDB(
    {
      mvp: { mainModule: wasm, mainWorker: worker },
      eh: { mainModule: wasm, mainWorker: worker },
    },
    new VoidLogger(),
    NODE_RUNTIME,
  );
  await database.instantiate();
  return database.connect();
}

describe('10 kB and 1 MB values through a load and an export', () => {
  let folder: string;
  let wasm: DuckDBConnection;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'long-values-'));
    wasm = await openWasm();
  }, 60_000);

  afterAll(async () => {
    wasm.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps every character, in the warehouse and in Parquet', async () => {
    const ipc = toArrowBatch(schema, rows());

    // staging, as a load session stages a batch
    const columns = schema.columns.map((c) => ({
      name: c.name,
      sqlType: SQL_TYPES[c.type],
    }));
    wasm.query(`CREATE SCHEMA ${quoteIdent(STAGING)}`);
    wasm.query(`CREATE SCHEMA ${quoteIdent(INGEST)}`);
    wasm.query(createTableSql(STAGING, schema.name, columns));
    wasm.insertArrowFromIPCStream(ipc, {
      schema: INGEST,
      name: 'batch',
      create: true,
    });
    wasm.query(
      `INSERT INTO ${qualified(STAGING, schema.name)} BY NAME ` +
        `SELECT * FROM ${qualified(INGEST, 'batch')}`,
    );

    // the commit
    wasm.query('BEGIN TRANSACTION');
    const staged = [{ schema, columns, rowCount: 4 }];
    for (const step of commitPlan({
      loadId: 'load-1',
      tables: staged,
      existing: new Map(),
      schema: nextSchemaVersion(
        null,
        staged.map((table) => table.schema),
      ),
    })) {
      wasm.query(step.sql);
    }
    wasm.query('COMMIT');

    const committed = wasm.query(
      `SELECT id, image_comments, image_comments__too_long ` +
        `FROM ${qualified(DATASET, schema.name)} ORDER BY id`,
    );
    const ids = Object.keys(values).sort();
    const texts = committed.getChild('image_comments');
    const flags = committed.getChild('image_comments__too_long');
    expect(committed.getChild('id')?.toArray()).toEqual(ids);
    ids.forEach((id, row) => {
      expect(texts?.get(row)).toBe(values[id]);
      expect(flags?.get(row)).toBe(id === 'too-long' ? true : null);
    });

    // the export writes the table as DuckDB-WASM hands it out
    const file = new ParquetFile(committed.schema);
    file.write(committed);
    const { file: blob } = file.finish();
    const path = join(folder, 'instances_tags.parquet');
    await writeFile(path, new Uint8Array(await blob.arrayBuffer()));

    const reader = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await reader.runAndReadAll(
      `SELECT id, length(image_comments) AS length, ` +
        `md5(image_comments) AS md5, image_comments__too_long AS flag, ` +
        `typeof(image_comments) AS type FROM '${path}' ORDER BY id`,
    );
    expect(read.getRowObjectsJS()).toEqual([
      {
        id: 'one-mb',
        length: 1_000_000n,
        md5: md5(longText(1_000_000)),
        flag: null,
        type: 'VARCHAR',
      },
      {
        id: 'short',
        length: 15n,
        md5: md5('A short comment'),
        flag: null,
        type: 'VARCHAR',
      },
      {
        id: 'ten-kb',
        length: 10_000n,
        md5: md5(longText(10_000)),
        flag: null,
        type: 'VARCHAR',
      },
      { id: 'too-long', length: null, md5: null, flag: true, type: 'VARCHAR' },
    ]);
  });
});
