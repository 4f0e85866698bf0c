// The crawl sends the connection's chosen credentials on every request,
// whichever kind they are, and nothing else that could carry them.

import { describe, expect, it } from 'vitest';

import type { Connection } from '../orthanc/connection';
import { replayFetch } from '../orthanc/replayFetch';
import { crawl } from './crawl';
import { loadFixtures } from './fixtures/loadFixtures';

const BASE = 'http://127.0.0.1:8042';

async function requestsOf(connection: Connection) {
  const replay = replayFetch(BASE, loadFixtures('1.10.1'));
  const generator = crawl(connection, {
    loadId: 'load-1',
    pageSize: 2,
    concurrency: 3,
    fetch: replay.fetch,
    backoff: { baseMs: 1, maxMs: 4 },
  });
  let next = await generator.next();
  while (!next.done) next = await generator.next();
  expect(next.value.rows.instances_detail).toBe(12);
  return replay.requests;
}

describe('crawl credentials', () => {
  it('sends a custom header on every request, and no Authorization', async () => {
    const requests = await requestsOf({
      baseUrl: BASE,
      username: 'demo',
      password: 'demo',
      tokenAuth: { kind: 'header', name: 'token', value: 'tk-Zq7' },
    });
    expect(requests.length).toBeGreaterThan(30);
    for (const request of requests) {
      expect(request.headers.token).toBe('tk-Zq7');
      expect(request.authorization).toBeNull();
      expect(request.url).not.toContain('tk-Zq7');
    }
  });

  it('sends a bearer token on every request', async () => {
    const requests = await requestsOf({
      baseUrl: BASE,
      username: '',
      password: '',
      tokenAuth: { kind: 'bearer', token: 'eyJ.Zq7' },
    });
    expect(requests.length).toBeGreaterThan(30);
    for (const request of requests) {
      expect(request.authorization).toBe('Bearer eyJ.Zq7');
    }
  });
});
