// "Test connection" against real servers that stand in the way, called
// directly from the page and through the app's proxy: each cause has its
// own message and fix, and none is reported as a wrong password unless
// the server said 401 where the page could read it (C01, C02, C09).

import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../scripts/orthanc.ts';
import { startServer, type RunningServer } from '../server/startServer.ts';
import { type CredentialGate, startCredentialGate } from './credentialGate';
import { e2eEnv } from './env';
import { type FaultProxy, startFaultProxy } from './faultProxy';

const env = e2eEnv();

interface Stub {
  url: string;
  close(): Promise<void>;
}

/** Listens on a free loopback port; close() drops open connections. */
async function serve(
  server: http.Server | https.Server,
  scheme: 'http' | 'https',
): Promise<Stub> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** CORS headers for the calling origin, as a well-set reverse proxy. */
function cors(request: http.IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  return origin === undefined
    ? {}
    : {
        'access-control-allow-origin': origin,
        'access-control-allow-headers': 'Authorization',
      };
}

/** Answers every request with `status` and `body`, CORS included. */
function stub(status: number, type: string, body: string) {
  return http.createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors(request)).end();
      return;
    }
    response
      .writeHead(status, { ...cors(request), 'content-type': type })
      .end(body);
  });
}

const WEB_PAGE = '<!doctype html><title>Welcome to nginx!</title><h1>Hi</h1>';

let folder: string;
let orthancCors: FaultProxy;
let headerBlind: CredentialGate;
let webPage: Stub;
let forbidden: Stub;
let selfSigned: Stub;
let hanging: Stub;
let refusedUrl: string;
let app: RunningServer;

test.beforeAll(async () => {
  orthancCors = await startFaultProxy(env.orthancUrl, [], { cors: true });
  // C01's variant: CORS for the origin, but Authorization left out
  const basic = Buffer.from(
    `${env.orthancUser}:${env.orthancPassword}`,
  ).toString('base64');
  headerBlind = await startCredentialGate({
    orthancUrl: env.orthancUrl,
    orthancUser: env.orthancUser,
    orthancPassword: env.orthancPassword,
    expect: { name: 'authorization', value: `Basic ${basic}` },
    corsHeaders: ['Accept'],
  });
  webPage = await serve(stub(200, 'text/html', WEB_PAGE), 'http');
  forbidden = await serve(
    stub(403, 'application/json', '{"Message":"forbidden"}'),
    'http',
  );

  folder = mkdtempSync(join(tmpdir(), 'diagnosis-'));
  const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
  selfSigned = await serve(
    https.createServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (request, response) => {
        response.writeHead(200, cors(request)).end('{}');
      },
    ),
    'https',
  );
  hanging = await serve(
    http.createServer(() => {
      // never answers
    }),
    'http',
  );
  refusedUrl = `http://127.0.0.1:${await freePort()}`;

  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: env.orthancUrl,
    distDir: env.distDir,
    directOrigins: [
      orthancCors.url,
      headerBlind.url,
      webPage.url,
      forbidden.url,
      selfSigned.url,
      hanging.url,
      refusedUrl,
      env.orthancUrl,
    ],
  });
});

test.afterAll(async () => {
  await app.close();
  for (const server of [webPage, forbidden, selfSigned, hanging]) {
    await server.close();
  }
  await headerBlind.close();
  await orthancCors.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Tests the connection to `url` and returns the alert's locator. */
async function diagnose(
  page: Page,
  url: string,
  password = env.orthancPassword,
  appUrl = app.url,
) {
  await page.goto(appUrl);
  await page.getByLabel('Orthanc URL').fill(url);
  await page.getByLabel('Username').fill(env.orthancUser);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible({ timeout: 20_000 });
  return alert;
}

/** An app server proxying to `orthancUrl`, for the duration of `use`. */
async function proxiedTo(
  orthancUrl: string,
  use: (appUrl: string) => Promise<void>,
) {
  const proxied = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl,
    distDir: env.distDir,
  });
  try {
    await use(proxied.url);
  } finally {
    await proxied.close();
  }
}

test('CORS left out, even with a wrong password, is never a password problem (C01)', async ({
  page,
}) => {
  const exact =
    'Blocked by CORS preflight. Use a proxy that answers OPTIONS with 204 and allows the Authorization header.';
  let alert = await diagnose(page, env.orthancUrl, 'wrong-password');
  await expect(alert).toHaveText(exact);

  alert = await diagnose(page, headerBlind.url);
  await expect(alert).toHaveText(exact);
  expect(headerBlind.accepted).toBe(0);
});

test('a custom header the preflight does not allow is named', async ({
  page,
}) => {
  await page.goto(app.url);
  await page.getByLabel('Orthanc URL').fill(orthancCors.url);
  await page.getByLabel('Credentials').selectOption('Custom header');
  await page.getByLabel('Header value').fill('tk-1');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Blocked by CORS preflight. Use a proxy that answers OPTIONS with 204 and allows the token header.',
  );
});

test('401 and 403 each say what to fix (C02)', async ({ page }) => {
  let alert = await diagnose(page, orthancCors.url, 'wrong-password');
  await expect(alert).toHaveText(
    'Credentials rejected (401): check the username and password.',
  );

  alert = await diagnose(page, forbidden.url);
  await expect(alert).toHaveText(
    'Forbidden (403): the server accepts these credentials but does not let them read /system. Ask its administrator for read access to the REST API.',
  );
});

test('a web page is not an Orthanc, directly or through the proxy', async ({
  page,
}) => {
  const message =
    "The server answered with a web page, not Orthanc's REST API: check the URL.";
  await expect(await diagnose(page, webPage.url)).toHaveText(message);

  const plain = await serve(stub(200, 'text/html', WEB_PAGE), 'http');
  try {
    await proxiedTo(plain.url, async (appUrl) => {
      const alert = await diagnose(
        page,
        `${appUrl}/proxy/orthanc`,
        env.orthancPassword,
        appUrl,
      );
      await expect(alert).toHaveText(message);
    });
  } finally {
    await plain.close();
  }
});

test('a wrong path prefix names where Orthanc answers', async ({ page }) => {
  let alert = await diagnose(page, `${orthancCors.url}/orthanc/`);
  await expect(alert).toHaveText(
    `Orthanc answers at ${orthancCors.url}, not at ${orthancCors.url}/orthanc: check the path. Use ${orthancCors.url}.`,
  );

  const proxied = `${app.url}/proxy/orthanc`;
  alert = await diagnose(page, `${proxied}/api`);
  await expect(alert).toContainText(
    `Orthanc answers at ${proxied}, not at ${proxied}/api: check the path.`,
  );
});

test('an untrusted certificate, and https to a plain port (C09)', async ({
  page,
}) => {
  // directly, the browser hides which: the message names the certificate
  let alert = await diagnose(page, selfSigned.url);
  await expect(alert).toContainText(
    `Could not open a secure connection to ${selfSigned.url}: certificate not trusted`,
  );
  await expect(alert).not.toContainText(/CORS|password|401/);

  // through the proxy, the server tells the two apart
  await proxiedTo(selfSigned.url, async (appUrl) => {
    alert = await diagnose(
      page,
      `${appUrl}/proxy/orthanc`,
      env.orthancPassword,
      appUrl,
    );
    await expect(alert).toContainText(
      `The TLS certificate of ${selfSigned.url} is not trusted`,
    );
  });
  const plainPort = new URL(env.orthancUrl).port;
  await proxiedTo(`https://127.0.0.1:${plainPort}`, async (appUrl) => {
    alert = await diagnose(
      page,
      `${appUrl}/proxy/orthanc`,
      env.orthancPassword,
      appUrl,
    );
    await expect(alert).toContainText(
      'this port probably does not speak HTTPS',
    );
  });
});

test('a refused port and a server that hangs', async ({ page }) => {
  let alert = await diagnose(page, refusedUrl);
  await expect(alert).toHaveText(
    `Nothing answers at ${refusedUrl}: the host name is unknown, the server is down or the port is wrong. Check the URL.`,
  );

  await proxiedTo(refusedUrl, async (appUrl) => {
    alert = await diagnose(
      page,
      `${appUrl}/proxy/orthanc`,
      env.orthancPassword,
      appUrl,
    );
    await expect(alert).toContainText('(connection refused)');
  });

  await page.goto(app.url);
  await page.locator('summary', { hasText: 'Advanced' }).click();
  await page.getByLabel('Request timeout (s)').fill('1');
  await page.getByLabel('Orthanc URL').fill(hanging.url);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The server did not answer /system within 1 s. The server is slow or a firewall drops the connection: check the URL, or raise the Request timeout under Advanced.',
  );
});
