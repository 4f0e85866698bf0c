// A small HTTP proxy in front of the real Orthanc that injects faults:
// it holds back the answers to chosen paths for a while, and counts the
// requests it forwards. Tests point an app server at it, so the page
// meets the fault exactly as it would meet a slow network or server.
// With `cors` it also stands in for a reverse proxy that puts CORS in
// front of Orthanc, so that the page can call it directly.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** Matched against the request's path and query. */
  path: RegExp;
  /** Milliseconds to wait before forwarding. */
  delayMs: number;
}

export interface FaultProxy {
  url: string;
  /** Requests forwarded so far, by path and query. */
  requests: string[];
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Answer preflights and allow the calling origin, as nginx can. */
  cors?: boolean;
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-headers': 'Authorization',
    'access-control-allow-methods': 'GET, HEAD',
    vary: 'Origin',
  };
}

export async function startFaultProxy(
  target: string,
  rules: FaultRule[],
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const pending = new Set<NodeJS.Timeout>();

  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const cors = options.cors ? corsHeaders(request.headers.origin) : {};
    if (options.cors && request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      response.end();
      return;
    }
    const rule = rules.find((one) => one.path.test(path));
    const forward = () => {
      requests.push(path);
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          const headers = { ...answer.headers, ...cors };
          if (options.cors) delete headers['www-authenticate'];
          response.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(response);
        },
      );
      outgoing.on('error', () => response.destroy());
      request.pipe(outgoing);
    };
    if (!rule) {
      forward();
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(timer);
      forward();
    }, rule.delayMs);
    pending.add(timer);
    request.on('close', () => {
      if (!response.writableEnded) {
        clearTimeout(timer);
        pending.delete(timer);
      }
    });
  });

  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
