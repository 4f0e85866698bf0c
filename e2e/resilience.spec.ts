// Loads through a faulty network and server, in Chromium against real
// Orthancs, with a fault-injecting proxy (faultProxy.ts) in the way:
// - C10, the proxy in front of the app server, so that the browser's own
//   connections meet the faults: 5% of the requests get a 502 or 504 and
//   idle connections are closed after 1 s, which costs retries and no
//   rows; with, besides, one study that answers later than the timeout
//   and one answer cut mid-body, the load retries a bounded number of
//   times with at most the configured requests in flight, logs the study
//   in _crawl_errors and loads everything else; Cancel then leaves the
//   tables as they were;
// - credentials refused (401) mid-load: the load stops at once;
// - Orthanc stopped and started again mid-load, on an Orthanc of this
//   spec's own behind the proxy: the retries bridge the gap and the load
//   is complete, or, with too few retries, it fails with a message and
//   changes nothing; either way a later load leaves no duplicates.
// The timeouts and retries are set through the page's Advanced settings.

import { expect, test } from '@playwright/test';

import { type OrthancServer, startOrthanc } from '../scripts/orthanc.ts';
import { seedOrthanc } from '../scripts/seed.ts';
import { e2eEnv } from './env';
import { type OrthancAccess, orthancJson, type Statistics } from './orthancApi';
import { runQuery } from './pageSteps';
import {
  complete,
  connect,
  load,
  loadStatus,
  mostInFlight,
  type Settings,
  type Stack,
  startBehind,
  startInFront,
  tableCounts,
  traffic,
  withoutBookkeeping,
} from './resilienceSteps';

const env = e2eEnv();

test.describe('C10: slow study, gateway errors, idle closes, a cut body', () => {
  const access: OrthancAccess = {
    url: env.orthancUrl,
    username: env.orthancUser,
    password: env.orthancPassword,
  };
  const settings: Settings = { concurrency: 3, timeoutSeconds: 2, retries: 2 };
  const gatewayErrors = { rate: 0.05, statuses: [502, 504], seed: 10 };
  let clean: Stack;
  let flaky: Stack;
  let faulty: Stack;
  let slowStudy: string;
  let stats: Statistics;
  /** The same load without faults, for comparison. */
  let baseline: { ms: number; traffic: ReturnType<typeof traffic> };

  test.beforeAll(async ({ browser }) => {
    stats = await orthancJson<Statistics>(access, '/statistics');
    // the same study in every run: Orthanc lists them in no set order
    const studies = await orthancJson<string[]>(access, '/studies');
    slowStudy = studies.sort()[0] ?? '';
    clean = await startInFront(env.orthancUrl);
    flaky = await startInFront(env.orthancUrl, [], {
      errors: gatewayErrors,
      idleCloseMs: 1000,
    });
    // The page that holds the study and the study by itself answer after
    // 45 s, far past the 2 s timeout; the first page of series is cut.
    const orthanc = '^/proxy/orthanc';
    faulty = await startInFront(
      env.orthancUrl,
      [
        {
          path: new RegExp(
            `${orthanc}/studies(\\?expand&since=0&|/${slowStudy}$)`,
          ),
          delayMs: 45_000,
        },
        {
          path: new RegExp(`${orthanc}/series\\?expand&since=0&`),
          dropAfterBytes: 1000,
          times: 1,
        },
      ],
      { errors: gatewayErrors, idleCloseMs: 1000 },
    );

    const page = await browser.newPage();
    await connect(page, clean, access, settings);
    const sent = clean.proxy.log.length;
    const ms = await load(page);
    baseline = { ms, traffic: traffic(clean.proxy, sent) };
    await page.close();
  });

  test.afterAll(async () => {
    await clean.close();
    await flaky.close();
    await faulty.close();
  });

  test('5% gateway errors and idle closes cost retries, not rows', async ({
    page,
  }) => {
    await connect(page, flaky, access, settings);
    const sent = flaky.proxy.log.length;
    const ms = await load(page);
    const seen = traffic(flaky.proxy, sent);
    // The logs' `?last` is read twice by design: the rest are retries.
    const retries = seen.repeated - baseline.traffic.repeated;
    console.log(
      `C10 errors: clean ${baseline.traffic.requests} requests in ` +
        `${baseline.ms} ms; with 5% 502/504 and 1 s idle close ` +
        `${seen.requests} requests (${retries} retries) in ${ms} ms; ` +
        `${JSON.stringify(seen.outcomes)}; ` +
        `${flaky.proxy.counts.idleCloses} idle connections closed`,
    );

    expect(seen.outcomes.error).toBeGreaterThan(0);
    expect(retries).toBe(seen.outcomes.error);
    const counts = await tableCounts(page);
    expect(withoutBookkeeping(counts)).toEqual(complete(stats));
    expect(counts).toContainEqual(['_crawl_errors', '0', '0']);
  });

  test('logs the slow study, loads the rest, and a cancel keeps it', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await connect(page, faulty, access, settings);
    const sent = faulty.proxy.log.length;
    const faultyMs = await load(page, /^Done/, 90_000);
    const seen = traffic(faulty.proxy, sent);
    const inFlight = mostInFlight(
      faulty.proxy.log.slice(sent),
      settings.timeoutSeconds * 1000,
    );
    const retries = seen.repeated - baseline.traffic.repeated;
    console.log(
      `C10 slow study: ${seen.requests} requests (${retries} retries) in ` +
        `${faultyMs} ms; ${JSON.stringify(seen.outcomes)}; ` +
        `${faulty.proxy.counts.idleCloses} idle connections closed; ` +
        `at most ${inFlight} in flight within their deadline ` +
        `(${faulty.proxy.counts.maxInFlight} with those given up)`,
    );

    // The faults did happen, and every request was tried at most
    // 1 + retries times, with at most `concurrency` in flight.
    expect(seen.outcomes.error).toBeGreaterThan(0);
    expect(seen.outcomes.dropped).toBe(1);
    for (const [path, tries] of seen.paths) {
      const planned = Math.max(1, baseline.traffic.paths.get(path) ?? 0);
      expect(tries, path).toBeLessThanOrEqual(planned * (1 + settings.retries));
    }
    expect(inFlight).toBe(settings.concurrency);

    // Everything but the slow study is there, each resource once.
    const counts = await tableCounts(page);
    const expected = complete(stats).map((row) =>
      row[0] === 'studies_detail'
        ? [row[0], `${stats.CountStudies - 1}`, `${stats.CountStudies - 1}`]
        : row,
    );
    expect(withoutBookkeeping(counts)).toEqual(expected);
    expect(
      await runQuery(
        page,
        `select count(*) from orthanc_data.studies_detail
          where id = '${slowStudy}'`,
      ),
    ).toEqual([['0']]);
    // The page that held it and the study itself are logged, nothing else.
    expect(
      await runQuery(
        page,
        `select resource, path, code from orthanc_data._crawl_errors
          order by path`,
      ),
    ).toEqual([
      ['studies_detail', `/studies/${slowStudy}`, 'timeout'],
      ['studies_detail', '/studies?expand&since=0&limit=500', 'timeout'],
    ]);

    // A second load under the same faults, cancelled while the slow
    // page is held back, leaves every table as it was.
    const before = await tableCounts(page);
    const again = faulty.proxy.log.length;
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect
      .poll(
        () =>
          faulty.proxy.log
            .slice(again)
            .some((event) => event.path.includes('/studies?expand&since=0&')),
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(loadStatus(page)).toHaveText(/^Cancelled/);
    expect(await tableCounts(page)).toEqual(before);
  });
});

test.describe('credentials refused mid-load', () => {
  let stack: Stack;

  test.beforeAll(async () => {
    stack = await startBehind(env.orthancUrl);
  });

  test.afterAll(async () => {
    await stack.close();
  });

  test('stops the load at once and keeps the warehouse', async ({ page }) => {
    // With 5 retries, a retry loop would wait at least 7.75 s in all.
    const settings: Settings = {
      concurrency: 4,
      timeoutSeconds: 5,
      retries: 5,
    };
    await connect(
      page,
      stack,
      {
        url: env.orthancUrl,
        username: env.orthancUser,
        password: env.orthancPassword,
      },
      settings,
    );
    await load(page);
    const before = await tableCounts(page);

    // The server takes the next 6 requests, then refuses the password.
    const sent = stack.proxy.log.length;
    stack.proxy.refuseCredentialsAfter(6);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await loadStatus(page)
      .filter({ hasText: /^Failed/ })
      .waitFor({ timeout: 30_000 });
    const failedAt = Date.now();
    const refused = stack.proxy.log
      .slice(sent)
      .filter((event) => event.outcome === 'unauthorized');
    const firstRefusal = refused[0]?.at ?? Number.NaN;
    console.log(
      `401: the load stopped ${failedAt - firstRefusal} ms after the first ` +
        `refusal; ${refused.length} requests were refused`,
    );

    // No retry loop: only the requests already under way met the 401.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(settings.concurrency);
    expect(failedAt - firstRefusal).toBeLessThan(3000);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Credentials rejected (401)');
    await expect(alert).toContainText('check the username and password');
    expect(await tableCounts(page)).toEqual(before);
  });
});

test('settings out of range say what is allowed, and no load starts', async ({
  page,
}) => {
  await page.goto(env.baseUrl);
  await page.getByLabel('Username').fill(env.orthancUser);
  await page.getByLabel('Password').fill(env.orthancPassword);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Concurrency').fill('40');
  await page.getByLabel('Request timeout (s)').fill('0.2');

  const advice =
    'Concurrency must be a whole number from 1 to 16. Request timeout ' +
    'must be a number from 1 to 600 seconds.';
  const advanced = page.getByRole('group', { name: 'Advanced' });
  await expect(advanced.getByRole('alert')).toHaveText(advice);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(loadStatus(page)).toHaveText(/^Failed/);
  await expect(
    page.getByText(`Fix the Advanced settings: ${advice}`),
  ).toBeVisible();

  // Back to the defaults, the load runs.
  await advanced.getByRole('button', { name: 'Restore defaults' }).click();
  await expect(page.getByLabel('Concurrency')).toHaveValue('4');
  await expect(advanced.getByRole('alert')).toHaveCount(0);
  await load(page);
});

test.describe('Orthanc restarted mid-load', () => {
  let orthanc: OrthancServer;
  let stack: Stack;
  let access: OrthancAccess;

  test.beforeAll(async () => {
    orthanc = await startOrthanc();
    await seedOrthanc(orthanc, {
      files: [],
      generated: 200,
      namespace: 'resilience',
    });
    access = {
      url: orthanc.url,
      username: orthanc.username,
      password: orthanc.password,
    };
    // The instance pages are held back, so that the load is still under
    // way when Orthanc goes down.
    stack = await startBehind(orthanc.url, [
      { path: /^\/instances\?expand/, delayMs: 1500 },
    ]);
  });

  test.afterAll(async () => {
    await stack.close();
    await orthanc.stop();
  });

  /** Resolves once the current load has asked for the instance pages. */
  async function instancePagesAsked(from: number): Promise<void> {
    await expect
      .poll(
        () =>
          stack.proxy.log
            .slice(from)
            .some((event) => event.path.startsWith('/instances?expand')),
        { timeout: 20_000 },
      )
      .toBe(true);
  }

  test('retries bridge a restart, and a second load adds no duplicate', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await connect(page, stack, access, {
      concurrency: 2,
      timeoutSeconds: 5,
      retries: 6,
    });
    const stats = await orthancJson<Statistics>(access, '/statistics');

    const sent = stack.proxy.log.length;
    const started = Date.now();
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await instancePagesAsked(sent);
    await orthanc.halt();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await orthanc.resume();
    const downMs = Date.now() - started;
    await expect(loadStatus(page)).toHaveText(/^Done/, { timeout: 60_000 });
    const seen = traffic(stack.proxy, sent);
    console.log(
      `restart: ${seen.requests} requests (${seen.repeated} repeated), ` +
        `${JSON.stringify(seen.outcomes)}, done ${Date.now() - started} ms ` +
        `after the start, Orthanc back after ${downMs} ms`,
    );

    // The load met the outage, and got past it.
    expect(seen.outcomes.unreachable).toBeGreaterThan(0);
    const first = await tableCounts(page);
    expect(withoutBookkeeping(first)).toEqual(complete(stats));
    expect(first).toContainEqual(['_crawl_errors', '0', '0']);

    await load(page);
    const second = await tableCounts(page);
    expect(withoutBookkeeping(second)).toEqual(complete(stats));
    expect(second).toContainEqual(['_dlt_loads', '2', '0']);
  });

  test('an outage longer than the retries fails cleanly', async ({ page }) => {
    test.setTimeout(90_000);
    await connect(page, stack, access, {
      concurrency: 2,
      timeoutSeconds: 3,
      retries: 1,
    });
    const stats = await orthancJson<Statistics>(access, '/statistics');
    await load(page);
    const before = await tableCounts(page);
    expect(withoutBookkeeping(before)).toEqual(complete(stats));

    const sent = stack.proxy.log.length;
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await instancePagesAsked(sent);
    try {
      await orthanc.halt();
      await expect(loadStatus(page)).toHaveText(/^Failed/, {
        timeout: 30_000,
      });
    } finally {
      await orthanc.resume();
    }
    const message = (await page.getByRole('alert').textContent()) ?? '';
    console.log(`outage: the load failed with "${message}"`);
    expect(message).toMatch(/connection|reach/i);
    expect(await tableCounts(page)).toEqual(before);

    // Back up, a load completes and replaces the first one's rows.
    await load(page);
    const after = await tableCounts(page);
    expect(withoutBookkeeping(after)).toEqual(complete(stats));
    expect(after).toContainEqual(['_dlt_loads', '2', '0']);
  });
});
