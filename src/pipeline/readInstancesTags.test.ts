import { describe, expect, it } from 'vitest';
import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import type { CrawlOptions } from './crawl';
import { collectCrawl, testConnection } from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';
import type { Row } from './rows';

type Json = Record<string, unknown>;

function answer(fixtures: CapturedResponse[], request: string): unknown {
  const found = fixtures.find((f) => f.request === request);
  if (!found) throw new Error(`no fixture for ${request}`);
  return found.body;
}

function tagsPath(seriesId: string): string {
  return `/series/${seriesId}/instances-tags?full`;
}

async function run(
  fixtures: CapturedResponse[],
  options: Partial<CrawlOptions> = {},
) {
  const replay = replayFetch(testConnection.baseUrl, fixtures);
  const collected = await collectCrawl(replay.fetch, {
    resources: ['instances_tags'],
    ...options,
  });
  return { ...collected, requests: replay.requests.map((r) => r.path) };
}

function column(rows: Row[] | undefined, name: string): unknown[] {
  return (rows ?? []).map((r) => r.get(name));
}

for (const version of ['1.10.1', '1.12.7']) {
  describe(`instances_tags, replaying a real Orthanc ${version}`, () => {
    const fixtures = loadFixtures(version);
    const series = answer(fixtures, '/series') as string[];
    const instances = answer(fixtures, '/instances') as string[];

    it('reads every series once and loads one row per instance', async () => {
      const { rows, tables, result, requests } = await run(fixtures, {
        concurrency: 4,
      });

      // the series list is read for the requests and fills no table
      expect(requests).toEqual([
        '/statistics',
        '/series',
        ...series.map(tagsPath),
      ]);
      expect(tables.has('series')).toBe(false);
      expect([...tables.keys()].sort()).toEqual([
        '_crawl_errors',
        'instances_tags',
      ]);
      const ids = column(rows.get('instances_tags'), 'id');
      expect([...ids].sort()).toEqual([...instances].sort());
      expect(
        new Set(column(rows.get('instances_tags'), 'parent_series')),
      ).toEqual(new Set(series));
      expect(result.resources).toEqual(['instances_tags']);
      expect(result.notes).toEqual([]);
    });

    it('takes the series from the list the load reads anyway', async () => {
      const { requests, rows, result } = await run(fixtures, {
        resources: ['series', 'instances_tags'],
      });
      expect(requests.filter((p) => p === '/series')).toHaveLength(1);
      expect(requests.filter((p) => p.endsWith('instances-tags?full'))).toEqual(
        series.map(tagsPath),
      );
      expect(column(rows.get('series'), 'value')).toEqual(series);
      expect(result.resources).toEqual(['series', 'instances_tags']);
    });

    it('records a refused and a vanished series and loads the rest (C02, C04)', async () => {
      const [refused, vanished] = series;
      if (refused === undefined || vanished === undefined) {
        throw new Error('the fixtures need two series');
      }
      const refusedBody = answer(fixtures, tagsPath(refused)) as Json;
      const vanishedBody = answer(fixtures, tagsPath(vanished)) as Json;
      const lost = new Set([
        ...Object.keys(refusedBody),
        ...Object.keys(vanishedBody),
      ]);
      const changed = fixtures.map((f): CapturedResponse => {
        if (f.request === tagsPath(refused)) {
          return { request: f.request, status: 403, body: null, text: '' };
        }
        if (f.request === tagsPath(vanished)) {
          return { request: f.request, status: 404, body: null, text: '' };
        }
        return f;
      });

      const { rows, result } = await run(changed);

      const errors = rows.get('_crawl_errors') ?? [];
      expect(errors.map((e) => [e.get('resource'), e.get('path')])).toEqual([
        ['instances_tags', tagsPath(refused)],
        ['instances_tags', tagsPath(vanished)],
      ]);
      expect(column(errors, 'status')).toEqual([403n, 404n]);
      expect(column(errors, 'code')).toEqual(['forbidden', 'not_found']);
      const ids = column(rows.get('instances_tags'), 'id');
      expect([...ids].sort()).toEqual(
        instances.filter((id) => !lost.has(id)).sort(),
      );
      expect(result.notes).toContainEqual({
        table: 'instances_tags',
        note:
          `2 of ${series.length} series could not be read and were ` +
          'skipped (see _crawl_errors); their instances are not in the ' +
          'table.',
      });
    });

    it('stops reading when the server fails series after series', async () => {
      const failing = new Set(series.slice(2, 5).map(tagsPath));
      const changed = fixtures.map((f): CapturedResponse =>
        failing.has(f.request)
          ? { request: f.request, status: 500, body: null, text: '' }
          : f,
      );

      const { rows, result } = await run(changed, {
        retries: 0,
        concurrency: 1,
      });

      const read = series
        .slice(0, 2)
        .flatMap((id) => Object.keys(answer(fixtures, tagsPath(id)) as Json));
      expect(column(rows.get('instances_tags'), 'id')).toEqual(read);
      expect(column(rows.get('_crawl_errors'), 'path')).toEqual([...failing]);
      expect(result.notes.map((n) => n.note)).toContainEqual(
        expect.stringMatching(
          new RegExp(`^Reading .* failed .* holds the ${read.length} rows`),
        ),
      );
    });

    it('loads the tag cases: flags, types and nested child tables', async () => {
      const cases = fixtures.find(
        (f) =>
          f.request.endsWith('instances-tags?full') &&
          Object.keys(f.body as Json).length === 5,
      );
      const casesSeries = /^\/series\/([^/]+)\//.exec(
        cases?.request ?? '',
      )?.[1];
      if (casesSeries === undefined) throw new Error('no tag cases captured');
      const withCases = fixtures.map((f): CapturedResponse =>
        f.request === '/series' ? { ...f, body: [...series, casesSeries] } : f,
      );

      const { rows, tables } = await run(withCases);

      const tagged = (rows.get('instances_tags') ?? []).filter(
        (r) => r.get('parent_series') === casesSeries,
      );
      expect(tagged).toHaveLength(5);
      const flagged = tagged.filter((r) => r.get('image_comments__too_long'));
      expect(flagged.map((r) => r.get('instance_number')).sort()).toEqual([
        '1',
        '2',
      ]);
      const nested = [...tables.values()].filter((t) =>
        t.name.startsWith('instances_tags__referenced_study_sequence'),
      );
      expect(nested).toHaveLength(5);
      for (const table of nested) {
        expect(table.parent).toBe('instances_tags');
        expect(rows.get(table.name)).toHaveLength(1);
      }
    });
  });
}
