// What a spec does to the page's saved warehouse behind its back: the
// steps run inside the browser, on a page of the app's origin that does
// not start the app, so that no tab holds the files. The browser globals
// they use are declared here, narrowly: the e2e code compiles for Node.

import { expect, type Page } from '@playwright/test';

export const MARKER_KEY = 'orthanc-warehouse.saved';
export const DATABASE_FILE = 'orthanc-warehouse.db';

interface OpfsFile {
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface OpfsWritable {
  write(data: ArrayBuffer | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

interface OpfsFileHandle {
  getFile(): Promise<OpfsFile>;
  createWritable(): Promise<OpfsWritable>;
}

interface OpfsDirectory {
  getFileHandle(
    name: string,
    options?: { create?: boolean },
  ): Promise<OpfsFileHandle>;
  removeEntry(name: string): Promise<void>;
}

declare const navigator: {
  storage: { getDirectory(): Promise<OpfsDirectory> };
};
declare const localStorage: { getItem(key: string): string | null };

/** The saved-load marker the page keeps, as text. */
export function readMarker(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), MARKER_KEY);
}

/**
 * Leaves the app for a blank page of the same origin and runs `step` on
 * the database file there. The app's DuckDB worker lets go of its files
 * shortly after the app's page is gone: until then the step fails, and
 * is tried again.
 */
export async function whileClosed(
  page: Page,
  baseUrl: string,
  step: (name: string) => Promise<void>,
): Promise<void> {
  const blank = `${baseUrl}/__blank`;
  await page.route(blank, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>blank</title>' }),
  );
  await page.goto(blank);
  await expect(async () => {
    await page.evaluate(step, DATABASE_FILE);
  }).toPass({ timeout: 10_000 });
  await page.unroute(blank);
}

/** Keeps a copy of the database file, then deletes it and its log. */
export async function copyAndRemove(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const file = await (await root.getFileHandle(name)).getFile();
  const copy = await (
    await root.getFileHandle('copy.db', { create: true })
  ).createWritable();
  await copy.write(await file.arrayBuffer());
  await copy.close();
  await root.removeEntry(name);
  await root.removeEntry(`${name}.wal`).catch((error: unknown) => {
    if ((error as { name?: string }).name !== 'NotFoundError') throw error;
  });
}

/** Puts 8 kB that are no DuckDB file where the database file was. */
export async function writeJunk(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const file = await root.getFileHandle(name, { create: true });
  const writable = await file.createWritable();
  await writable.write(new Uint8Array(8192).fill(0x5a));
  await writable.close();
}

/** Puts back the copy that copyAndRemove kept. */
export async function restoreCopy(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const copy = await (await root.getFileHandle('copy.db')).getFile();
  const file = await root.getFileHandle(name, { create: true });
  const writable = await file.createWritable();
  await writable.write(await copy.arrayBuffer());
  await writable.close();
}

export async function removeFile(name: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry(name);
}
