// The server's other resources (modalities, the change and export logs,
// query answers, Prometheus metrics) loaded through the page from the
// real Orthanc the global setup started, which has metrics on, one query
// and one export of its own. Each table is compared with what Node reads
// from the same server's REST API around the load.

import { expect, test } from '@playwright/test';

import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import { orthancJson, type OrthancAccess } from './orthancApi';

const env = e2eEnv();

interface LogPage {
  Done: boolean;
  Last: number;
  Changes?: { Seq: number }[];
  Exports?: { Seq: number }[];
}

/** Every Seq of a log, read in pages until Orthanc says Done. */
async function logSeqs(
  orthanc: OrthancAccess,
  path: '/changes' | '/exports',
): Promise<number[]> {
  const seqs: number[] = [];
  for (let since = 0; ;) {
    const page = await orthancJson<LogPage>(
      orthanc,
      `${path}?since=${since}&limit=1000`,
    );
    const entries = page.Changes ?? page.Exports ?? [];
    seqs.push(...entries.map((e) => e.Seq));
    if (page.Done || entries.length === 0) return seqs;
    since = Math.max(...entries.map((e) => e.Seq));
  }
}

/** The metric names of one scrape, read as text. */
async function metricNames(orthanc: OrthancAccess): Promise<string[]> {
  const token = Buffer.from(`${orthanc.username}:${orthanc.password}`).toString(
    'base64',
  );
  const response = await fetch(`${orthanc.url}/tools/metrics-prometheus`, {
    headers: { Authorization: `Basic ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.text())
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/[ {]/)[0] ?? '');
}

for (const target of env.targets) {
  test.describe(`Orthanc ${target.orthancVersion}`, () => {
    const orthanc = access(target);

    test('loads modalities, logs, query answers and metrics like the REST API', async ({
      page,
    }) => {
      // what the server says just before the load
      const modalities = Object.keys(
        await orthancJson<Record<string, unknown>>(
          orthanc,
          '/modalities?expand',
        ),
      ).sort();
      const lastChange = (await orthancJson<LogPage>(orthanc, '/changes?last'))
        .Last;
      const exportSeqs = await logSeqs(orthanc, '/exports');
      const queries = await orthancJson<string[]>(orthanc, '/queries');
      let answers = 0;
      for (const id of queries) {
        const list = await orthancJson<unknown[]>(
          orthanc,
          `/queries/${id}/answers`,
        );
        answers += list.length;
      }
      const metricsBefore = await metricNames(orthanc);
      const stats = await orthancJson<{ CountInstances: number }>(
        orthanc,
        '/statistics',
      );
      expect(modalities).toEqual(['self']);
      expect(exportSeqs.length).toBeGreaterThan(0);
      expect(answers).toBeGreaterThan(0);
      expect(metricsBefore).toContain('orthanc_count_instances');

      await connect(page, target);
      await loadAll(page);
      const metricsAfter = await metricNames(orthanc);

      const [counts] = await runQuery(
        page,
        `select
           (select count(*) from orthanc_data.modalities),
           (select string_agg(name, ',' order by name)
              from orthanc_data.modalities),
           (select count(*) from orthanc_data.changes),
           (select count(distinct seq) from orthanc_data.changes),
           (select max(seq) from orthanc_data.changes),
           (select count(*) from orthanc_data.exports),
           (select count(*) from orthanc_data.queries_answers),
           (select count(distinct query_id)
              from orthanc_data.queries_answers)`,
      );
      const [
        modalityCount,
        modalityNames,
        changeCount,
        distinctSeqs,
        maxSeq,
        exportCount,
        answerCount,
        queryCount,
      ] = counts ?? [];
      expect(modalityCount).toBe(`${modalities.length}`);
      expect(modalityNames).toBe(modalities.join(','));
      expect(exportCount).toBe(`${exportSeqs.length}`);
      expect(answerCount).toBe(`${answers}`);
      expect(queryCount).toBe(`${queries.length}`);

      // The load reads the log up to the Seq of /changes?last at its
      // start, which is at least the one read just before; every entry
      // the server holds up to there is in the table, once.
      const loadedUpTo = Number(maxSeq);
      expect(loadedUpTo).toBeGreaterThanOrEqual(lastChange);
      const serverSeqs = (await logSeqs(orthanc, '/changes')).filter(
        (seq) => seq <= loadedUpTo,
      );
      expect(serverSeqs.length).toBeGreaterThan(100);
      expect(changeCount).toBe(`${serverSeqs.length}`);
      expect(distinctSeqs).toBe(changeCount);

      // Dates are timestamps, as dlt's iso_timestamp detection types
      // them, and read back as the server wrote them (UTC, no shift).
      const firstChanges = await orthancJson<{
        Changes: { Seq: number; Date: string }[];
      }>(orthanc, '/changes?since=0&limit=5');
      const dates = await runQuery(
        page,
        `select seq, typeof(date),
                strftime(date::timestamp, '%Y%m%dT%H%M%S')
           from orthanc_data.changes order by seq limit 5`,
      );
      expect(dates).toEqual(
        firstChanges.Changes.map((c) => [
          `${c.Seq}`,
          'TIMESTAMP WITH TIME ZONE',
          c.Date,
        ]),
      );

      // One scrape, taken between the two read from Node.
      const metrics = await runQuery(
        page,
        `select name, value::bigint from orthanc_data.tools_metrics_prometheus
          where _dlt_load_id =
                (select max(load_id) from orthanc_data._dlt_loads)
          order by name`,
      );
      const names = metrics.map((row) => row[0] ?? '');
      expect(new Set(names).size).toBe(names.length);
      for (const name of metricsBefore) expect(names).toContain(name);
      for (const name of names) expect(metricsAfter).toContain(name);
      expect(
        metrics.find((row) => row[0] === 'orthanc_count_instances')?.[1],
      ).toBe(`${stats.CountInstances}`);
    });
  });
}
