// Calling an Orthanc directly from the page, without our proxy: it works
// when the server sends CORS headers and the deployment names its origin
// (ORTHANC_DIRECT_ORIGINS); otherwise the page says which of the two is
// missing, and never blames the password.

import { expect, test, type Page } from '@playwright/test';

import { startServer, type RunningServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { type FaultProxy, startFaultProxy } from './faultProxy';
import { orthancJson, type Statistics } from './orthancApi';

const env = e2eEnv();
let withCors: FaultProxy;
let app: RunningServer;

test.beforeAll(async () => {
  withCors = await startFaultProxy(env.orthancUrl, [], { cors: true });
  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: env.orthancUrl,
    distDir: env.distDir,
    directOrigins: [withCors.url, env.orthancUrl],
  });
});

test.afterAll(async () => {
  await app.close();
  await withCors.close();
});

async function connectTo(page: Page, url: string) {
  await page.goto(app.url);
  await page.getByLabel('Orthanc URL').fill(url);
  await page.getByLabel('Username').fill(env.orthancUser);
  await page.getByLabel('Password').fill(env.orthancPassword);
  await page.getByRole('button', { name: 'Test connection' }).click();
}

test('a CORS-enabled Orthanc is loaded directly', async ({ page }) => {
  const stats = await orthancJson<Statistics>(
    {
      url: env.orthancUrl,
      username: env.orthancUser,
      password: env.orthancPassword,
    },
    '/statistics',
  );
  const proxied: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/proxy/')) proxied.push(request.url());
  });

  await connectTo(page, withCors.url);
  await expect(page.getByRole('region', { name: 'Server' })).toContainText(
    `${stats.CountInstances}`,
  );
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Load status' })).toContainText(
    /done/i,
    { timeout: 60_000 },
  );

  await page.getByRole('tab', { name: 'SQL' }).click();
  await page
    .getByLabel('SQL query')
    .fill('select count(*) from orthanc_data.instances_detail');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(
    page.getByRole('table', { name: 'Query result' }).locator('tbody td'),
  ).toHaveText([`${stats.CountInstances}`]);
  expect(proxied).toEqual([]);
  expect(withCors.requests.some((path) => path.includes('expand'))).toBe(true);
});

test('an Orthanc without CORS is reported as such (C01)', async ({ page }) => {
  await connectTo(page, env.orthancUrl);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Blocked by CORS preflight');
  await expect(alert).not.toContainText(/password|401/i);
  await expect(
    page.getByRole('button', { name: 'Load', exact: true }),
  ).toBeDisabled();
});

test('an origin the deployment does not allow names the setting', async ({
  page,
}) => {
  const elsewhere = await startFaultProxy(env.orthancUrl, [], { cors: true });
  try {
    await connectTo(page, elsewhere.url);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('ORTHANC_DIRECT_ORIGINS');
    await expect(alert).toContainText(elsewhere.url);
    expect(elsewhere.requests).toEqual([]);
  } finally {
    await elsewhere.close();
  }
});
