// An https page and an http server (C09): the page says "mixed content"
// before any request leaves. Chromium counts loopback as trustworthy, so
// the page is served over TLS as https://app.test and the server is
// reached as http://pacs.test, both names mapped to 127.0.0.1. The
// browser flags are per worker, hence a spec file of its own.

import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer, type RunningServer } from '../server/startServer.ts';
import { e2eEnv } from './env';

test.use({
  ignoreHTTPSErrors: true,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP app.test 127.0.0.1, MAP pacs.test 127.0.0.1',
    ],
  },
});

const env = e2eEnv();

interface Listening {
  port: number;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let folder: string;
let pacs: Listening;
let pacsRequests = 0;
let app: RunningServer;
let front: Listening;

test.beforeAll(async () => {
  // a plain-HTTP server with CORS, so that only mixed content can stop it
  pacs = await listen(
    http.createServer((request, response) => {
      pacsRequests++;
      const origin = request.headers.origin ?? '*';
      response
        .writeHead(request.method === 'OPTIONS' ? 204 : 200, {
          'access-control-allow-origin': origin,
          'access-control-allow-headers': 'Authorization',
          'content-type': 'text/html',
        })
        .end('<!doctype html><title>not Orthanc</title>');
    }),
  );
  app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: env.orthancUrl,
    distDir: env.distDir,
    directOrigins: [
      `http://pacs.test:${pacs.port}`,
      `http://127.0.0.1:${pacs.port}`,
    ],
  });

  // TLS in front of the app server, with a certificate made for the test
  folder = mkdtempSync(join(tmpdir(), 'mixed-'));
  const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=app.test',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
  const upstream = new URL(app.url);
  front = await listen(
    https.createServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (request, response) => {
        const forwarded = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: request.url,
            method: request.method,
            headers: request.headers,
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        forwarded.on('error', () => response.destroy());
        request.pipe(forwarded);
      },
    ),
  );
});

test.afterAll(async () => {
  await front.close();
  await app.close();
  await pacs.close();
  rmSync(folder, { recursive: true, force: true });
});

test('an https page calling an http server says "mixed content" first (C09)', async ({
  page,
}) => {
  await page.goto(`https://app.test:${front.port}`);
  expect(new URL(page.url()).protocol).toBe('https:');

  await page.getByLabel('Orthanc URL').fill(`http://pacs.test:${pacs.port}`);
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Mixed content blocked: this page is served over HTTPS and cannot call an http:// server. Use an https:// URL or the proxied URL.',
  );
  expect(pacsRequests).toBe(0);

  // loopback is trustworthy: the same server by address is reached
  await page.getByLabel('Orthanc URL').fill(`http://127.0.0.1:${pacs.port}`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toContainText('web page');
  expect(pacsRequests).toBeGreaterThan(0);
});
