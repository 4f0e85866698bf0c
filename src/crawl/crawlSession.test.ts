// How many batches, and how many of their bytes, the crawl worker lets
// wait for the page: the bound that keeps a big load's rows streaming
// under a memory budget instead of piling up (C25). A page that is slow
// to stage holds the crawl back; every batch still arrives.

import { describe, expect, it } from 'vitest';

import { replayFetch } from '../orthanc/replayFetch';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { CrawlSession, MAX_UNACKED_BATCHES } from './crawlSession';
import type { WorkerToPage } from './protocol';

const BASE = 'http://127.0.0.1:8042';
const connection = { baseUrl: BASE, username: 'demo', password: 'demo' };

/**
 * Runs a crawl of the captured 1.10.1 server through a CrawlSession
 * whose page acknowledges each batch a few milliseconds after it came;
 * returns the most batches and bytes that waited at once, and what
 * arrived.
 */
async function crawlWithSlowPage(maxUnackedBytes?: number) {
  const replay = replayFetch(BASE, loadFixtures('1.10.1'));
  const waiting = new Map<number, number>();
  let mostBatches = 0;
  let mostBytes = 0;
  let rows = 0;
  let sent = 0;
  const ended = new Promise<WorkerToPage>((resolve) => {
    const session = new CrawlSession(
      (message) => {
        if (message.type === 'batch') {
          sent++;
          rows += message.rowCount;
          waiting.set(message.seq, message.ipc.byteLength);
          mostBatches = Math.max(mostBatches, waiting.size);
          const bytes = [...waiting.values()].reduce((a, b) => a + b, 0);
          mostBytes = Math.max(mostBytes, bytes);
          setTimeout(() => {
            waiting.delete(message.seq);
            session.receive({ type: 'ack', seq: message.seq });
          }, 3);
        }
        if (['done', 'failed', 'cancelled'].includes(message.type)) {
          resolve(message);
        }
      },
      {
        fetch: replay.fetch,
        ...(maxUnackedBytes === undefined ? {} : { maxUnackedBytes }),
      },
    );
    session.receive({
      type: 'start',
      loadId: 'load-1',
      connection,
      options: { pageSize: 2, concurrency: 2 },
    });
  });
  const end = await ended;
  return { end, mostBatches, mostBytes, rows, sent };
}

describe('the batches a crawl lets wait for the page', () => {
  it('are at most four, and all arrive', async () => {
    const run = await crawlWithSlowPage();
    expect(run.end.type).toBe('done');
    expect(run.sent).toBeGreaterThan(MAX_UNACKED_BATCHES);
    expect(run.mostBatches).toBe(MAX_UNACKED_BATCHES);
    if (run.end.type === 'done') {
      const total = Object.values(run.end.summary.rows).reduce(
        (a, b) => a + b,
        0,
      );
      expect(run.rows).toBe(total);
    }
  });

  it('are one at a time once their bytes reach the budget', async () => {
    const unbounded = await crawlWithSlowPage();
    const run = await crawlWithSlowPage(1);
    expect(run.end.type).toBe('done');
    expect(run.mostBatches).toBe(1);
    expect(run.rows).toBe(unbounded.rows);
    expect(run.sent).toBe(unbounded.sent);
  });
});
