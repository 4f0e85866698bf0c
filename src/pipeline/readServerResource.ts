// Reads what an Orthanc holds besides its DICOM resources (see
// ServerResource in resources.ts) into plain objects, one per future root
// row, a page at a time. It does not normalize or buffer: the crawl does
// that, as for the levels. Each shape of answer is one case here.
//
// Logs paged by Seq are read up to the Seq that `?last` gives at the
// start (or that the run took when it began), never further: a server
// that keeps logging would otherwise keep the crawl going for ever (case
// C05). A sync reads them from the cursor an earlier load left; a log
// that now ends below it was reset and is read from the start. A page
// whose `Last` is below the `since` asked for means the log was reset
// during the read: it stops there with a note rather than start over.

import {
  expectIdList,
  expectLogPage,
  expectObject,
  expectObjectList,
  isObject,
  type JsonObject,
} from '../orthanc/guards';
import { OrthancError } from '../orthanc/orthancError';
import { mapOrdered } from './orderedPool';
import { parsePrometheusText } from './prometheusText';
import { readInstancesTags, type TagsReadContext } from './readInstancesTags';
import type { ServerResource } from './resources';

/** What a reader needs from the crawl; `note` adds a note on the
 *  resource's table to the load's summary. */
export interface ReadContext extends TagsReadContext {
  getText(path: string): Promise<string>;
  pageSize: number;
  /** For a log: where to read, when not the whole log up to `?last`. */
  range?: LogRange;
}

/**
 * Part of a log: the entries after `since` (a cursor an earlier load
 * left) up to `stop` (a `?last` taken when the run began, so that the
 * log matches the resources read). `arrived` hears how many entries came
 * in during the run, instead of a note.
 */
export interface LogRange {
  since: number;
  stop?: number;
  arrived?: (count: number) => void;
}

type Rows = AsyncGenerator<JsonObject[], void, undefined>;

/** The request path of a server resource, query included. */
export function resourcePath(resource: ServerResource): string {
  return resource.query ? `${resource.path}?${resource.query}` : resource.path;
}

/** The objects of `resource`, in the order the server gives them. */
export async function* readServerResource(
  resource: ServerResource,
  context: ReadContext,
): Rows {
  const path = resourcePath(resource);
  switch (resource.yields) {
    case 'named':
      yield namedRows(await context.getJson(path), path);
      return;
    case 'log':
      yield* readLog(resource, context);
      return;
    case 'answers':
      yield* readAnswers(resource, context);
      return;
    case 'metrics':
      yield metricRows(await context.getText(path), context);
      return;
    case 'tags':
      yield* readInstancesTags(resource, context);
      return;
  }
}

/**
 * `{"pacs-1": {...}, "PACS_1": {...}}` as rows with a `name` column. An
 * array of names, as `/modalities` without `expand` answers, gives rows
 * with the name alone.
 */
function namedRows(body: unknown, path: string): JsonObject[] {
  if (Array.isArray(body)) {
    return expectIdList(body, path).map((name) => ({ name }));
  }
  // `name` comes first, so that it owns the declared column even if the
  // object has a key that normalizes alike (`Name`)
  return Object.entries(expectObject(body, path)).map(([name, value]) =>
    isObject(value) ? { name, ...value } : { name, value },
  );
}

async function* readLog(resource: ServerResource, context: ReadContext): Rows {
  const key = resource.entriesKey ?? '';
  const lastPath = `${resource.path}?last`;
  const range = context.range;
  let stop = range?.stop;
  let last = stop ?? 0;
  if (stop === undefined) {
    const start = expectLogPage(await context.getJson(lastPath), lastPath, key);
    last = start.last;
    // an empty log has no last entry, whatever `Last` says
    stop = start.entries.length > 0 ? start.last : 0;
  }

  const seen = new Set<number>();
  let since = range?.since ?? 0;
  if (last < since) {
    context.note(
      `The log was reset (it now ends at Seq ${last}, below the ${since} ` +
        'read before): it is read again from the start.',
    );
    since = 0;
  }
  while (since < stop) {
    const path = `${resource.path}?since=${since}&limit=${context.pageSize}`;
    const page = expectLogPage(await context.getJson(path), path, key);
    if (page.entries.length === 0) {
      if (page.last < since) {
        context.note(
          `The log was reset during the load (it now ends at Seq ` +
            `${page.last}, below the ${since} already read): the table ` +
            `holds the ${seen.size} entries read before; load again for ` +
            'the new log.',
        );
        return;
      }
      // entries up to `stop` may have gone with deleted resources
      break;
    }

    let next = since;
    const rows: JsonObject[] = [];
    for (const entry of page.entries) {
      const seq = entry.Seq as number;
      next = Math.max(next, seq);
      if (seq <= since || seq > stop || seen.has(seq)) continue;
      seen.add(seq);
      rows.push(entry);
    }
    if (rows.length > 0) yield rows;
    if (next <= since) {
      context.note(
        `The server answered ${path} with entries at or before Seq ` +
          `${since}; the read stopped there.`,
      );
      break;
    }
    since = next;
    if (page.done) break;
  }

  if (stop === 0) return;
  const end = expectLogPage(await context.getJson(lastPath), lastPath, key);
  const arrived = end.entries.length > 0 ? Math.max(0, end.last - stop) : 0;
  if (range?.arrived) {
    range.arrived(arrived);
  } else if (arrived > 0) {
    context.note(
      `Entries up to Seq ${stop} were loaded; ${end.last - stop} more ` +
        'arrived during the load and are left for the next one.',
    );
  }
}

async function* readAnswers(
  resource: ServerResource,
  context: ReadContext,
): Rows {
  const ids = expectIdList(await context.getJson(resource.path), resource.path);
  const template = resource.itemPath ?? `${resource.path}/{id}`;
  let expired = 0;

  const read = async (id: string) => {
    const path = template.replace('{id}', encodeURIComponent(id));
    return expectObjectList(await context.getJson(path), path);
  };
  let index = 0;
  for await (const settled of mapOrdered(ids, context.concurrency, read)) {
    const id = ids[index++] ?? '';
    if (!settled.ok) {
      // Orthanc keeps the last queries only: an older one is gone
      const gone =
        settled.error instanceof OrthancError &&
        settled.error.code === 'not_found';
      if (!gone) throw settled.error;
      expired++;
      continue;
    }
    yield settled.value.map((answer, answerIndex) => ({
      query_id: id,
      answer_index: answerIndex,
      ...answer,
    }));
  }

  if (expired > 0) {
    context.note(
      `${expired} of ${ids.length} queries had expired on the server ` +
        '(404) and were skipped.',
    );
  }
}

function metricRows(text: string, context: ReadContext): JsonObject[] {
  const { samples, unreadable } = parsePrometheusText(text);
  if (unreadable > 0) {
    context.note(`${unreadable} lines of the metrics could not be read.`);
  }
  return samples.map((sample) => ({ ...sample }));
}
