// Credentials reach the server and nowhere else. A deployment guarded by
// its own distinctive password, bearer token or custom header (see
// credentialGate.ts) is loaded through the app's proxy; the warehouse,
// every Parquet export, the browser's storage and the page's URL are then
// searched for the secret and its Base64 forms, and hold none of them.
// "Remember for this session" keeps them in sessionStorage only, until
// "Forget".

import { expect, test, type Page } from '@playwright/test';

import { startServer, type RunningServer } from '../server/startServer.ts';
import { type CredentialGate, startCredentialGate } from './credentialGate';
import {
  exportTables,
  needlesOf,
  readBrowserStorage,
  searchOpfs,
  searchParquet,
  searchWarehouse,
} from './credentialSearch';
import { e2eEnv } from './env';
import { orthancJson } from './orthancApi';
import { loadAll, pickResources } from './pageSteps';

const env = e2eEnv();
const USERNAME = 'radiologist';
const PASSWORD = 'Kestrel-93814-Zq7!';
const TOKEN = 'tok.Osprey-55102-Vx9';
const resources = ['patients_detail', 'studies_detail', 'series', 'changes'];

/** A gate that wants `expect`, and the app server proxying to it. */
async function guarded(expected: { name: string; value: string }) {
  const gate = await startCredentialGate({
    orthancUrl: env.orthancUrl,
    orthancUser: env.orthancUser,
    orthancPassword: env.orthancPassword,
    expect: expected,
  });
  const app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: gate.url,
    distDir: env.distDir,
  });
  return { gate, app };
}

let basicGate: { gate: CredentialGate; app: RunningServer };

test.beforeAll(async () => {
  const basic = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
  basicGate = await guarded({
    name: 'authorization',
    value: `Basic ${basic}`,
  });
});

test.afterAll(async () => {
  await basicGate.app.close();
  await basicGate.gate.close();
});

async function testConnection(page: Page) {
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('region', { name: 'Server' })).toBeVisible();
}

/** A patient's Orthanc ID: a value the warehouse must hold, so that the
 *  searches are seen to find what is there. */
async function knownPatientId(): Promise<string> {
  const ids = await orthancJson<string[]>(
    {
      url: env.orthancUrl,
      username: env.orthancUser,
      password: env.orthancPassword,
    },
    '/patients',
  );
  const [id] = ids;
  if (id === undefined) throw new Error('the test Orthanc has no patients');
  return id;
}

/** Loads, exports and searches: nothing of the secret anywhere. */
async function expectNoTrace(
  page: Page,
  appUrl: string,
  secretNeedles: string[],
  outputPath: (name: string) => string,
) {
  const control = await knownPatientId();
  const needles = [control, ...secretNeedles];
  const nothing = secretNeedles.map(() => 0);

  const [present = 0, ...inWarehouse] = await searchWarehouse(page, needles);
  expect(present).toBeGreaterThan(0);
  expect(inWarehouse).toEqual(nothing);

  const files = await exportTables(page, outputPath);
  const [exported = 0, ...inExports] = await searchParquet(files, needles);
  expect(exported).toBeGreaterThan(0);
  expect(inExports).toEqual(nothing);

  const storage = JSON.stringify(await readBrowserStorage(page));
  for (const needle of secretNeedles) {
    expect(storage).not.toContain(needle);
    expect(page.url()).not.toContain(needle);
    expect(decodeURIComponent(page.url())).not.toContain(needle);
  }

  const opfs = await searchOpfs(page, appUrl, secretNeedles);
  expect(opfs.files).toContain('/orthanc-warehouse.db');
  expect(opfs.hits).toEqual([]);
}

test('a distinctive password is nowhere after a load and its exports', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const { gate, app } = basicGate;
  await page.goto(app.url);
  // typed inside the URL: it moves into the fields and out of the URL
  await page
    .getByLabel('Orthanc URL')
    .fill(
      `${app.url.replace('://', `://${USERNAME}:${encodeURIComponent(PASSWORD)}@`)}/proxy/orthanc`,
    );
  await testConnection(page);
  await expect(page.getByLabel('Orthanc URL')).toHaveValue(
    `${app.url}/proxy/orthanc`,
  );
  await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);

  await pickResources(page, resources);
  await loadAll(page);
  expect(gate.refused).toEqual([]);
  expect(gate.accepted).toBeGreaterThan(10);

  await expectNoTrace(page, app.url, needlesOf(PASSWORD, USERNAME), (name) =>
    testInfo.outputPath(name),
  );
});

test('a bearer token is sent on every request and kept nowhere', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const { gate, app } = await guarded({
    name: 'authorization',
    value: `Bearer ${TOKEN}`,
  });
  try {
    await page.goto(app.url);
    await page.getByLabel('Credentials').selectOption('Bearer token');
    await page.getByLabel('Token').fill(TOKEN);
    await testConnection(page);
    await pickResources(page, resources);
    await loadAll(page);
    expect(gate.refused).toEqual([]);
    expect(gate.accepted).toBeGreaterThan(10);

    await expectNoTrace(page, app.url, needlesOf(TOKEN), (name) =>
      testInfo.outputPath(name),
    );
  } finally {
    await app.close();
    await gate.close();
  }
});

test('a custom header passes the proxy; a wrong one is a 401 that says so', async ({
  page,
}) => {
  const { gate, app } = await guarded({ name: 'token', value: TOKEN });
  try {
    await page.goto(app.url);
    await page.getByLabel('Credentials').selectOption('Custom header');
    await expect(page.getByLabel('Header name')).toHaveValue('token');
    await page.getByLabel('Header value').fill(`${TOKEN}-old`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      'Credentials rejected (401): check the token header, its name and its value.',
    );

    await page.getByLabel('Header value').fill(TOKEN);
    await testConnection(page);
    expect(gate.accepted).toBe(2);
    expect(gate.refused).toEqual(['/system']);
  } finally {
    await app.close();
    await gate.close();
  }
});

test('"Remember for this session" keeps the password in sessionStorage until "Forget"', async ({
  page,
}) => {
  const { app } = basicGate;
  const needles = needlesOf(PASSWORD, USERNAME);
  await page.goto(app.url);
  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await testConnection(page);

  // not remembered: a reload finds nothing
  let storage = JSON.stringify(await readBrowserStorage(page));
  expect(storage).not.toContain(PASSWORD);
  await page.reload();
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.getByLabel('Username').fill(USERNAME);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Remember for this session').check();
  const remembered = await readBrowserStorage(page);
  expect(JSON.stringify(remembered.session)).toContain(PASSWORD);
  for (const needle of needles) {
    expect(JSON.stringify(remembered.local)).not.toContain(needle);
    expect(JSON.stringify(remembered.indexedDb)).not.toContain(needle);
  }

  // a reload of the tab finds the form filled in, and it works
  await page.reload();
  await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);
  await expect(page.getByLabel('Remember for this session')).toBeChecked();
  await testConnection(page);

  await page.getByRole('button', { name: 'Forget' }).click();
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(page.getByLabel('Remember for this session')).not.toBeChecked();
  storage = JSON.stringify(await readBrowserStorage(page));
  for (const needle of needles) expect(storage).not.toContain(needle);
  await page.reload();
  await expect(page.getByLabel('Password')).toHaveValue('');
});
