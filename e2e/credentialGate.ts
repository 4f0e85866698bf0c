// A stand-in for a deployment that guards Orthanc with credentials of its
// own: a password of the test's choosing, a bearer token, or a custom
// header such as the `token` of Orthanc's authorization plugin. A request
// that carries the expected credential is forwarded to the real Orthanc
// with the test server's own Basic credentials; any other gets a 401
// without a login challenge. It counts both, so that a spec can check
// that every request of a load carried the credential. With `cors` it
// also answers preflights, allowing only the headers listed.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface GateOptions {
  /** Orthanc's URL and the credentials Orthanc itself accepts. */
  orthancUrl: string;
  orthancUser: string;
  orthancPassword: string;
  /** The one header and value a request must carry. */
  expect: { name: string; value: string };
  /** Headers a preflight allows; no CORS at all when absent. */
  corsHeaders?: string[];
}

export interface CredentialGate {
  url: string;
  accepted: number;
  refused: string[];
  close(): Promise<void>;
}

export async function startCredentialGate(
  options: GateOptions,
): Promise<CredentialGate> {
  const upstream = new URL(options.orthancUrl);
  const basic = Buffer.from(
    `${options.orthancUser}:${options.orthancPassword}`,
  ).toString('base64');
  const wanted = options.expect.name.toLowerCase();
  const gate: CredentialGate = {
    url: '',
    accepted: 0,
    refused: [],
    close: () => Promise.resolve(),
  };

  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const origin = request.headers.origin;
    const cors: Record<string, string> =
      options.corsHeaders && origin !== undefined
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-headers': options.corsHeaders.join(', '),
            'access-control-allow-methods': 'GET, HEAD',
            vary: 'Origin',
          }
        : {};
    if (options.corsHeaders && request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    if (request.headers[wanted] !== options.expect.value) {
      gate.refused.push(path);
      response
        .writeHead(401, { ...cors, 'content-type': 'application/json' })
        .end('{"Message":"credentials refused by the gate"}');
      return;
    }

    gate.accepted++;
    // the gate's own credential stays here; Orthanc gets its Basic one
    const headers: http.OutgoingHttpHeaders = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => name !== wanted),
    );
    headers.host = upstream.host;
    headers.authorization = `Basic ${basic}`;
    const forwarded = http.request(
      new URL(path, upstream),
      { method: request.method ?? 'GET', headers },
      (answer) => {
        const kept = { ...answer.headers, ...cors };
        delete kept['www-authenticate'];
        response.writeHead(answer.statusCode ?? 502, kept);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  gate.url = `http://127.0.0.1:${port}`;
  gate.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return gate;
}
