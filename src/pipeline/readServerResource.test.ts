import { describe, expect, it } from 'vitest';
import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import type { CrawlOptions } from './crawl';
import {
  type Collected,
  collectCrawl,
  testConnection,
} from './fixtures/collectCrawl';
import { loadFixtures } from './fixtures/loadFixtures';
import type { Row } from './rows';

const BASE = testConnection.baseUrl;
const SERVER_RESOURCES = [
  'modalities',
  'changes',
  'exports',
  'queries_answers',
  'tools_metrics_prometheus',
];
type Json = Record<string, unknown>;

interface Run extends Collected {
  requests: string[];
}

function run(
  fetch: typeof globalThis.fetch,
  options: Partial<CrawlOptions> = {},
): Promise<Collected> {
  return collectCrawl(fetch, {
    resources: SERVER_RESOURCES,
    backoff: { baseMs: 1, maxMs: 2 },
    ...options,
  });
}

async function replay(
  captured: CapturedResponse[],
  options: Partial<CrawlOptions> = {},
): Promise<Run> {
  const played = replayFetch(BASE, captured);
  const out = await run(played.fetch, options);
  return { ...out, requests: played.requests.map((r) => r.path) };
}

/** The fixtures of `version` with some answers replaced or added. */
function withAnswers(
  version: string,
  answers: Record<string, { status?: number; body?: unknown; text?: string }>,
): CapturedResponse[] {
  const byRequest = new Map(loadFixtures(version).map((f) => [f.request, f]));
  for (const [request, answer] of Object.entries(answers)) {
    const response: CapturedResponse = {
      request,
      status: answer.status ?? 200,
      body: answer.body ?? null,
    };
    if (answer.text !== undefined) response.text = answer.text;
    byRequest.set(request, response);
  }
  return [...byRequest.values()];
}

function column(rows: Row[] | undefined, name: string): unknown[] {
  return (rows ?? []).map((r) => r.get(name));
}

function captured(version: string, request: string): unknown {
  const found = loadFixtures(version).find((f) => f.request === request);
  if (!found) throw new Error(`no fixture for ${request}`);
  return found.body;
}

/** The entries of the change log as the limit-5 capture saw them. */
function changeLog(version: string): Json[] {
  return loadFixtures(version)
    .filter((f) => /^\/changes\?since=\d+&limit=5$/.test(f.request))
    .flatMap((f) => (f.body as { Changes: Json[] }).Changes)
    .sort((a, b) => (a.Seq as number) - (b.Seq as number));
}

for (const version of ['1.10.1', '1.12.7']) {
  describe(`server resources, replaying a real Orthanc ${version}`, () => {
    it('loads modalities, logs, query answers and metrics', async () => {
      const { rows, tables, result, requests } = await replay(
        loadFixtures(version),
      );

      // modalities: a row each, the name in a column (case C11)
      const modalities = rows.get('modalities');
      expect(column(modalities, 'name')).toEqual(['PACS_1', 'pacs-1', 'self']);
      expect(column(modalities, 'aet')).toEqual([
        'PACS_1',
        'PACS1',
        'WAREHOUSE',
      ]);
      expect(column(modalities, 'port').slice(0, 2)).toEqual([11113n, 11112n]);
      const modalityColumns = tables.get('modalities')?.columns ?? [];
      expect(modalityColumns.map((c) => c.name)).not.toContain('pacs_1');
      expect(modalityColumns.map((c) => c.name)).not.toContain('self');

      // changes: every entry up to the Seq of ?last, once, as captured
      // independently with pages of 5
      const log = changeLog(version);
      expect(log).toHaveLength(58);
      const changes = rows.get('changes') ?? [];
      expect(column(changes, 'seq')).toEqual(
        log.map((e) => BigInt(e.Seq as number)),
      );
      expect(column(changes, 'id')).toEqual(log.map((e) => e.ID));
      expect(column(changes, 'change_type')).toEqual(
        log.map((e) => e.ChangeType),
      );
      expect(
        requests.filter((p) => p.startsWith('/changes?since')),
      ).toHaveLength(29);

      // exports: the one study sent to the server itself
      const exportsRows = rows.get('exports') ?? [];
      expect(exportsRows).toHaveLength(1);
      expect(exportsRows[0]?.get('remote_modality')).toBe('self');
      expect(exportsRows[0]?.get('resource_type')).toBe('Study');
      expect(exportsRows[0]?.get('seq')).toBe(1n);

      // query answers: the C-FIND of every study on the server
      const [queryId] = captured(version, '/queries') as string[];
      const answers = rows.get('queries_answers') ?? [];
      expect(answers).toHaveLength(7);
      expect(new Set(column(answers, 'query_id'))).toEqual(new Set([queryId]));
      expect(column(answers, 'answer_index')).toEqual([
        0n,
        1n,
        2n,
        3n,
        4n,
        5n,
        6n,
      ]);
      expect(column(answers, '_0008_0052__value')).toEqual(
        Array<string>(7).fill('STUDY'),
      );
      expect(column(answers, '_0020_000d__name')[0]).toBe('StudyInstanceUID');
      const studyUids = loadFixtures(version)
        .filter((f) => f.request.startsWith('/studies?expand&since='))
        .flatMap((f) => f.body as { MainDicomTags: Json }[])
        .map((s) => s.MainDicomTags.StudyInstanceUID);
      expect(new Set(column(answers, '_0020_000d__value'))).toEqual(
        new Set(studyUids),
      );

      // metrics: a row per line, the same columns whatever the metrics
      const metrics = rows.get('tools_metrics_prometheus') ?? [];
      const text = loadFixtures(version).find(
        (f) => f.request === '/tools/metrics-prometheus',
      )?.text;
      expect(metrics).toHaveLength((text ?? '').trim().split('\n').length);
      const instances = metrics.find(
        (r) => r.get('name') === 'orthanc_count_instances',
      );
      expect(instances?.get('value')).toBe(12);
      expect(typeof instances?.get('timestamp')).toBe('bigint');
      expect(instances?.get('_dlt_load_id')).toBe('load-1');
      expect(
        tables.get('tools_metrics_prometheus')?.columns.map((c) => c.name),
      ).toEqual([
        'name',
        'labels',
        'value',
        'timestamp',
        '_dlt_load_id',
        '_dlt_id',
      ]);

      expect(result.notes).toEqual([]);
    });
  });
}

describe('server resources that are empty, off or missing', () => {
  it('gives empty tables with their declared columns and a note each', async () => {
    const { rows, tables, result, events } = await replay(
      withAnswers('1.10.1', {
        '/modalities?expand': { body: {} },
        '/changes?last': { body: { Changes: [], Done: true, Last: 0 } },
        '/exports?last': { body: { Exports: [], Done: true, Last: 0 } },
        '/queries': { body: [] },
        '/tools/metrics-prometheus': { text: '' },
      }),
    );

    for (const table of SERVER_RESOURCES) {
      expect(rows.get(table)).toBeUndefined();
      expect(events.some((e) => e.type === 'rows' && e.table === table)).toBe(
        false,
      );
    }
    expect(tables.get('exports')?.columns.map((c) => c.name)).toEqual([
      'seq',
      'resource_type',
      'id',
      'path',
      'remote_modality',
      'date',
      'patient_id',
      'study_instance_uid',
      'series_instance_uid',
      'sop_instance_uid',
    ]);
    expect(tables.get('queries_answers')?.columns.map((c) => c.name)).toEqual([
      'query_id',
      'answer_index',
    ]);
    expect(result.notes.map((n) => n.table)).toEqual(SERVER_RESOURCES);
    expect(result.notes[2]?.note).toContain('LogExportedResources');
    expect(result.notes[4]?.note).toContain('MetricsEnabled');
  });

  it('notes a resource the server does not have (404) and loads on', async () => {
    const notFound = {
      status: 404,
      body: { HttpStatus: 404, Message: 'Unknown resource', OrthancStatus: 17 },
    };
    const { rows, result } = await replay(
      withAnswers('1.10.1', {
        '/tools/metrics-prometheus': notFound,
        '/modalities?expand': notFound,
      }),
    );
    expect(result.notes).toEqual([
      {
        table: 'modalities',
        note: 'The server has no /modalities?expand (404: an older Orthanc, or switched off); the table is empty.',
      },
      {
        table: 'tools_metrics_prometheus',
        note: 'The server has no /tools/metrics-prometheus (404: an older Orthanc, or switched off); the table is empty.',
      },
    ]);
    expect(rows.get('changes')).toHaveLength(58);
    expect(rows.get('_crawl_errors')).toBeUndefined();
  });

  it('skips an expired query with a note and keeps the others', async () => {
    const [queryId] = captured('1.10.1', '/queries') as string[];
    const { rows, result } = await replay(
      withAnswers('1.10.1', {
        '/queries': { body: ['expired-query', queryId] },
        '/queries/expired-query/answers?expand': {
          status: 404,
          body: { HttpStatus: 404, Message: 'Unknown resource' },
        },
      }),
      { resources: ['queries_answers'] },
    );
    expect(new Set(column(rows.get('queries_answers'), 'query_id'))).toEqual(
      new Set([queryId]),
    );
    expect(rows.get('queries_answers')).toHaveLength(7);
    expect(result.notes).toEqual([
      {
        table: 'queries_answers',
        note: '1 of 2 queries had expired on the server (404) and were skipped.',
      },
    ]);
  });

  it('records a resource that keeps failing, and loads the rest', async () => {
    const { rows, result } = await replay(
      withAnswers('1.10.1', {
        '/exports?last': { status: 500, body: { Message: 'Internal error' } },
      }),
      { retries: 1 },
    );
    const errors = rows.get('_crawl_errors') ?? [];
    expect(column(errors, 'path')).toEqual(['/exports?last']);
    expect(column(errors, 'status')).toEqual([500n]);
    expect(rows.get('exports')).toBeUndefined();
    expect(rows.get('queries_answers')).toHaveLength(7);
    expect(result.notes.find((n) => n.table === 'exports')?.note).toBe(
      'Reading /exports?last failed (The server answered 500 to /exports?last: Internal error); the table holds the 0 rows read before.',
    );
  });

  it('reads only the resources named', async () => {
    const { tables, requests } = await replay(loadFixtures('1.10.1'), {
      resources: ['modalities'],
    });
    expect([...tables.keys()]).toEqual(['modalities', '_crawl_errors']);
    expect(requests).toEqual(['/statistics', '/modalities?expand']);
  });
});

describe('the change log (case C05)', () => {
  /** A log that grows by a page's worth on every request. */
  function endlessLog() {
    let served = 0;
    let lastCalls = 0;
    const requests: string[] = [];
    const fetch: typeof globalThis.fetch = (input) => {
      const url = new URL(input instanceof Request ? input.url : input);
      requests.push(url.pathname + url.search);
      const entry = (seq: number) => ({
        ChangeType: 'NewInstance',
        Date: '20260101T000000',
        ID: `instance-${seq}`,
        Path: `/instances/instance-${seq}`,
        ResourceType: 'Instance',
        Seq: seq,
      });
      let body: unknown = { CountPatients: 0, CountStudies: 0 };
      if (url.pathname === '/statistics') {
        body = {
          CountPatients: 0,
          CountStudies: 0,
          CountSeries: 0,
          CountInstances: 0,
          TotalDiskSize: '0',
        };
      } else if (url.search === '?last') {
        // 10 at the start; 30 when asked again at the end
        const last = ++lastCalls === 1 ? 10 : 30;
        body = { Changes: [entry(last)], Done: true, Last: last };
      } else {
        // ingestion never stops: every page is full and never Done
        const since = Number(url.searchParams.get('since'));
        const limit = Number(url.searchParams.get('limit'));
        served += limit;
        const seqs = Array.from({ length: limit }, (_, i) => since + 1 + i);
        body = { Changes: seqs.map(entry), Done: false, Last: since + limit };
      }
      return Promise.resolve(new Response(JSON.stringify(body)));
    };
    return { fetch, requests, served: () => served };
  }

  it('stops at the Seq taken at the start, however much more arrives', async () => {
    const log = endlessLog();
    const { rows, result } = await run(log.fetch, {
      resources: ['changes'],
      pageSize: 4,
    });
    expect(column(rows.get('changes'), 'seq')).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(i + 1)),
    );
    expect(log.requests).toEqual([
      '/statistics',
      '/changes?last',
      '/changes?since=0&limit=4',
      '/changes?since=4&limit=4',
      '/changes?since=8&limit=4',
      '/changes?last',
    ]);
    expect(result.notes).toEqual([
      {
        table: 'changes',
        note: 'Entries up to Seq 10 were loaded; 20 more arrived during the load and are left for the next one.',
      },
    ]);
  });

  it('notes a reset log (Last below since) instead of looping', async () => {
    const entry = (seq: number) => ({
      ChangeType: 'StableStudy',
      Date: '20260101T000000',
      ID: `study-${seq}`,
      Path: `/studies/study-${seq}`,
      ResourceType: 'Study',
      Seq: seq,
    });
    const { rows, result, requests } = await replay(
      withAnswers('1.10.1', {
        '/changes?last': {
          body: { Changes: [entry(5010)], Done: true, Last: 5010 },
        },
        // older entries went with their deleted resources
        '/changes?since=0&limit=2': {
          body: {
            Changes: [entry(4999), entry(5000)],
            Done: false,
            Last: 5000,
          },
        },
        // then the server came back with a new database
        '/changes?since=5000&limit=2': {
          body: { Changes: [], Done: true, Last: 120 },
        },
      }),
      { resources: ['changes'] },
    );
    expect(column(rows.get('changes'), 'seq')).toEqual([4999n, 5000n]);
    expect(requests).toEqual([
      '/statistics',
      '/changes?last',
      '/changes?since=0&limit=2',
      '/changes?since=5000&limit=2',
    ]);
    expect(result.notes).toEqual([
      {
        table: 'changes',
        note: 'The log was reset during the load (it now ends at Seq 120, below the 5000 already read): the table holds the 2 entries read before; load again for the new log.',
      },
    ]);
  });
});

describe('metrics across loads (case C12)', () => {
  const scrape = (text: string, loadId: string) =>
    run(
      replayFetch(
        BASE,
        withAnswers('1.10.1', { '/tools/metrics-prometheus': { text } }),
      ).fetch,
      { resources: ['tools_metrics_prometheus'], loadId },
    );

  it('adds rows, not columns, for a metric that appears later', async () => {
    const first = await scrape(
      '# HELP orthanc_up_time_s Uptime\n# TYPE orthanc_up_time_s gauge\n' +
        'orthanc_up_time_s 4 1796317182272\n',
      'load-1',
    );
    const second = await scrape(
      'orthanc_up_time_s 9 1796317187272\n' +
        'orthanc_jobs_failed{job="store"} 1 1796317187272\n' +
        'orthanc_ratio NaN\n',
      'load-2',
    );
    const columns = (r: typeof first) =>
      r.tables
        .get('tools_metrics_prometheus')
        ?.columns.map((c) => [c.name, c.type]);
    expect(columns(second)).toEqual(columns(first));

    const rows = second.rows.get('tools_metrics_prometheus') ?? [];
    expect(first.rows.get('tools_metrics_prometheus')).toHaveLength(1);
    expect(column(rows, 'name')).toEqual([
      'orthanc_up_time_s',
      'orthanc_jobs_failed',
      'orthanc_ratio',
    ]);
    expect(column(rows, 'labels')).toEqual([
      undefined,
      '{"job":"store"}',
      undefined,
    ]);
    expect(rows[2]?.get('value')).toBeNaN();
    expect(rows[2]?.get('timestamp')).toBeUndefined();
    expect(new Set(column(rows, '_dlt_load_id'))).toEqual(new Set(['load-2']));
  });
});
