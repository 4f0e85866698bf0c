// The crawl under faults a real network brings (C10): a page that fails
// for good, a resource that keeps failing, refused credentials while
// other requests hang or wait to retry. Answers are replayed from a real
// Orthanc 1.10.1; only the faults are made up.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { WarehouseError } from '../lib/errors';
import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import { crawl } from './crawl';
import { collectCrawl, testConnection } from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';

const BASE = testConnection.baseUrl;
const fixtures = loadFixtures('1.10.1');
type Json = Record<string, unknown>;

function found(request: string): CapturedResponse {
  const fixture = fixtures.find((f) => f.request === request);
  if (!fixture) throw new Error(`no fixture for ${request}`);
  return fixture;
}

/** What a gateway in front of Orthanc answers when Orthanc fails it. */
function badGateway(request: string): CapturedResponse {
  return {
    request,
    status: 502,
    body: null,
    text: '<html><head><title>502 Bad Gateway</title></head></html>',
    headers: { 'Content-Type': 'text/html' },
  };
}

/** Each study by itself, as /studies/{id} answers it. */
function singleStudies(): CapturedResponse[] {
  return fixtures
    .filter((f) => f.request.startsWith('/studies?expand&since='))
    .flatMap((f) => f.body as Json[])
    .map((study) => ({
      request: `/studies/${String(study.ID)}`,
      status: 200,
      body: study,
    }));
}

describe('crawl under faults', () => {
  it('fetches the studies of a failed page one by one, even with no ID list in the load', async () => {
    const failedPage = '/studies?expand&since=2&limit=2';
    const [lost, kept] = found(failedPage).body as Json[];
    const lostPath = `/studies/${String(lost?.ID)}`;
    const answers = [
      ...fixtures.filter((f) => f.request !== failedPage),
      badGateway(failedPage),
      ...singleStudies().filter((f) => f.request !== lostPath),
      badGateway(lostPath),
    ];
    const replay = replayFetch(BASE, answers);

    const { rows, result } = await collectCrawl(replay.fetch, {
      resources: ['studies_detail'],
      retries: 2,
    });

    const paths = replay.requests.map((r) => r.path);
    expect(paths.filter((p) => p === failedPage)).toHaveLength(3);
    expect(paths.filter((p) => p === lostPath)).toHaveLength(3);
    // the ID list is read to reconcile, but no `studies` table is loaded
    expect(paths).toContain('/studies');
    expect(rows.get('studies')).toBeUndefined();

    const ids = (rows.get('studies_detail') ?? []).map((r) => r.get('id'));
    expect(ids).toHaveLength(6);
    expect(ids).toContain(kept?.ID);
    expect(ids).not.toContain(lost?.ID);
    const errors = (rows.get('_crawl_errors') ?? []).map((r) => [
      r.get('path'),
      r.get('status'),
      r.get('code'),
    ]);
    expect(errors).toEqual([
      [failedPage, 502n, 'server_error'],
      [lostPath, 502n, 'server_error'],
    ]);
    expect(result.notes).toContainEqual({
      table: 'studies_detail',
      note: '2 studies missing from the pages were fetched one by one.',
    });
  });

  it('stops at once on refused credentials, aborting requests still in flight', async () => {
    const hanging = '/patients?expand&since=0&limit=2';
    const refused = '/patients?expand&since=4&limit=2';
    const unauthorized = JSON.parse(
      readFileSync(
        new URL('./fixtures/orthanc-1.10.1/unauthorized.json', import.meta.url),
        'utf8',
      ),
    ) as CapturedResponse;
    const replay = replayFetch(BASE, [
      ...fixtures,
      { ...unauthorized, request: refused },
    ]);
    let aborted = false;
    // The first page hangs until its request is aborted, far longer than
    // the test would wait for it to time out.
    const fetch: typeof globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.endsWith(hanging)) {
        return new Promise((_, reject) => {
          init?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      }
      return replay.fetch(input, init);
    };

    const started = performance.now();
    const events = crawl(testConnection, {
      loadId: 'x',
      pageSize: 2,
      concurrency: 3,
      fetch,
      timeoutMs: 60_000,
    });
    const error: unknown = await (async () => {
      while (!(await events.next()).done) {
        // runs the crawl to its end
      }
    })().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).code).toBe('unauthorized');
    expect((error as WarehouseError).message).toBe(
      'Credentials rejected (401): check the username and password.',
    );
    expect(aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(replay.requests.filter((r) => r.path === refused)).toHaveLength(1);
  });
});
