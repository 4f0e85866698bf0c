import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import {
  type CapturedResponse,
  replayFetch,
  type ReplayOptions,
} from '../orthanc/replayFetch';
import { crawl, type CrawlOptions } from './crawl';
import type { CrawlEvent } from './crawlEvents';
import type { Row } from './rows';
import { collectCrawl, testConnection } from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';

const BASE = testConnection.baseUrl;
const connection = testConnection;
type Json = Record<string, unknown>;

function byRequest(
  fixtures: CapturedResponse[],
  request: string,
): CapturedResponse {
  const found = fixtures.find((f) => f.request === request);
  if (!found) throw new Error(`no fixture for ${request}`);
  return found;
}

/** Every resource of a level, in the order of the captured pages. */
function allItems(fixtures: CapturedResponse[], level: string): Json[] {
  const since = (f: CapturedResponse) =>
    Number(/since=(\d+)/.exec(f.request)?.[1]);
  return fixtures
    .filter((f) => f.request.startsWith(`/${level}?expand&since=`))
    .sort((a, b) => since(a) - since(b))
    .flatMap((f) => f.body as Json[]);
}

async function run(
  fixtures: Iterable<CapturedResponse>,
  options: Partial<CrawlOptions> = {},
  replayOptions: ReplayOptions = {},
) {
  const replay = replayFetch(BASE, fixtures, replayOptions);
  return { replay, ...(await collectCrawl(replay.fetch, options)) };
}

function column(rows: Row[] | undefined, name: string): unknown[] {
  return (rows ?? []).map((r) => r.get(name));
}

describe('crawl, replaying a real Orthanc 1.10.1', () => {
  const fixtures = loadFixtures('1.10.1');

  it('loads every level with details matching the ID lists', async () => {
    const { replay, result, rows, tables } = await run(fixtures);

    for (const [level, count] of [
      ['patients', 7],
      ['studies', 7],
      ['series', 9],
      ['instances', 12],
    ] as const) {
      const ids = column(rows.get(level), 'value');
      const detailIds = column(rows.get(`${level}_detail`), 'id');
      expect(ids).toHaveLength(count);
      expect(new Set(detailIds)).toEqual(new Set(ids));
      expect(detailIds).toHaveLength(count);
      expect(result.rows[`${level}_detail`]).toBe(count);
    }

    expect(
      new Set(
        column(rows.get('patients_detail'), 'main_dicom_tags__patient_name'),
      ),
    ).toEqual(
      new Set([
        'قباني^لنزار',
        'Äneas^Rüdiger',
        'Διονυσιος',
        'Люкceмбypг',
        'Yamada^Tarou=山田^太郎=やまだ^たろう',
        'Wang^XiaoDong=王^小东=',
        'Müller^Åse',
      ]),
    );
    expect(tables.get('series_detail__instances')?.parent).toBe(
      'series_detail',
    );
    expect(tables.get('_crawl_errors')?.columns.map((c) => c.name)).toEqual([
      'resource',
      'path',
      'status',
      'code',
      'message',
    ]);
    // 1.10.1 has no labels: their tables exist, empty, and say why
    const labelTables = [
      'patients_detail__labels',
      'studies_detail__labels',
      'series_detail__labels',
      'instances_detail__labels',
    ];
    for (const table of labelTables) {
      expect(tables.get(table)?.columns.map((c) => c.name)).toEqual([
        'value',
        '_dlt_root_id',
        '_dlt_parent_id',
        '_dlt_list_idx',
        '_dlt_id',
      ]);
      expect(result.rows[table]).toBe(0);
    }
    expect(result.notes).toEqual(
      labelTables.map((table) => ({
        table,
        note: 'The server has no labels: Orthanc has them from version 1.12.0.',
      })),
    );
    expect(result.requests).toBe(replay.requests.length);
  });

  it('counts rows in its progress as they are normalized', async () => {
    // The fixtures are far below one batch, so no rows leave before the
    // end; the progress must still show them growing page by page.
    const { events } = await run(fixtures);
    const counts = events.flatMap((e) =>
      e.type === 'progress' ? [e.progress.rows] : [],
    );
    const firstBatch = events.findIndex((e) => e.type === 'rows');
    const before = events
      .slice(0, firstBatch)
      .flatMap((e) => (e.type === 'progress' ? [e.progress.rows] : []));
    expect(Math.max(...before)).toBeGreaterThan(0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('links child rows to their parents and to the levels below', async () => {
    const { rows } = await run(fixtures);
    const studies = rows.get('studies_detail') ?? [];
    const studyIds = new Map(
      studies.map((s) => [s.get('_dlt_id'), s.get('id')]),
    );
    const links = rows.get('studies_detail__series') ?? [];

    for (const link of links) {
      expect(studyIds.has(link.get('_dlt_parent_id'))).toBe(true);
    }
    // each series row's parent study lists that series
    for (const series of rows.get('series_detail') ?? []) {
      const listed = links.filter((l) => l.get('value') === series.get('id'));
      expect(listed).toHaveLength(1);
      expect(studyIds.get(listed[0]?.get('_dlt_parent_id'))).toBe(
        series.get('parent_study'),
      );
    }
  });

  it('always sends since and limit together, never limit=0, and stops on an empty page', async () => {
    const { replay } = await run(fixtures);
    const paths = replay.requests.map((r) => r.path);

    expect(paths[0]).toBe('/statistics');
    // the change log's end, before the levels: a sync goes on from there
    expect(paths[1]).toBe('/changes?last');
    const levels = ['/patients', '/studies', '/series', '/instances'];
    const pages = paths.filter(
      (p) => p.includes('expand') && levels.some((l) => p.startsWith(l)),
    );
    expect(pages).toHaveLength(5 + 5 + 6 + 7);
    for (const page of pages) {
      expect(page).toMatch(/\?expand&since=\d+&limit=2$/);
    }
    // the logs page by Seq, with both parameters too
    for (const page of paths.filter((p) => /^\/(changes|exports)\?s/.test(p))) {
      expect(page).toMatch(/\?since=\d+&limit=2$/);
    }
    // 7 patients: pages at 0, 2, 4, 6, then the empty page at 8 ends it
    expect(pages.filter((p) => p.startsWith('/patients'))).toEqual([
      '/patients?expand&since=0&limit=2',
      '/patients?expand&since=2&limit=2',
      '/patients?expand&since=4&limit=2',
      '/patients?expand&since=6&limit=2',
      '/patients?expand&since=8&limit=2',
    ]);
    // the ID lists right after the last page, then the other resources
    const lists = paths.indexOf('/patients');
    expect(lists).toBe(paths.lastIndexOf(pages.at(-1) ?? '') + 1);
    expect(paths.slice(lists, lists + 4)).toEqual(levels);
    expect(paths.slice(lists + 4, lists + 6)).toEqual([
      '/modalities?expand',
      '/changes?since=0&limit=2',
    ]);
    expect(paths.at(-1)).toBe('/tools/metrics-prometheus');
    for (const request of replay.requests) {
      expect(request.authorization).toBe('Basic ZGVtbzpkZW1v');
    }
  });

  it('reads on past a stale total until a page comes back empty', async () => {
    // /statistics was read before two patients arrived
    const stale = structuredClone(byRequest(fixtures, '/statistics'));
    (stale.body as Json).CountPatients = 5;
    const replaced = fixtures.map((f) =>
      f.request === '/statistics' ? stale : f,
    );

    const { replay, rows } = await run(replaced);

    expect(column(rows.get('patients_detail'), 'id')).toHaveLength(7);
    expect(
      replay.requests
        .map((r) => r.path)
        .filter((p) => p.startsWith('/patients?')),
    ).toEqual([
      '/patients?expand&since=0&limit=2',
      '/patients?expand&since=2&limit=2',
      '/patients?expand&since=4&limit=2',
      '/patients?expand&since=6&limit=2',
      '/patients?expand&since=8&limit=2',
    ]);
  });

  it('recovers resources skipped when a deletion shifts the pages', async () => {
    // Orthanc pages by offset: once the first patient is deleted, every
    // later page starts one patient further on, and the third patient is
    // on no page at all (case C04)
    const patients = allItems(fixtures, 'patients');
    const deleted = patients[0]?.ID as string;
    const skipped = patients[2]?.ID as string;
    const after = patients.slice(1);
    const replay: CapturedResponse[] = fixtures.filter(
      (f) => !f.request.startsWith('/patients'),
    );
    replay.push(byRequest(fixtures, '/patients?expand&since=0&limit=2'));
    for (let since = 2; since <= 8; since += 2) {
      replay.push({
        request: `/patients?expand&since=${since}&limit=2`,
        status: 200,
        body: after.slice(since, since + 2),
      });
    }
    replay.push({
      request: '/patients',
      status: 200,
      body: after.map((p) => p.ID),
    });
    // the single-resource answer is the same object as in the expanded list
    for (const patient of after) {
      replay.push({
        request: `/patients/${String(patient.ID)}`,
        status: 200,
        body: patient,
      });
    }

    const { rows, result } = await run(replay);
    const ids = column(rows.get('patients_detail'), 'id');

    expect(ids).toContain(skipped);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(after.map((p) => p.ID)));
    expect(ids).not.toContain(deleted);
    const studyLinks = rows.get('patients_detail__studies') ?? [];
    const kept = new Set(
      (rows.get('patients_detail') ?? []).map((row) => row.get('_dlt_id')),
    );
    expect(studyLinks.length).toBeGreaterThan(0);
    expect(studyLinks.every((row) => kept.has(row.get('_dlt_root_id')))).toBe(
      true,
    );
    expect(result.notes.filter((n) => n.table === 'patients_detail')).toEqual([
      {
        table: 'patients_detail',
        note: '1 patients missing from the pages were fetched one by one.',
      },
      {
        table: 'patients_detail',
        note: '1 patients were deleted during the load and left out.',
      },
    ]);
  });

  it('stops reading on when the server never stops growing', async () => {
    // A server still receiving: every page past the total is full of new
    // patients. The crawl takes what it can and leaves the rest.
    const template = allItems(fixtures, 'patients')[0] ?? {};
    const total = allItems(fixtures, 'patients').length;
    const replay = replayFetch(BASE, fixtures);
    let fresh = 0;
    const growing: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const since = Number(url.searchParams.get('since') ?? -1);
      if (url.pathname.endsWith('/patients') && since >= total) {
        const page = [fresh++, fresh++].map((n) => ({
          ...template,
          ID: `new-${n}`,
        }));
        return Promise.resolve(
          new Response(JSON.stringify(page), {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          }),
        );
      }
      return replay.fetch(input, init);
    };

    const { result } = await run(fixtures, {
      fetch: growing,
      resources: ['patients_detail', 'patients'],
    });

    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(4 * total);
    expect(result.notes.map((n) => n.note)).toContain(
      'The server kept receiving patients during the load; those that ' +
        'came last are left for the next load.',
    );
  });

  it('skips a page the proxy cannot get, records it, and loads the rest', async () => {
    const failing = '/studies?expand&since=2&limit=2';
    const replay = fixtures.map((f) =>
      f.request === failing
        ? {
            request: failing,
            status: 502,
            body: null,
            text: JSON.stringify({
              ProxyError: 'reset',
              Message: 'The connection to Orthanc was reset.',
            }),
            headers: { 'X-Proxy-Error': 'reset' },
          }
        : f,
    );

    // the studies of that page are then fetched one by one
    for (const study of allItems(fixtures, 'studies')) {
      replay.push({
        request: `/studies/${String(study.ID)}`,
        status: 200,
        body: study,
      });
    }

    const { rows, result, replay: played } = await run(replay, { retries: 2 });

    expect(played.requests.filter((r) => r.path === failing)).toHaveLength(3);
    const errors = rows.get('_crawl_errors') ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.get('path')).toBe(failing);
    expect(errors[0]?.get('status')).toBe(502n);
    expect(errors[0]?.get('code')).toBe('network');
    expect(errors[0]?.get('message')).toBe(
      'The connection to Orthanc was reset.',
    );
    // the two studies of that page come back through the ID list
    expect(column(rows.get('studies_detail'), 'id')).toHaveLength(7);
    expect(result.notes).toContainEqual({
      table: 'studies_detail',
      note: '2 studies missing from the pages were fetched one by one.',
    });
    expect(result.rows.instances_detail).toBe(12);
    expect(result.notes.map((n) => n.table)).toContain('_crawl_errors');
  });

  it('stops at once when the credentials are refused', async () => {
    const unauthorized = JSON.parse(
      readFileSync(
        new URL('./fixtures/orthanc-1.10.1/unauthorized.json', import.meta.url),
        'utf8',
      ),
    ) as CapturedResponse;
    const replay = replayFetch(BASE, [
      { ...unauthorized, request: '/statistics' },
    ]);
    const generator = crawl(connection, {
      loadId: 'x',
      pageSize: 2,
      concurrency: 2,
      fetch: replay.fetch,
    });
    const error: unknown = await (async () => {
      while (!(await generator.next()).done) {
        // runs the crawl to its end
      }
    })().catch((e: unknown) => e);
    expect((error as WarehouseError).code).toBe('unauthorized');
    expect(replay.requests).toHaveLength(1);
  });

  it('cuts rows into batches and ends with cancelled when cancelled', async () => {
    const batched = await run(fixtures, { batchRows: 3 });
    const sizes = batched.events
      .filter((e) => e.type === 'rows' && e.table === 'instances_detail')
      .map((e) => (e.type === 'rows' ? e.rows.length : 0));
    expect(sizes).toEqual([3, 3, 3, 3]);

    const controller = new AbortController();
    const replay = replayFetch(BASE, fixtures);
    const seen: CrawlEvent[] = [];
    const error: unknown = await (async () => {
      for await (const event of crawl(connection, {
        loadId: 'x',
        pageSize: 2,
        concurrency: 2,
        fetch: replay.fetch,
        signal: controller.signal,
        batchRows: 2,
      })) {
        seen.push(event);
        if (event.type === 'rows') controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((error as WarehouseError).code).toBe('cancelled');
    expect(seen.filter((e) => e.type === 'rows')).toHaveLength(1);
    expect(replay.requests.length).toBeLessThan(batched.replay.requests.length);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const replay = replayFetch(BASE, fixtures);
    const slow: typeof fetch = async (input, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        return await replay.fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const { result } = await run([], { fetch: slow, concurrency: 3 });
    expect(most).toBe(3);
    expect(result.rows.instances_detail).toBe(12);
  });
});

describe('crawl, replaying a real Orthanc 1.12.7', () => {
  it('keeps labels as values of a child table, exactly as written', async () => {
    const { rows, result } = await run(loadFixtures('1.12.7'));
    const labels = rows.get('studies_detail__labels') ?? [];
    expect(new Set(column(labels, 'value'))).toEqual(
      new Set(['COVID_19', 'Covid-19', 'covid_19']),
    );
    expect(labels).toHaveLength(3);
    expect(column(rows.get('studies_detail'), 'id')).toHaveLength(7);

    // the other levels have the key, and no labels
    expect(result.rows.patients_detail__labels).toBe(0);
    expect(result.notes).toContainEqual({
      table: 'patients_detail__labels',
      note: 'No patients carry labels.',
    });
    expect(result.notes.map((n) => n.table)).not.toContain(
      'studies_detail__labels',
    );
  });
});
