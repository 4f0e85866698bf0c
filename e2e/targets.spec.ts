// Named Orthanc targets behind the app's proxy: the real Orthanc as
// "main", the same Orthanc under /orthanc/ behind the shipped nginx
// configuration as "prefixed" (a target with a path prefix), and a third
// whose URL carries credentials that must never show. Each is reachable
// under its own path and offered in the page's list; nothing else is.
import { expect, test } from '@playwright/test';
import { request as httpRequest, createServer, type Server } from 'node:http';

import { freePort } from '../scripts/orthanc.ts';
import { parseTargetsJson } from '../server/orthancTargets.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv } from './env';
import { type RunningNginx, startNginx } from './nginxServer';
import { orthancJson, type Statistics } from './orthancApi';
import { access, loadAll, runQuery } from './pageSteps';

const env = e2eEnv();
const good = basic(env.orthancUser, env.orthancPassword);
const wrong = basic(env.orthancUser, 'not-the-password');
let nginx: RunningNginx;
let app: RunningServer;
let closedPort: number;
const logged: string[] = [];

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

test.beforeAll(async () => {
  nginx = await startNginx({
    upstream: new URL(env.orthancUrl).host,
    origins: [],
  });
  closedPort = await freePort();
  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    targets: [
      { name: 'main', url: env.orthancUrl },
      { name: 'prefixed', url: `${nginx.url}/orthanc/` },
      {
        name: 'with-login',
        url: `http://admin:url-secret@127.0.0.1:${closedPort}/`,
      },
    ],
    distDir: env.distDir,
    log: (line) => logged.push(line),
  });
});

test.afterAll(async () => {
  await app.close();
  await nginx.stop();
});

test('/api/targets lists names and addresses, never credentials', async ({
  request,
}) => {
  const response = await request.get(`${app.url}/api/targets`);

  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({
    targets: [
      { name: 'main', url: env.orthancUrl, path: '/proxy/orthanc/main' },
      {
        name: 'prefixed',
        url: `${nginx.url}/orthanc`,
        path: '/proxy/orthanc/prefixed',
      },
      {
        name: 'with-login',
        url: `http://127.0.0.1:${closedPort}`,
        path: '/proxy/orthanc/with-login',
      },
    ],
  });
  expect(await response.text()).not.toContain('url-secret');
  expect(logged.join('\n')).toContain('"with-login"');
  expect(logged.join('\n')).not.toContain('url-secret');

  const foreign = await request.get(`${app.url}/api/targets`, {
    headers: { Origin: 'http://evil.example' },
  });
  expect(foreign.status()).toBe(403);
});

test('the single ORTHANC_URL stays at /proxy/orthanc', async ({ request }) => {
  const response = await request.get(`${env.baseUrl}/api/targets`);

  expect(await response.json()).toEqual({
    targets: [{ name: 'orthanc', url: env.orthancUrl, path: '/proxy/orthanc' }],
  });
});

test('each target answers under its own path, prefix included', async ({
  request,
}) => {
  const system = await orthancJson<unknown>(access(env), '/system');
  const page = '/studies?expand&since=0&limit=5';
  const studies = await orthancJson<unknown>(access(env), page);

  for (const name of ['main', 'prefixed']) {
    const proxied = `${app.url}/proxy/orthanc/${name}`;
    const answer = await request.get(`${proxied}/system`, {
      headers: { Authorization: good },
    });
    expect(answer.status(), name).toBe(200);
    expect(await answer.json()).toEqual(system);

    const listed = await request.get(`${proxied}${page}`, {
      headers: { Authorization: good },
    });
    expect(await listed.json()).toEqual(studies);
  }
  // "prefixed" went through nginx, under /orthanc/.
  expect(nginx.requestLines()).toEqual(
    expect.arrayContaining([
      'GET /orthanc/system HTTP/1.1',
      `GET /orthanc${page} HTTP/1.1`,
    ]),
  );
});

test('a 401 through a target carries no WWW-Authenticate', async ({
  request,
}) => {
  const direct = await request.get(`${env.orthancUrl}/system`, {
    headers: { Authorization: wrong },
  });
  expect(direct.status()).toBe(401);
  expect(direct.headers()['www-authenticate']).toContain('Basic');

  for (const name of ['main', 'prefixed']) {
    const proxied = await request.get(
      `${app.url}/proxy/orthanc/${name}/system`,
      { headers: { Authorization: wrong } },
    );
    expect(proxied.status(), name).toBe(401);
    expect(proxied.headers()['www-authenticate'], name).toBeUndefined();
  }
});

/** A raw request: no client in between to normalize the path. */
function rawGet(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { hostname, port, path, headers: { Authorization: good } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

test('a target that is not configured is never reached', async () => {
  // A server the deployment did not list, which must see no request.
  const seen: string[] = [];
  const canary: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.end('{}');
  });
  await new Promise<void>((resolve) => {
    canary.listen(0, '127.0.0.1', resolve);
  });
  const address = canary.address();
  const elsewhere =
    typeof address === 'object' && address !== null
      ? `127.0.0.1:${address.port}`
      : '';
  try {
    const attempts = [
      '/proxy/orthanc/other/system',
      // with named targets, the bare prefix leads nowhere either
      '/proxy/orthanc/system',
      `/proxy/orthanc/${elsewhere}/system`,
      `/proxy/orthanc/http://${elsewhere}/system`,
      `/proxy/orthanc/main//${elsewhere}/system`,
      `/proxy/orthanc/main/http://${elsewhere}/system`,
      '/proxy/orthanc/prefixed/../../system',
      '/proxy/orthanc/prefixed/%2e%2e/%2e%2e/system',
      '/proxy/orthanc/main/../prefixed/system',
    ];
    const statuses: Record<string, number> = {};
    for (const path of attempts) {
      statuses[path] = await rawGet(app.url, path);
    }

    for (const path of attempts) {
      expect([400, 404], path).toContain(statuses[path]);
    }
    expect(seen).toEqual([]);
  } finally {
    await new Promise((resolve) => canary.close(resolve));
  }
});

test('the page offers the targets; the one chosen fills the URL and loads', async ({
  page,
}) => {
  const stats = await orthancJson<Statistics>(access(env), '/statistics');
  await page.goto(app.url);
  const picker = page.getByLabel('Proxied servers');
  const urlField = page.getByLabel('Orthanc URL');

  await expect(picker.locator('option')).toHaveText([
    `main — ${env.orthancUrl}`,
    `prefixed — ${nginx.url}/orthanc`,
    `with-login — http://127.0.0.1:${closedPort}`,
  ]);
  // The plain /proxy/orthanc leads nowhere here: the first target is set.
  await expect(urlField).toHaveValue(`${app.url}/proxy/orthanc/main`);

  await picker.selectOption('prefixed');
  await expect(urlField).toHaveValue(`${app.url}/proxy/orthanc/prefixed`);
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
  expect(
    nginx.requestLines().filter((line) => line.includes('/orthanc/instances?')),
  ).not.toEqual([]);

  // The other target is reachable from the page too.
  await picker.selectOption('main');
  await expect(urlField).toHaveValue(`${app.url}/proxy/orthanc/main`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toContainText(
    `${stats.CountInstances}`,
  );

  // A URL typed by hand is no target: the list says so.
  await urlField.fill(env.orthancUrl);
  await expect(picker).toHaveValue('');
});

test('a targets file that names a target badly stops the server', () => {
  const parse = (json: string) => () => parseTargetsJson(json, 'targets.json');

  expect(
    parseTargetsJson(
      '[{"name": "main", "url": "http://a:8042"}, {"name": "b-2", "url": "http://b/"}]',
      'targets.json',
    ),
  ).toEqual([
    { name: 'main', url: 'http://a:8042' },
    { name: 'b-2', url: 'http://b/' },
  ]);
  expect(parse('[]')).toThrow('non-empty JSON array');
  expect(parse('{"main": "http://a"}')).toThrow('non-empty JSON array');
  expect(parse('[{"name": "../x", "url": "http://a"}]')).toThrow(
    'entry 1: "name" must be',
  );
  expect(
    parse(
      '[{"name": "a", "url": "http://a"}, {"name": "a", "url": "http://b"}]',
    ),
  ).toThrow('"a" is used twice');
  expect(parse('[{"name": "a"}]')).toThrow('"url" must be a string');
  expect(parse('[{"name": "a", "url": ')).toThrow('not valid JSON');
});
