// The app server at the HTTP level: the Orthanc proxy against the real
// Orthanc(s) of the global setup, its failure reports against small
// loopback servers that refuse, hang, reset or speak the wrong protocol,
// and the static files of the built page.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import {
  createServer as createHttpServer,
  get as httpGet,
  type IncomingHttpHeaders,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  type Server,
  type Socket,
  createServer as createTcpServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { freePort } from '../scripts/orthanc.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { e2eEnv } from './env.ts';

const env = e2eEnv();

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Starts an app server against `orthancUrl`, keeping what it logs. */
async function appServer(
  orthancUrl: string,
  upstreamTimeoutMs?: number,
): Promise<RunningServer & { logged: string[] }> {
  const logged: string[] = [];
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl,
    distDir: env.distDir,
    ...(upstreamTimeoutMs === undefined ? {} : { upstreamTimeoutMs }),
    log: (line) => logged.push(line),
  });
  return { ...server, logged };
}

const openSockets = new WeakMap<Server, Set<Socket>>();

/** Listens on a free loopback port, tracking sockets for close(). */
async function listen(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

async function close(server: Server): Promise<void> {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
}

for (const target of env.targets) {
  test.describe(`proxy to Orthanc ${target.orthancVersion}`, () => {
    const good = basic(target.orthancUser, target.orthancPassword);

    test('good credentials get the real /system', async ({ request }) => {
      const direct = await request.get(`${target.orthancUrl}/system`, {
        headers: { Authorization: good },
      });
      const proxied = await request.get(
        `${target.baseUrl}/proxy/orthanc/system`,
        { headers: { Authorization: good } },
      );

      expect(proxied.status()).toBe(200);
      const system = (await proxied.json()) as Record<string, unknown>;
      expect(system.Version).toBe(target.orthancVersion);
      expect(system).toEqual(await direct.json());
    });

    test('an expanded page passes its query unchanged', async ({ request }) => {
      const path = '/studies?expand&since=0&limit=5';
      const direct = await request.get(`${target.orthancUrl}${path}`, {
        headers: { Authorization: good },
      });
      const proxied = await request.get(
        `${target.baseUrl}/proxy/orthanc${path}`,
        { headers: { Authorization: good } },
      );

      const studies = (await proxied.json()) as { ID: string }[];
      expect(studies).toHaveLength(5);
      expect(studies).toEqual(await direct.json());
    });

    test('a wrong password is a 401 without a login challenge', async ({
      request,
    }) => {
      const wrong = basic(target.orthancUser, 'not-the-password');
      const direct = await request.get(`${target.orthancUrl}/system`, {
        headers: { Authorization: wrong },
      });
      const proxied = await request.get(
        `${target.baseUrl}/proxy/orthanc/system`,
        { headers: { Authorization: wrong } },
      );

      // Orthanc itself challenges; through the proxy the page gets a plain 401.
      expect(direct.headers()['www-authenticate']).toContain('Basic');
      expect(proxied.status()).toBe(401);
      expect(proxied.headers()['www-authenticate']).toBeUndefined();
    });
  });
}

test.describe('proxy refusals', () => {
  const good = basic(env.orthancUser, env.orthancPassword);
  const proxied = (path: string) => `${env.baseUrl}/proxy/orthanc${path}`;

  async function instanceCount(): Promise<number> {
    const answer = await fetch(`${env.orthancUrl}/statistics`, {
      headers: { Authorization: good },
    });
    const stats = (await answer.json()) as { CountInstances: number };
    return stats.CountInstances;
  }

  test('only reads reach Orthanc: no POST, PUT or DELETE', async ({
    request,
  }) => {
    const before = await instanceCount();
    const ids = (await (
      await request.get(proxied('/instances'), {
        headers: { Authorization: good },
      })
    ).json()) as string[];

    const created = await request.post(proxied('/tools/create-dicom'), {
      headers: { Authorization: good },
      data: { Tags: { PatientID: 'PLANTED' } },
    });
    const deleted = await request.delete(proxied(`/instances/${ids[0]}`), {
      headers: { Authorization: good },
    });
    const labelled = await request.put(proxied(`/instances/${ids[0]}`), {
      headers: { Authorization: good },
      data: 'x',
    });

    expect(created.status()).toBe(404);
    expect(deleted.status()).toBe(404);
    expect(labelled.status()).toBe(404);
    expect(await instanceCount()).toBe(before);
  });

  test('a request from another site is refused', async ({ request }) => {
    const answer = await request.get(proxied('/system'), {
      headers: { Authorization: good, Origin: 'http://evil.example' },
    });
    expect(answer.status()).toBe(403);
    expect(((await answer.json()) as { Message: string }).Message).toContain(
      'evil.example',
    );

    const own = await request.get(proxied('/system'), {
      headers: { Authorization: good, Origin: env.baseUrl },
    });
    expect(own.status()).toBe(200);
  });

  test('a foreign Host name is refused (DNS rebinding)', async ({
    request,
  }) => {
    const port = new URL(env.baseUrl).port;
    const answer = await request.get(proxied('/patients'), {
      headers: { Authorization: good, Host: `rebound.example:${port}` },
    });
    expect(answer.status()).toBe(403);
    const local = await request.get(proxied('/patients'), {
      headers: { Authorization: good, Host: `localhost:${port}` },
    });
    expect(local.status()).toBe(200);
  });
});

test.describe('proxy failures', () => {
  test('a closed port is a 502 "refused" naming the target', async ({
    request,
  }) => {
    const port = await freePort();
    const app = await appServer(`http://127.0.0.1:${port}/orthanc/`);
    try {
      const response = await request.get(`${app.url}/proxy/orthanc/system`, {
        headers: { Authorization: basic('user', 'secret-password') },
      });

      expect(response.status()).toBe(502);
      expect(response.headers()['x-proxy-error']).toBe('refused');
      const body = (await response.json()) as Record<string, string>;
      expect(body.ProxyError).toBe('refused');
      expect(body.Message).toContain(`http://127.0.0.1:${port}/orthanc`);
      expect(body.Message).toContain('connection refused');
      expect(app.logged.join('\n')).not.toContain('secret-password');
    } finally {
      await app.close();
    }
  });

  test('a path prefix in ORTHANC_URL is kept, credentials pass through', async ({
    request,
  }) => {
    const seen: { url: string; authorization: string }[] = [];
    const upstream = createHttpServer((req, res) => {
      seen.push({
        url: req.url ?? '',
        authorization: req.headers.authorization ?? '',
      });
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="Orthanc Secure Area"',
      });
      res.end();
    });
    const port = await listen(upstream);
    const app = await appServer(
      `http://user:in-url-password@127.0.0.1:${port}/orthanc/`,
    );
    try {
      const auth = basic('alice', 'secret-password');
      const response = await request.get(
        `${app.url}/proxy/orthanc/patients?expand&since=0&limit=2`,
        { headers: { Authorization: auth } },
      );

      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toBeUndefined();
      expect(seen).toEqual([
        {
          url: '/orthanc/patients?expand&since=0&limit=2',
          authorization: auth,
        },
      ]);
      // Credentials written into ORTHANC_URL are dropped, never shown.
      expect(app.orthancUrl).toBe(`http://127.0.0.1:${port}/orthanc`);
      expect(app.logged.join('\n')).not.toContain('password');
    } finally {
      await app.close();
      await close(upstream);
    }
  });

  test('an upstream that never answers is a 504 "timeout"', async ({
    request,
  }) => {
    const upstream = createTcpServer(() => {
      // Accepts the connection and says nothing.
    });
    const port = await listen(upstream);
    const app = await appServer(`http://127.0.0.1:${port}`, 1000);
    try {
      const started = Date.now();
      const response = await request.get(`${app.url}/proxy/orthanc/system`);

      expect(response.status()).toBe(504);
      expect(response.headers()['x-proxy-error']).toBe('timeout');
      const body = (await response.json()) as Record<string, string>;
      expect(body.Message).toContain('did not answer within 1 s');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await app.close();
      await close(upstream);
    }
  });

  test('a connection closed mid-request is a 502 "reset"', async ({
    request,
  }) => {
    const upstream = createTcpServer((socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    });
    const port = await listen(upstream);
    const app = await appServer(`http://127.0.0.1:${port}`);
    try {
      const response = await request.get(`${app.url}/proxy/orthanc/system`);

      expect(response.status()).toBe(502);
      expect(response.headers()['x-proxy-error']).toBe('reset');
    } finally {
      await app.close();
      await close(upstream);
    }
  });

  test('https to a plain-HTTP port is a 502 "tls"', async ({ request }) => {
    const orthancPort = new URL(env.orthancUrl).port;
    const app = await appServer(`https://127.0.0.1:${orthancPort}`);
    try {
      const response = await request.get(`${app.url}/proxy/orthanc/system`);

      expect(response.status()).toBe(502);
      expect(response.headers()['x-proxy-error']).toBe('tls');
      const body = (await response.json()) as Record<string, string>;
      expect(body.Message).toContain('does not speak HTTPS');
    } finally {
      await app.close();
    }
  });

  test('an untrusted certificate is a 502 "tls" that says so', async ({
    request,
  }) => {
    const folder = mkdtempSync(join(tmpdir(), 'cert-'));
    const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const upstream = createHttpsServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (_req, res) => res.end('{}'),
    );
    const port = await listen(upstream);
    const app = await appServer(`https://127.0.0.1:${port}`);
    try {
      const response = await request.get(`${app.url}/proxy/orthanc/system`);

      expect(response.status()).toBe(502);
      expect(response.headers()['x-proxy-error']).toBe('tls');
      const body = (await response.json()) as Record<string, string>;
      expect(body.Message).toContain('certificate');
      expect(body.Message).toContain('not trusted');
    } finally {
      await app.close();
      await close(upstream);
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

test.describe('static files', () => {
  test('index.html at the root and at client routes', async ({ request }) => {
    const expected = readFileSync(join(env.distDir, 'index.html'), 'utf8');
    for (const path of ['/', '/tables/studies_detail']) {
      const response = await request.get(`${env.baseUrl}${path}`);

      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toContain('text/html');
      expect(response.headers()['cache-control']).toBe('no-cache');
      expect(await response.text()).toBe(expected);
    }
  });

  test('the DuckDB wasm is application/wasm, cached for good', async ({
    request,
  }) => {
    const assets = join(env.distDir, 'assets');
    const wasm = readdirSync(assets).find((name) =>
      /^duckdb.*\.wasm$/.test(name),
    );
    expect(wasm, 'dist/assets holds the DuckDB wasm').toBeDefined();
    const response = await request.get(`${env.baseUrl}/assets/${wasm ?? ''}`);

    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/wasm');
    expect(response.headers()['cache-control']).toContain('immutable');
    const bytes = await response.body();
    expect(bytes.length).toBe(statSync(join(assets, wasm ?? '')).size);
    // Every wasm module starts with "\0asm".
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('\0asm');
  });

  test('the wasm goes gzipped to a browser that accepts it', async () => {
    const assets = join(env.distDir, 'assets');
    const wasm =
      readdirSync(assets).find((name) => /^duckdb.*\.wasm$/.test(name)) ?? '';
    const raw = await new Promise<{
      headers: IncomingHttpHeaders;
      body: Buffer;
    }>((resolve, reject) => {
      httpGet(
        `${env.baseUrl}/assets/${wasm}`,
        { headers: { 'Accept-Encoding': 'gzip' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            resolve({ headers: response.headers, body: Buffer.concat(chunks) });
          });
        },
      ).on('error', reject);
    });

    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['content-type']).toBe('application/wasm');
    const original = readFileSync(join(assets, wasm));
    expect(raw.body.length).toBeLessThan(original.length / 3);
    expect(gunzipSync(raw.body).equals(original)).toBe(true);
  });

  test('a missing asset is a 404, not the page', async ({ request }) => {
    const response = await request.get(`${env.baseUrl}/assets/missing.js`);

    expect(response.status()).toBe(404);
  });
});
