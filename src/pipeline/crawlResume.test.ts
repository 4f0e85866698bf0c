// A full load that stops part-way and resumes from its last checkpoint,
// replaying a real Orthanc 1.10.1: the server answers 502 to everything
// once a number of pages went through (as a proxy whose upstream died),
// the crawl fails, and a second crawl goes on from what the warehouse
// would have kept. The two together must hold exactly what one crawl
// without faults gives, and the pages done must not be asked for again.

import { describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import type { CrawlOptions } from './crawl';
import {
  type CrawlCheckpoint,
  checkpointProgress,
  pageKey,
} from './crawlCheckpoint';
import type { CrawlEvent } from './crawlEvents';
import { collectCrawl } from './fixtures/collectCrawl';
import {
  BASE,
  crawlEvents as run,
  dyingServer,
  fixtures,
  isPage,
} from './fixtures/dyingServer';
import {
  isLevelResource,
  type Level,
  type LevelResource,
  selectResources,
} from './resources';
import type { Row } from './rows';
import type { TableSchema } from './schema';

const options: Partial<CrawlOptions> = { concurrency: 1, retries: 0 };

/** The levels' detail resources, whose tables the pages fill. */
const paged = selectResources().filter(
  (r): r is LevelResource => isLevelResource(r) && r.paging === 'offset',
);

/** Tables and rows as the warehouse holds them after `events`. */
class Staging {
  readonly tables = new Map<string, TableSchema>();
  readonly rows = new Map<string, Row[]>();

  apply(event: CrawlEvent): void {
    if (event.type === 'table')
      this.tables.set(event.schema.name, event.schema);
    if (event.type === 'rows') {
      this.rows.set(event.table, [
        ...(this.rows.get(event.table) ?? []),
        ...event.rows,
      ]);
    }
    if (event.type === 'retract') {
      const gone = new Set(event.ids);
      const roots = this.rows.get(event.table) ?? [];
      const rootIds = new Set(
        roots
          .filter((r) => gone.has(r.get('id') as string))
          .map((r) => r.get('_dlt_id')),
      );
      this.rows.set(
        event.table,
        roots.filter((r) => !gone.has(r.get('id') as string)),
      );
      for (const schema of this.tables.values()) {
        if (schema.parent !== event.table) continue;
        const children = this.rows.get(schema.name) ?? [];
        this.rows.set(
          schema.name,
          children.filter((r) => !rootIds.has(r.get('_dlt_root_id'))),
        );
      }
    }
  }

  /** Only the tables the pages fill, as a load that resumes keeps them. */
  keep(checkpoint: CrawlCheckpoint): void {
    const kept = new Set(checkpoint.pagedTables);
    for (const [name, schema] of this.tables) {
      if (kept.has(schema.parent ?? name)) continue;
      this.tables.delete(name);
      this.rows.delete(name);
    }
  }
}

/** A row as comparable text; `_dlt_id` left out where it is random. */
function rowText(row: Row, random: boolean): string {
  const cells = [...row.entries()]
    .filter(([name]) => !(random && name === '_dlt_id'))
    .map(([name, value]) => `${name}=${String(value)}`)
    .sort();
  return cells.join('|');
}

function contents(staging: Staging): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, schema] of staging.tables) {
    const random =
      schema.parent === undefined && schema.primaryKey.length === 0;
    out[name] = (staging.rows.get(name) ?? [])
      .map((row) => rowText(row, random))
      .sort();
  }
  return out;
}

describe('a crawl that stops and resumes from its checkpoint', () => {
  // 23 pages in all: the last case fails on the ID lists, after them
  for (const pagesBefore of [1, 7, 12, 23]) {
    it(`equals one crawl without faults, failing after ${pagesBefore} pages`, async () => {
      const clean = replayFetch(BASE, fixtures);
      const reference = await collectCrawl(clean.fetch, options);
      const fullPages = clean.requests.map((r) => r.path).filter(isPage);

      // the load that fails
      const dying = dyingServer(pagesBefore);
      const failed = await run(dying.fetch);
      expect(failed.error).not.toBeNull();
      const last = failed.events.findLastIndex((e) => e.type === 'checkpoint');
      const event = failed.events[last];
      if (event?.type !== 'checkpoint') throw new Error('no checkpoint');
      const { checkpoint } = event;
      const staging = new Staging();
      for (const e of failed.events.slice(0, last + 1)) staging.apply(e);
      staging.keep(checkpoint);
      expect(checkpoint.pages).toHaveLength(pagesBefore);

      // the load that resumes, against the server back up
      const seen: Partial<Record<Level, string[]>> = {};
      for (const resource of paged) {
        seen[resource.level] = (staging.rows.get(resource.table) ?? []).map(
          (row) => row.get('id') as string,
        );
      }
      const healthy = replayFetch(BASE, fixtures);
      const resumed = await run(healthy.fetch, {
        resume: { checkpoint, seen },
        schema: checkpoint.schema,
      });
      expect(resumed.error).toBeNull();
      for (const e of resumed.events) staging.apply(e);

      // no page done before is asked for again; every other one is
      const asked = healthy.requests.map((r) => r.path).filter(isPage);
      const done = dying.replay.requests
        .map((r) => r.path)
        .filter(isPage)
        .slice(0, checkpoint.pages.length);
      expect(asked.filter((path) => done.includes(path))).toEqual([]);
      expect([...done, ...asked].sort()).toEqual([...fullPages].sort());

      // the same tables, columns and rows as the crawl without faults
      const expected = new Staging();
      for (const e of reference.events) expected.apply(e);
      expect(contents(staging)).toEqual(contents(expected));
      for (const [name, schema] of expected.tables) {
        expect(
          staging.tables.get(name)?.columns.map((c) => c.name),
          name,
        ).toEqual(schema.columns.map((c) => c.name));
      }
    });
  }

  it('hands out a checkpoint every few batches of rows and after each resource', async () => {
    const pagesAt = async (extra: Partial<CrawlOptions>) => {
      const { events } = await run(replayFetch(BASE, fixtures).fetch, extra);
      return events.flatMap((e) =>
        e.type === 'checkpoint' ? [e.checkpoint.pages.length] : [],
      );
    };
    // 5, 5, 6 and 7 pages; the default, four 2,000-row batches: only
    // at the resources' ends
    expect(await pagesAt({ checkpointRows: 8000 })).toEqual([5, 10, 16, 23]);
    // every 4 rows: a checkpoint after most pages
    const often = await pagesAt({ checkpointRows: 4 });
    expect(often.length).toBeGreaterThan(4);
    expect(often).toEqual([...often].sort((a, b) => a - b));
    expect(often).toEqual(expect.arrayContaining([5, 10, 16, 23]));
  });

  it('names pages by resource and offset, and counts what is done', async () => {
    const failed = await run(dyingServer(7).fetch);
    const checkpoint = failed.events
      .filter((e) => e.type === 'checkpoint')
      .at(-1)?.checkpoint;
    expect(checkpoint?.pages).toEqual([
      ...[0, 2, 4, 6, 8].map((since) => pageKey('patients_detail', since)),
      pageKey('studies_detail', 0),
      pageKey('studies_detail', 2),
    ]);
    expect(checkpoint && checkpointProgress(checkpoint)).toEqual({
      resourcesDone: 1,
      pagesDone: 7,
      pagesPlanned: 5 + 5 + 6 + 7,
    });
    expect(checkpoint?.pagedTables).toEqual(paged.map((r) => r.table));
    expect(checkpoint?.statistics.instances).toBe(12);
  });
});
