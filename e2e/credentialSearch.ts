// Looks for a secret everywhere a page could have left it: the warehouse
// (every VARCHAR column of every table and view, through SQL), Parquet
// exports (their bytes, and their rows read back by another reader), the
// browser's storage (localStorage, sessionStorage, IndexedDB names and
// every OPFS file) and the page's URL. Each search reports what it found
// for each needle, so a spec can check a needle that must be there too
// and know the search itself works.

import { DuckDBInstance } from '@duckdb/node-api';
import { expect, type Page } from '@playwright/test';

import { runQuery } from './pageSteps';

/** The secret as text, in Base64, and Base64 of `user:secret`. */
export function needlesOf(secret: string, username?: string): string[] {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const needles = [secret, base64(secret)];
  if (username !== undefined) needles.push(base64(`${username}:${secret}`));
  return needles;
}

/** A string literal built from code points, so that the SQL text itself
 *  never holds the needle. */
function sqlText(text: string): string {
  return Array.from(text, (c) => `chr(${c.codePointAt(0) ?? 0})`).join(' || ');
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** How many values of every VARCHAR column hold each needle. */
export async function searchWarehouse(
  page: Page,
  needles: string[],
): Promise<number[]> {
  const columns = await runQuery(
    page,
    `select table_schema, table_name, column_name
       from information_schema.columns
      where data_type = 'VARCHAR'
        and table_schema not in ('information_schema', 'pg_catalog')
      order by 1, 2, 3`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const values = columns
    .map(
      ([schema = '', table = '', column = '']) =>
        `select ${quote(column)} as v from ${quote(schema)}.${quote(table)}`,
    )
    .join(' union all ');
  const counts = needles
    .map((needle) => `count_if(contains(v, ${sqlText(needle)}))`)
    .join(', ');
  const [row] = await runQuery(page, `select ${counts} from (${values})`);
  return (row ?? []).map(Number);
}

/** Downloads every table of `orthanc_data` as Parquet from the Tables
 *  view; returns the files' paths. */
export async function exportTables(
  page: Page,
  outputPath: (name: string) => string,
): Promise<string[]> {
  const tables = await runQuery(
    page,
    `select table_name from information_schema.tables
      where table_schema = 'orthanc_data' and table_type = 'BASE TABLE'
      order by 1`,
  );
  expect(tables.length).toBeGreaterThan(5);
  await page.getByRole('tab', { name: 'Tables' }).click();
  const files: string[] = [];
  for (const [table = ''] of tables) {
    await page
      .getByRole('button', { name: new RegExp(`^${table}\\b`) })
      .click();
    await expect(
      page.getByRole('table', { name: `Rows of ${table}` }),
    ).toBeVisible();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Parquet' }).click();
    const download = await downloading;
    const file = outputPath(`${table}.parquet`);
    await download.saveAs(file);
    files.push(file);
  }
  return files;
}

/** How many files hold each needle, in their bytes or their rows. */
export async function searchParquet(
  files: string[],
  needles: string[],
): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const found = needles.map(() => 0);
  try {
    for (const file of files) {
      const bytes = readFileSync(file);
      const reader = await connection.runAndReadAll(
        `select cast(r as varchar) from read_parquet('${file}') as r`,
      );
      const text = reader
        .getRows()
        .map((row) => String(row[0]))
        .join('\n');
      needles.forEach((needle, index) => {
        if (bytes.includes(needle) || text.includes(needle)) {
          found[index] = (found[index] ?? 0) + 1;
        }
      });
    }
  } finally {
    connection.closeSync();
  }
  return found;
}

interface BrowserStorage {
  local: [string, string][];
  session: [string, string][];
  indexedDb: string[];
}

declare const localStorage: Storage;
declare const sessionStorage: Storage;
declare const indexedDB: { databases(): Promise<{ name?: string }[]> };
interface Storage {
  length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}

/** The page's localStorage, sessionStorage and IndexedDB names. */
export function readBrowserStorage(page: Page): Promise<BrowserStorage> {
  return page.evaluate(async () => {
    const entries = (storage: Storage): [string, string][] =>
      Array.from({ length: storage.length }, (_, index) => {
        const key = storage.key(index) ?? '';
        return [key, storage.getItem(key) ?? ''];
      });
    const databases = await indexedDB.databases();
    return {
      local: entries(localStorage),
      session: entries(sessionStorage),
      indexedDb: databases.map((db) => db.name ?? ''),
    };
  });
}

interface OpfsEntry {
  kind: 'file' | 'directory';
  name: string;
  getFile(): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;
  values(): AsyncIterable<OpfsEntry>;
}
declare const navigator: {
  storage: { getDirectory(): Promise<OpfsEntry> };
};

/**
 * Reads every file of the page's OPFS from a blank page of the same
 * origin (the app's DuckDB lets go of its files once the app is gone)
 * and returns, per file, which needles its bytes hold.
 */
export async function searchOpfs(
  page: Page,
  baseUrl: string,
  needles: string[],
): Promise<{ files: string[]; hits: string[] }> {
  const blank = `${baseUrl}/__blank`;
  await page.route(blank, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>blank</title>' }),
  );
  await page.goto(blank);
  let result = { files: [] as string[], hits: [] as string[] };
  await expect(async () => {
    result = await page.evaluate(async (wanted) => {
      const encoder = new TextEncoder();
      const patterns = wanted.map((needle) => encoder.encode(needle));
      const holds = (bytes: Uint8Array, pattern: Uint8Array) => {
        outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
          for (let j = 0; j < pattern.length; j++) {
            if (bytes[i + j] !== pattern.at(j)) continue outer;
          }
          return true;
        }
        return false;
      };
      const files: string[] = [];
      const hits: string[] = [];
      const walk = async (directory: OpfsEntry, path: string) => {
        for await (const entry of directory.values()) {
          const name = `${path}/${entry.name}`;
          if (entry.kind === 'directory') {
            await walk(entry, name);
            continue;
          }
          const file = await entry.getFile();
          const bytes = new Uint8Array(await file.arrayBuffer());
          files.push(name);
          patterns.forEach((pattern, index) => {
            if (holds(bytes, pattern)) hits.push(`${name}: ${wanted[index]}`);
          });
        }
      };
      await walk(await navigator.storage.getDirectory(), '');
      return { files, hits };
    }, needles);
  }).toPass({ timeout: 10_000 });
  await page.unroute(blank);
  return result;
}
