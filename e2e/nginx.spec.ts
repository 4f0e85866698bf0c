// Direct mode through the shipped deploy/nginx/orthanc-cors.conf: nginx
// on its own port in front of the real Orthanc, listing the origin of one
// app server ("listed") and not of another ("unlisted"). The page loads
// from Orthanc without the app's proxy; the preflight never needs
// credentials; errors carry the CORS headers and no login challenge (C01).
import { expect, type Page, test } from '@playwright/test';

import { freePort } from '../scripts/orthanc.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { type RunningNginx, startNginx } from './nginxServer';
import { orthancJson, type Statistics } from './orthancApi';
import { access, loadAll, runQuery } from './pageSteps';

const env = e2eEnv();
const good = basic(env.orthancUser, env.orthancPassword);
const wrong = basic(env.orthancUser, 'not-the-password');
let nginx: RunningNginx;
let listed: RunningServer;
let unlisted: RunningServer;

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

test.beforeAll(async () => {
  // Each side names the other: the page's CSP names nginx, nginx's map
  // names the page.
  const port = await freePort();
  const nginxOrigin = `http://127.0.0.1:${port}`;
  const appOptions = {
    host: '127.0.0.1',
    port: 0,
    orthancUrl: env.orthancUrl,
    distDir: env.distDir,
    directOrigins: [nginxOrigin],
  };
  listed = await startServer(appOptions);
  unlisted = await startServer(appOptions);
  nginx = await startNginx({
    port,
    upstream: new URL(env.orthancUrl).host,
    origins: [listed.url],
  });
});

test.afterAll(async () => {
  await nginx.stop();
  await listed.close();
  await unlisted.close();
});

const preflight = (origin: string) => ({
  Origin: origin,
  'Access-Control-Request-Method': 'GET',
  'Access-Control-Request-Headers': 'authorization',
});

test('nginx answers the preflight itself, without credentials', async ({
  request,
}) => {
  // Orthanc alone refuses a preflight (C01): it has no credentials.
  const atOrthanc = await request.fetch(`${env.orthancUrl}/system`, {
    method: 'OPTIONS',
    headers: preflight(listed.url),
  });
  expect(atOrthanc.status()).toBe(401);

  const answer = await request.fetch(`${nginx.url}/orthanc/system`, {
    method: 'OPTIONS',
    headers: preflight(listed.url),
  });
  expect(answer.status()).toBe(204);
  const headers = answer.headers();
  expect(headers['access-control-allow-origin']).toBe(listed.url);
  expect(headers['access-control-allow-headers']).toBe('Authorization');
  expect(headers['access-control-allow-methods']).toBe('GET, HEAD');
  expect(headers['www-authenticate']).toBeUndefined();

  // An origin that is not listed is told nothing.
  const other = await request.fetch(`${nginx.url}/orthanc/system`, {
    method: 'OPTIONS',
    headers: preflight(unlisted.url),
  });
  expect(other.status()).toBe(204);
  expect(other.headers()['access-control-allow-origin']).toBeUndefined();
});

test('answers and errors carry CORS headers, and no login challenge', async ({
  request,
}) => {
  const get = (path: string, authorization: string, origin = listed.url) =>
    request.get(`${nginx.url}/orthanc${path}`, {
      headers: { Authorization: authorization, Origin: origin },
    });

  const ok = await get('/system', good);
  expect(ok.status()).toBe(200);
  expect(ok.headers()['access-control-allow-origin']).toBe(listed.url);
  expect(ok.headers()['vary']).toContain('Origin');

  const rejected = await get('/system', wrong);
  expect(rejected.status()).toBe(401);
  expect(rejected.headers()['access-control-allow-origin']).toBe(listed.url);
  expect(rejected.headers()['www-authenticate']).toBeUndefined();
  const direct = await request.get(`${env.orthancUrl}/system`, {
    headers: { Authorization: wrong },
  });
  expect(direct.headers()['www-authenticate']).toContain('Basic');

  const missing = await get('/studies/no-such-study', good);
  expect(missing.status()).toBe(404);
  expect(missing.headers()['access-control-allow-origin']).toBe(listed.url);

  const foreign = await get('/system', good, unlisted.url);
  expect(foreign.status()).toBe(200);
  expect(foreign.headers()['access-control-allow-origin']).toBeUndefined();
});

/** What `fetch` from the page gives: a status, or the error's name. */
async function fetchFromPage(
  page: Page,
  url: string,
  authorization: string,
): Promise<string> {
  return page.evaluate(
    async ({ url, authorization }) => {
      try {
        const answer = await fetch(url, { headers: { authorization } });
        return `${answer.status}`;
      } catch (error) {
        return error instanceof Error ? error.name : String(error);
      }
    },
    { url, authorization },
  );
}

test('the browser lets the listed origin in and blocks the other', async ({
  page,
}) => {
  const system = `${nginx.url}/orthanc/system`;

  await page.goto(listed.url);
  expect(await fetchFromPage(page, system, good)).toBe('200');
  // A wrong password is a status the page can read, not a network error.
  expect(await fetchFromPage(page, system, wrong)).toBe('401');

  await page.goto(unlisted.url);
  expect(await fetchFromPage(page, system, good)).toBe('TypeError');
});

test('the page loads from Orthanc through nginx, without the proxy', async ({
  page,
}) => {
  const stats = await orthancJson<Statistics>(access(env), '/statistics');
  const proxied: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/proxy/')) proxied.push(request.url());
  });

  await page.goto(listed.url);
  await page.getByLabel('Orthanc URL').fill(`${nginx.url}/orthanc/`);
  await page
    .getByRole('textbox', { name: 'Username', exact: true })
    .fill(env.orthancUser);
  await page.getByLabel('Password', { exact: true }).fill(env.orthancPassword);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toContainText(
    `${stats.CountInstances}`,
  );
  await loadAll(page);

  expect(
    await runQuery(page, 'select count(*) from orthanc_data.instances_detail'),
  ).toEqual([[`${stats.CountInstances}`]]);
  expect(proxied).toEqual([]);
  expect(
    nginx.requestLines().filter((line) => line.includes('/orthanc/instances?')),
  ).not.toEqual([]);
});

test('a wrong password through nginx is reported as such', async ({ page }) => {
  await page.goto(listed.url);
  await page.getByLabel('Orthanc URL').fill(`${nginx.url}/orthanc`);
  await page
    .getByRole('textbox', { name: 'Username', exact: true })
    .fill(env.orthancUser);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Test connection' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('401');
  await expect(alert).not.toContainText(/CORS/);
});

test('an Orthanc that is down is a 502 that still carries the headers', async ({
  request,
}) => {
  const down = await startNginx({
    upstream: `127.0.0.1:${await freePort()}`,
    origins: [listed.url],
  });
  try {
    const answer = await request.get(`${down.url}/orthanc/system`, {
      headers: { Authorization: good, Origin: listed.url },
    });
    expect(answer.status()).toBe(502);
    expect(answer.headers()['access-control-allow-origin']).toBe(listed.url);
  } finally {
    await down.stop();
  }
});
