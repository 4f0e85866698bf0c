// A full load that fails part-way and is resumed after a reload, against
// the real Orthanc behind the fault proxy: the proxy lets 4 pages through
// and then answers 503 to everything (a server gone, with no retries
// left). The failed load leaves every table as it was and its staging in
// the saved warehouse; after a reload the Load panel offers Resume, which
// requests only the pages the first attempt lacked, and every table then
// equals what a fresh load into a browser context of its own gives
// (compared in SQL without `_dlt_id`, `_dlt_load_id` and each load's own
// bookkeeping, as sync.spec.ts does).

import { expect, type Page, test } from '@playwright/test';

import { e2eEnv } from './env';
import type { OrthancAccess } from './orthancApi';
import { runQuery } from './pageSteps';
import { dataColumns, fingerprints } from './tableDigests';
import {
  connect,
  load,
  loadStatus,
  type Settings,
  type Stack,
  startBehind,
} from './resilienceSteps';

const env = e2eEnv();
const access: OrthancAccess = {
  url: env.orthancUrl,
  username: env.orthancUser,
  password: env.orthancPassword,
};
/** One request at a time, none tried again: the 503s end the load. */
const settings: Settings = { concurrency: 1, timeoutSeconds: 5, retries: 0 };
const isPage = (path: string) => /\?expand&since=\d+&limit=/.test(path);
const stopped = (page: Page) =>
  page.getByRole('region', { name: 'Stopped load' });

test.describe('a load that fails, resumed after a reload', () => {
  let stack: Stack;

  test.beforeAll(async () => {
    stack = await startBehind(env.orthancUrl);
  });

  test.afterAll(async () => {
    await stack.close();
  });

  test('fetches only the missing pages and equals a fresh load', async ({
    page,
    browser,
  }) => {
    test.setTimeout(90_000);
    const started = Date.now();
    await connect(page, stack, access, settings);

    // a first load: the tables the failed one must leave as they are
    let sent = stack.proxy.requests.length;
    await load(page);
    const fullPages = stack.proxy.requests.slice(sent).filter(isPage);
    const before = await fingerprints(page, await dataColumns(page));

    // 4 pages go through, then the server answers 503 to everything
    stack.proxy.failAfter(4, 503, /\?expand&since=/);
    sent = stack.proxy.log.length;
    const failedMs = await load(page, /^Failed/);
    const fetched = stack.proxy.log
      .slice(sent)
      .filter((e) => e.outcome === 'forwarded' && isPage(e.path))
      .map((e) => e.path);
    expect(fetched).toHaveLength(4);
    await expect(loadStatus(page)).toHaveText(
      'Failed: the tables are as before; what it fetched is staged for Resume.',
    );
    expect(await fingerprints(page, await dataColumns(page))).toEqual(before);
    const said =
      /^A load stopped at \d\d:\d\d after 2 of 13 resources \(4 of 8 pages\), [\d,]+ rows staged\.$/;
    await expect(stopped(page).locator('p').first()).toHaveText(said);
    // its record names the server, never the credentials
    const record = await runQuery(
      page,
      `select length(record), contains(record, '${access.password}')
       from orthanc_data_staging._staged_load`,
    );
    expect(record).toEqual([[expect.stringMatching(/^\d+$/), 'false']]);
    const recordBytes = record[0]?.[0] ?? '';

    // the staged load survives a reload; Resume waits for a connection
    stack.proxy.heal();
    await page.reload();
    await expect(stopped(page).locator('p').first()).toHaveText(said);
    await expect(stopped(page)).toContainText('It failed:');
    const resume = stopped(page).getByRole('button', { name: 'Resume' });
    await expect(resume).toBeDisabled();
    await page.getByLabel('Username').fill(access.username);
    await page.getByLabel('Password').fill(access.password);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(resume).toBeEnabled();

    sent = stack.proxy.requests.length;
    const resumeStarted = Date.now();
    await resume.click();
    await expect(loadStatus(page)).toHaveText(/^Done/, { timeout: 30_000 });
    const resumedMs = Date.now() - resumeStarted;
    const resumed = stack.proxy.requests.slice(sent);
    const resumedPages = resumed.filter(isPage);
    await expect(stopped(page)).toHaveCount(0);

    // the pages fetched before are not fetched again; the others are
    expect(resumedPages.filter((path) => fetched.includes(path))).toEqual([]);
    expect([...fetched, ...resumedPages].sort()).toEqual([...fullPages].sort());
    expect(resumedPages.length).toBeLessThan(fullPages.length);
    await expect(page.locator('.load-summary')).toContainText(
      'Resumed: 2 of 2 pages were staged before the load stopped',
    );

    // one load more in _dlt_loads; the 503s of the first attempt, staged
    // in its _crawl_errors, went with the tables read again
    expect(
      await runQuery(
        page,
        `select (select count(*) from orthanc_data._dlt_loads),
                (select count(*) from orthanc_data._crawl_errors)`,
      ),
    ).toEqual([['2', '0']]);

    // every table as a fresh load into an empty warehouse has it
    const other = await browser.newContext();
    const fresh = await other.newPage();
    await connect(fresh, stack, access, settings);
    await load(fresh);
    const columns = await dataColumns(fresh);
    expect([...(await dataColumns(page)).keys()]).toEqual([...columns.keys()]);
    const loaded = await fingerprints(fresh, columns);
    expect(await fingerprints(page, columns)).toEqual(loaded);
    expect(loaded.map(([table]) => table)).toContain('instances_detail');
    await other.close();

    console.log(
      `resume: a full load requests ${fullPages.length} pages; the failed ` +
        `one staged ${fetched.length} and failed after ${failedMs} ms; the ` +
        `resumed one made ${resumed.length} requests, ${resumedPages.length} ` +
        `of them pages, in ${resumedMs} ms; its record took ` +
        `${recordBytes} characters; test ${Date.now() - started} ms`,
    );
  });
});
