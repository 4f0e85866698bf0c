import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import { basicAuthorization } from './basicAuth';
import type { Connection } from './connection';
import { newRequestStats, orthancGet, UNREACHABLE_MESSAGE } from './orthancGet';
import { OrthancError } from './orthancError';
import { type CapturedResponse, replayFetch } from './replayFetch';

const BASE = 'http://127.0.0.1:8042';
const connection: Connection = {
  baseUrl: BASE,
  username: 'demo',
  password: 'demo',
};
const fast = { backoff: { baseMs: 5, maxMs: 20 } };

function loadFixtures(version: string): Map<string, CapturedResponse> {
  const dir = new URL(
    `../pipeline/fixtures/orthanc-${version}/`,
    import.meta.url,
  );
  const out = new Map<string, CapturedResponse>();
  for (const file of readdirSync(dir)) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    out.set(file.replace(/\.json$/, ''), JSON.parse(text) as CapturedResponse);
  }
  return out;
}

const fixtures = loadFixtures('1.10.1');
function fixture(name: string): CapturedResponse {
  const found = fixtures.get(name);
  if (!found) throw new Error(`missing fixture ${name}`);
  return found;
}

async function failure(promise: Promise<unknown>): Promise<OrthancError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrthancError);
  return error as OrthancError;
}

describe('Basic credentials', () => {
  it('encodes UTF-8 bytes, where a naive btoa throws', () => {
    expect(() => btoa('dr.müller:pässwörd€')).toThrow();
    expect(basicAuthorization('dr.müller', 'pässwörd€')).toBe(
      'Basic ' + Buffer.from('dr.müller:pässwörd€', 'utf8').toString('base64'),
    );
    expect(basicAuthorization('', '')).toBeNull();
  });
});

describe('orthancGet against captured answers', () => {
  it('returns an expanded page with the real non-ASCII names', async () => {
    const replay = replayFetch(BASE, [
      fixture('patients-expand-since-0-limit-2'),
    ]);
    const stats = newRequestStats();
    const body = await orthancGet(
      connection,
      '/patients?expand&since=0&limit=2',
      { fetch: replay.fetch, stats },
    );

    const names = (body as { MainDicomTags: { PatientName: string } }[]).map(
      (p) => p.MainDicomTags.PatientName,
    );
    expect(names).toEqual(['قباني^لنزار', 'Äneas^Rüdiger']);
    expect(replay.requests[0]?.authorization).toBe('Basic ZGVtbzpkZW1v');
    expect(stats.requests).toBe(1);
    expect(stats.bytes).toBe(
      Buffer.byteLength(
        JSON.stringify(fixture('patients-expand-since-0-limit-2').body),
      ),
    );
  });

  it('moves credentials typed in the URL into the header', async () => {
    const replay = replayFetch(BASE, [fixture('system')]);
    await orthancGet(
      {
        baseUrl: 'http://demo:s%C3%A9cret@127.0.0.1:8042/',
        username: '',
        password: '',
      },
      '/system',
      { fetch: replay.fetch },
    );
    expect(replay.requests[0]?.url).toBe(`${BASE}/system`);
    expect(replay.requests[0]?.authorization).toBe(
      basicAuthorization('demo', 'sécret'),
    );
  });

  it('stops at once on 401 with a message about the credentials', async () => {
    const replay = replayFetch(BASE, [fixture('unauthorized')]);
    const error = await failure(
      orthancGet(connection, '/system', { fetch: replay.fetch, ...fast }),
    );
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe(
      'Credentials rejected (401): check the username and password.',
    );
    expect(error.retryable).toBe(false);
    expect(replay.requests).toHaveLength(1);
  });

  it('reports an unknown resource as not_found without retrying', async () => {
    const notFound = fixture('not-found');
    const replay = replayFetch(BASE, [notFound]);
    const error = await failure(
      orthancGet(connection, notFound.request, {
        fetch: replay.fetch,
        ...fast,
      }),
    );
    expect(error.code).toBe('not_found');
    expect(error.status).toBe(404);
    expect(replay.requests).toHaveLength(1);
  });

  it("passes on Orthanc's own message for a 400", async () => {
    const bad = fixture('bad-request-limit-without-since');
    const replay = replayFetch(BASE, [bad]);
    const error = await failure(
      orthancGet(connection, bad.request, { fetch: replay.fetch, ...fast }),
    );
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain('Missing "since" argument');
    expect(replay.requests).toHaveLength(1);
  });
});

describe('orthancGet against a live HTTP server', () => {
  let server: Server;
  let base = '';
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '';
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      if (path === '/login') {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<!doctype html><title>Sign in</title>');
      } else if (path === '/flaky' && hit < 3) {
        response.writeHead(503);
        response.end();
      } else if (path === '/proxy-refused') {
        response.writeHead(502, {
          'Content-Type': 'application/json',
          'X-Proxy-Error': 'refused',
        });
        response.end(
          JSON.stringify({
            ProxyError: 'refused',
            Message:
              'The Orthanc server refused the connection (is it running?).',
          }),
        );
      } else if (path === '/proxy-timeout') {
        response.writeHead(504, { 'X-Proxy-Error': 'timeout' });
        response.end(
          JSON.stringify({
            ProxyError: 'timeout',
            Message: 'Orthanc did not answer in time.',
          }),
        );
      } else if (path === '/slow') {
        // never answers: the client's deadline has to end the request
      } else {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ path, hit }));
      }
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const live = () => ({ baseUrl: base, username: 'demo', password: 'demo' });

  it('calls a web page at the URL not_orthanc', async () => {
    const error = await failure(orthancGet(live(), '/login', fast));
    expect(error.code).toBe('not_orthanc');
    expect(error.message).toBe(
      "The server answered with a web page, not Orthanc's REST API: check the URL.",
    );
    expect(hits.get('/login')).toBe(1);
  });

  it('retries a 503 with backoff and then succeeds', async () => {
    const stats = newRequestStats();
    const body = await orthancGet(live(), '/flaky', { ...fast, stats });
    expect(body).toEqual({ path: '/flaky', hit: 3 });
    expect(stats.requests).toBe(3);
    expect(stats.retries).toBe(2);
  });

  it("surfaces the proxy's message, retryable, a bounded number of times", async () => {
    const error = await failure(
      orthancGet(live(), '/proxy-refused', { ...fast, retries: 2 }),
    );
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'The Orthanc server refused the connection (is it running?).',
    );
    expect(hits.get('/proxy-refused')).toBe(3);

    const timeout = await failure(
      orthancGet(live(), '/proxy-timeout', { ...fast, retries: 0 }),
    );
    expect(timeout.code).toBe('timeout');
    expect(timeout.message).toBe('Orthanc did not answer in time.');
  });

  it('gives up on a silent server after its deadline', async () => {
    const start = performance.now();
    const error = await failure(
      orthancGet(live(), '/slow', { ...fast, timeoutMs: 150, retries: 1 }),
    );
    expect(error.code).toBe('timeout');
    expect(hits.get('/slow')).toBe(2);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('says the server could not be reached when nothing answers', async () => {
    // a port that was just free: the connection is refused
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const stats = newRequestStats();
    const error = await failure(
      orthancGet(
        { baseUrl: `http://127.0.0.1:${port}`, username: 'a', password: 'b' },
        '/system',
        { ...fast, retries: 2, stats },
      ),
    );
    expect(error.code).toBe('network');
    expect(error.message).toBe(UNREACHABLE_MESSAGE);
    expect(stats.requests).toBe(3);
  });

  it('ends with cancelled when the load is cancelled mid-request', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    const error: unknown = await orthancGet(live(), '/slow', {
      signal: controller.signal,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WarehouseError);
    expect((error as WarehouseError).code).toBe('cancelled');
  });
});
