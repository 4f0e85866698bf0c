// Every tag of every instance, read one series at a time through
// `/series/{id}/instances-tags`, which answers all the instances of a
// series in one request: an object keyed by instance ID, each holding
// that instance's tags (see fullTags.ts for what a row becomes).
//
// What that route answers, measured on 1.10.1 and 1.12.7 alike: the full
// format by default and with `?full`; the short format with `?short`;
// names and values only with `?simplify`. `?format=full`,
// `?format=short` and `?format=simplify` change nothing (the full format
// again), and `?ignore-length` is a 500. Only the full format tells a
// sequence, a value past the length limit (TooLong) and a binary one
// (Null) apart, so the request names it with `?full`.
//
// The series come from this load's `/series` list when it read one, or
// from that list read for this purpose alone (it fills no table). A
// series the server refuses (403) or has lost meanwhile (404) becomes a
// row of _crawl_errors and the read goes on (cases C02, C04); failures
// that say the server itself is in trouble end the read after a few in a
// row, keeping what was read before.

import { WarehouseError } from '../lib/errors';
import { expectIdList, type JsonObject } from '../orthanc/guards';
import { OrthancError } from '../orthanc/orthancError';
import { seriesTagsRows } from './fullTags';
import { mapOrdered } from './orderedPool';
import type { Level, ServerResource } from './resources';

/** What the read needs from the crawl. */
export interface TagsReadContext {
  getJson(path: string): Promise<unknown>;
  concurrency: number;
  /** The IDs of a level's list, when this load has read it. */
  listed: ReadonlyMap<Level, ReadonlySet<string>>;
  /** Records a request that failed; throws if the load cannot go on. */
  skip(path: string, error: unknown): void;
  /** Adds a note on the resource's table to the load's summary. */
  note(note: string): void;
}

/** Failures in a row, other than a refused or lost series, that end it. */
const MAX_FAILURES_IN_A_ROW = 3;

interface SeriesAnswer {
  path: string;
  body?: unknown;
  error?: unknown;
}

/** The request for one series' tags. */
function seriesTagsPath(resource: ServerResource, id: string): string {
  const template = resource.itemPath ?? `${resource.path}/{id}`;
  return template.replace('{id}', encodeURIComponent(id));
}

/** A refusal or a loss that concerns one series, not the server. */
function aboutOneSeries(error: unknown): boolean {
  if (error instanceof OrthancError) {
    return error.code === 'forbidden' || error.code === 'not_found';
  }
  return error instanceof WarehouseError && error.code === 'bad_response';
}

export async function* readInstancesTags(
  resource: ServerResource,
  context: TagsReadContext,
): AsyncGenerator<JsonObject[], void, undefined> {
  const listed = context.listed.get('series');
  const ids = listed
    ? [...listed]
    : expectIdList(await context.getJson('/series'), '/series');

  const read = async (id: string): Promise<SeriesAnswer> => {
    const path = seriesTagsPath(resource, id);
    try {
      return { path, body: await context.getJson(path) };
    } catch (error) {
      return { path, error };
    }
  };

  const seen = new Set<string>();
  let index = 0;
  let skipped = 0;
  let failuresInARow = 0;
  for await (const settled of mapOrdered(ids, context.concurrency, read)) {
    const seriesId = ids[index++] ?? '';
    if (!settled.ok) throw settled.error;
    const answer = settled.value;
    let rows: JsonObject[] | null = null;
    let error = answer.error;
    if (error === undefined) {
      try {
        rows = seriesTagsRows(seriesId, answer.body, answer.path);
      } catch (bad) {
        error = bad;
      }
    }

    if (rows === null) {
      const local = aboutOneSeries(error);
      if (!local && ++failuresInARow >= MAX_FAILURES_IN_A_ROW) throw error;
      context.skip(answer.path, error);
      skipped++;
      continue;
    }
    failuresInARow = 0;
    const fresh = rows.filter((row) => !seen.has(row.id as string));
    for (const row of fresh) seen.add(row.id as string);
    if (fresh.length > 0) yield fresh;
  }

  if (skipped > 0) {
    context.note(
      `${skipped} of ${ids.length} series could not be read and were ` +
        'skipped (see _crawl_errors); their instances are not in the table.',
    );
  }
}
