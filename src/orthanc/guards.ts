// Checks on the JSON that Orthanc (or whatever answers at the URL) sends,
// made at the edge so that the rest of the pipeline can trust its shape.
// Small hand-written guards: the few shapes we rely on do not need a
// schema library.

import { WarehouseError } from '../lib/errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badResponse(path: string, expected: string): WarehouseError {
  return new WarehouseError(
    'bad_response',
    `The server's answer to ${path} is not ${expected}: is this Orthanc?`,
  );
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw badResponse(path, 'an object');
  return value;
}

export function expectString(
  object: JsonObject,
  key: string,
  path: string,
): string {
  const value = object[key];
  if (typeof value !== 'string') throw badResponse(path, `a text ${key}`);
  return value;
}

export function expectCount(
  object: JsonObject,
  key: string,
  path: string,
): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badResponse(path, `a count ${key}`);
  }
  return value;
}

/** A 64-bit count that Orthanc sends as a string of digits. */
export function expectBigCount(
  object: JsonObject,
  key: string,
  path: string,
): bigint {
  const value = object[key];
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  throw badResponse(path, `a size ${key}`);
}

/** A list of Orthanc IDs, as `/patients` without `expand` returns. */
export function expectIdList(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw badResponse(path, 'a list of IDs');
  }
  return value;
}

/** A list of resources that each carry a text `ID`. */
export function expectResourceList(value: unknown, path: string): JsonObject[] {
  if (!Array.isArray(value)) throw badResponse(path, 'a list of resources');
  for (const item of value) {
    if (!isObject(item) || typeof item.ID !== 'string') {
      throw badResponse(path, 'a list of resources with IDs');
    }
  }
  return value as JsonObject[];
}

/** One resource with a text `ID`, as `/studies/{id}` returns. */
export function expectResource(value: unknown, path: string): JsonObject {
  const object = expectObject(value, path);
  expectString(object, 'ID', path);
  return object;
}

/** A list of objects, such as the answers of a query. */
export function expectObjectList(value: unknown, path: string): JsonObject[] {
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw badResponse(path, 'a list of objects');
  }
  return value;
}

/** One page of a log that Orthanc pages by `Seq` (/changes, /exports). */
export interface LogPage {
  entries: JsonObject[];
  done: boolean;
  /** The Seq Orthanc reports as the last one of this answer. */
  last: number;
}

/** Checks `{<key>: [{Seq, ...}], Done, Last}`. */
export function expectLogPage(
  value: unknown,
  path: string,
  key: string,
): LogPage {
  const page = expectObject(value, path);
  const entries = page[key];
  if (!Array.isArray(entries)) throw badResponse(path, `a log of ${key}`);
  for (const entry of entries) {
    if (!isObject(entry) || !Number.isSafeInteger(entry.Seq)) {
      throw badResponse(path, `a log of ${key} with a Seq each`);
    }
  }
  return {
    entries: entries as JsonObject[],
    done: page.Done === true,
    last: expectCount(page, 'Last', path),
  };
}
