// The benchmark's naive strategy (crawlPlan.ts) must load what the paged
// crawl loads, through the same normalizing, with other requests only:
// the ID lists, then each resource's detail. The captured servers hold
// one resource's detail per level; the others' details are the items of
// the captured expanded pages, which Orthanc builds the same way (the
// test checks that on the captured ones).

import { describe, expect, it } from 'vitest';

import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import type { CrawlStrategy } from './crawlPlan';
import { collectCrawl, testConnection } from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';
import type { Row } from './rows';

const LEVELS = ['patients', 'studies', 'series', 'instances'] as const;
const RESOURCES = LEVELS.flatMap((level) => [level, `${level}_detail`]);

type Json = Record<string, unknown>;

/** Each item of the expanded pages, as its own detail request. */
function detailResponses(fixtures: CapturedResponse[]): CapturedResponse[] {
  const out: CapturedResponse[] = [];
  for (const level of LEVELS) {
    const pages = fixtures.filter((f) =>
      f.request.startsWith(`/${level}?expand&since=`),
    );
    for (const item of pages.flatMap((f) => f.body as Json[])) {
      out.push({
        request: `/${level}/${String(item.ID)}`,
        status: 200,
        body: item,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    }
  }
  return out;
}

function cellText(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
}

/** A table's rows as sorted text, whatever order they came in. */
function rowTexts(rows: Row[] | undefined): string[] {
  return (rows ?? [])
    .map((row) =>
      [...row.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => `${name}=${cellText(value)}`)
        .join(' '),
    )
    .sort();
}

async function load(fixtures: CapturedResponse[], strategy: CrawlStrategy) {
  const replay = replayFetch(testConnection.baseUrl, fixtures);
  const collected = await collectCrawl(replay.fetch, {
    resources: RESOURCES,
    strategy,
  });
  const tables = new Map(
    [...collected.tables.values()].map((schema) => [
      schema.name,
      {
        columns: schema.columns.map((c) => `${c.name} ${c.type}`).sort(),
        rows: rowTexts(collected.rows.get(schema.name)),
      },
    ]),
  );
  return { tables, paths: replay.requests.map((r) => r.path) };
}

describe.each(['1.10.1', '1.12.7'])('naive crawl of Orthanc %s', (version) => {
  const captured = loadFixtures(version);
  const details = detailResponses(captured);
  const fixtures = [...captured, ...details];

  it('gets from a detail request what the expanded pages hold', () => {
    for (const level of LEVELS) {
      const one = captured.find(
        (f) =>
          f.status === 200 &&
          /^\/\w+\/[^/?]+$/.test(f.request) &&
          f.request.startsWith(`/${level}/`),
      );
      const paged = details.find((f) => f.request === one?.request);
      expect(one?.body).toBeDefined();
      expect(paged?.body).toEqual(one?.body);
    }
  });

  it('loads the same tables as the paged crawl', async () => {
    const paged = await load(fixtures, 'paged');
    const naive = await load(fixtures, 'naive');

    expect([...naive.tables.keys()].sort()).toEqual(
      [...paged.tables.keys()].sort(),
    );
    for (const [name, table] of paged.tables) {
      expect(naive.tables.get(name), name).toEqual(table);
    }
    expect(paged.tables.get('instances_detail')?.rows).toHaveLength(12);
  });

  it('requests the ID lists, then each resource once, and no page', async () => {
    const { paths } = await load(fixtures, 'naive');

    expect(paths.filter((p) => p.includes('expand'))).toEqual([]);
    const detailPaths = paths.filter((p) => /^\/\w+\/[^/?]+$/.test(p));
    expect(detailPaths.sort()).toEqual(details.map((d) => d.request).sort());
    for (const level of LEVELS) {
      const listAt = paths.indexOf(`/${level}`);
      const firstDetail = paths.findIndex((p) => p.startsWith(`/${level}/`));
      expect(listAt).toBeGreaterThanOrEqual(0);
      expect(listAt).toBeLessThan(firstDetail);
    }
  });
});
