// A small HTTP proxy that injects faults, so that the page meets them
// exactly as it would meet a slow or flaky network or server. Tests put it
// between the app server and the real Orthanc, or between the browser and
// the app server (the browser's own connections then meet the faults, and
// its requests in flight can be counted). It can:
// - hold back the answers to chosen paths for a while (a slow study);
// - send the headers and part of a body, then drop the connection;
// - answer a share of the requests with a gateway error (502, 504), the
//   same requests in every run (see faultDraw.ts);
// - close connections that sat idle, as Orthanc does after 1 s;
// - start refusing the credentials (401) after a number of requests;
// - start answering every request with an error after a number of them
//   (a server gone for good), until told to heal;
// - answer chosen paths itself, in place of the server (replayInstances.ts
//   stands in for a server with millions of instances that way).
// It logs what it did to every request and counts the requests in flight.
// With `cors` it also stands in for a reverse proxy that puts CORS in
// front of Orthanc, so that the page can call it directly.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { faultDraw } from './faultDraw';

export interface FaultRule {
  /** Matched against the request's path and query. */
  path: RegExp;
  /** Milliseconds to wait before forwarding. */
  delayMs?: number;
  /** Sends the answer's headers and at most this many bytes of its body,
   *  then drops the connection before the body is complete. */
  dropAfterBytes?: number;
  /** How many matching requests the rule applies to; all when absent. */
  times?: number;
  /** Answers the request here instead of forwarding it. */
  answer?: (
    path: string,
    headers: http.IncomingHttpHeaders,
  ) => Promise<FaultAnswer>;
}

/** An answer the proxy gives itself; a long body may come in chunks. */
export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
}

export interface ErrorRate {
  /** The share of requests answered with an error, from 0 to 1. */
  rate: number;
  /** The statuses answered, one picked per faulted request. */
  statuses: number[];
  /** The same seed faults the same requests in every run. */
  seed: number;
}

export interface FaultProxyOptions {
  /** Answer preflights and allow the calling origin, as nginx can. */
  cors?: boolean;
  errors?: ErrorRate;
  /** Closes a connection once it has been idle this long. */
  idleCloseMs?: number;
  /** The requests that are logged, counted, refused and given errors;
   *  all when absent. A proxy in front of the app server leaves the
   *  page's own files alone with `/^\/proxy\/orthanc\//`. */
  scope?: RegExp;
}

export type FaultOutcome =
  | 'forwarded'
  | 'delayed'
  | 'dropped'
  | 'error'
  | 'unauthorized'
  /** Answered by the rule's `answer`, not by the server. */
  | 'answered'
  /** Forwarded, but Orthanc could not be reached: the connection to the
   *  client is dropped, as by a proxy whose upstream went away. */
  | 'unreachable';

export interface ProxyEvent {
  /** Milliseconds since the epoch, when the request arrived. */
  at: number;
  path: string;
  outcome: FaultOutcome;
  /** The status the proxy answered itself, for errors and refusals. */
  status?: number;
  /** Requests in flight once this one came in, itself included. */
  inFlight?: number;
  /** Milliseconds from arrival until the answer ended or was dropped. */
  durationMs?: number;
}

export interface FaultCounts {
  inFlight: number;
  /** The most requests in flight at once since the proxy started. */
  maxInFlight: number;
  /** Connections closed for being idle. */
  idleCloses: number;
}

export interface FaultProxy {
  url: string;
  /** Requests forwarded so far, by path and query. */
  requests: string[];
  /** Every request in scope that came in, with what the proxy did. */
  log: ProxyEvent[];
  counts: FaultCounts;
  /** Answers 401 to every request in scope after `count` more. */
  refuseCredentialsAfter(count: number): void;
  /** Answers `status` to every request in scope once `count` more that
   *  match `counting` (all when absent) went through, until heal(). */
  failAfter(count: number, status: number, counting?: RegExp): void;
  heal(): void;
  close(): Promise<void>;
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

const gatewayText: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
};

/** An error page such as nginx sends when its upstream fails. */
function answerError(
  response: http.ServerResponse,
  status: number,
  cors: Record<string, string>,
): void {
  const title = `${status} ${gatewayText[status] ?? 'Error'}`;
  response.writeHead(status, { ...cors, 'content-type': 'text/html' });
  response.end(`<html><head><title>${title}</title></head></html>\n`);
}

/**
 * Sends the body in one write that also ends the answer. Piped, its last
 * bytes could reach the client before the answer counts as ended here, and
 * the client's next request would be counted as one more in flight.
 */
function sendWhole(
  answer: http.IncomingMessage,
  response: http.ServerResponse,
): void {
  const chunks: Buffer[] = [];
  answer.on('data', (chunk: Buffer) => chunks.push(chunk));
  answer.on('end', () => response.end(Buffer.concat(chunks)));
  answer.on('error', () => response.destroy());
}

/**
 * Copies the body until `limit` bytes, then drops both connections. The
 * drop waits until those bytes are written: a connection dropped before
 * any byte of the answer is one that browsers quietly try again.
 */
function pipeThenDrop(
  answer: http.IncomingMessage,
  response: http.ServerResponse,
  limit: number,
): void {
  let sent = 0;
  const drop = () => {
    answer.destroy();
    response.destroy();
  };
  const onData = (chunk: Buffer) => {
    const part = chunk.subarray(0, Math.max(0, limit - sent));
    sent += part.byteLength;
    if (sent < limit) {
      response.write(part);
      return;
    }
    answer.off('data', onData);
    answer.off('end', onEnd);
    answer.pause();
    response.write(part, () => {
      setTimeout(drop, 50);
    });
  };
  // a body shorter than the limit is cut before its end all the same
  const onEnd = () => {
    response.write(Buffer.alloc(0), () => {
      setTimeout(drop, 50);
    });
  };
  answer.on('data', onData);
  answer.on('end', onEnd);
}

/** Writes a rule's answer, a chunked body as the client takes it. */
async function sendAnswer(
  answer: FaultAnswer,
  response: http.ServerResponse,
  cors: Record<string, string>,
): Promise<void> {
  response.writeHead(answer.status, { ...answer.headers, ...cors });
  if (Buffer.isBuffer(answer.body)) {
    response.end(answer.body);
    return;
  }
  for await (const chunk of answer.body) {
    if (response.destroyed) return;
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          response.off('drain', go);
          response.off('close', go);
          resolve();
        };
        response.on('drain', go);
        response.on('close', go);
      });
    }
  }
  response.end();
}

/** Closes each connection that has had no request for `idleMs`. */
function closeWhenIdle(
  server: http.Server,
  idleMs: number,
  counts: FaultCounts,
): void {
  const busy = new Map<Socket, number>();
  const timers = new Map<Socket, NodeJS.Timeout>();
  const wait = (socket: Socket) => {
    clearTimeout(timers.get(socket));
    timers.set(
      socket,
      setTimeout(() => {
        counts.idleCloses++;
        socket.destroy();
      }, idleMs),
    );
  };
  server.on('connection', (socket: Socket) => {
    wait(socket);
    socket.on('close', () => {
      clearTimeout(timers.get(socket));
      timers.delete(socket);
      busy.delete(socket);
    });
  });
  server.on('request', (request: http.IncomingMessage, response) => {
    const socket = request.socket;
    clearTimeout(timers.get(socket));
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    response.on('close', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, left);
      if (left === 0 && !socket.destroyed) wait(socket);
    });
  });
}

export async function startFaultProxy(
  target: string,
  rules: FaultRule[],
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: string[] = [];
  const log: ProxyEvent[] = [];
  const counts: FaultCounts = { inFlight: 0, maxInFlight: 0, idleCloses: 0 };
  const pending = new Set<NodeJS.Timeout>();
  const applied = new Map<FaultRule, number>();
  const attempts = new Map<string, number>();
  let refuseAt = Infinity;
  let failure: { left: number; status: number; counting?: RegExp } | null =
    null;

  /** The status of a server gone for good, or undefined. */
  const failing = (path: string): number | undefined => {
    if (failure === null) return undefined;
    if (failure.left <= 0) return failure.status;
    if (failure.counting?.test(path) ?? true) failure.left--;
    return undefined;
  };

  const pickRule = (path: string): FaultRule | undefined => {
    const rule = rules.find(
      (one) =>
        one.path.test(path) &&
        (one.times === undefined || (applied.get(one) ?? 0) < one.times),
    );
    if (rule) applied.set(rule, (applied.get(rule) ?? 0) + 1);
    return rule;
  };

  /** The status of an injected gateway error, or undefined. */
  const drawError = (path: string): number | undefined => {
    const attempt = attempts.get(path) ?? 0;
    attempts.set(path, attempt + 1);
    const errors = options.errors;
    if (!errors || errors.statuses.length === 0) return undefined;
    const draw = faultDraw(errors.seed, path, attempt);
    if (draw >= errors.rate) return undefined;
    const index = Math.floor((draw / errors.rate) * errors.statuses.length);
    return errors.statuses[index];
  };

  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const cors = options.cors ? corsHeaders(request.headers.origin) : {};
    if (options.cors && request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      response.end();
      return;
    }
    const event: ProxyEvent = { at: Date.now(), path, outcome: 'forwarded' };
    const scoped = options.scope?.test(path) ?? true;
    // A matching rule decides; only the other requests may draw an error.
    const rule = pickRule(path);
    if (scoped) {
      counts.inFlight++;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
      event.inFlight = counts.inFlight;
      response.on('close', () => {
        counts.inFlight--;
        event.durationMs = Date.now() - event.at;
      });
      log.push(event);

      // Orthanc's own answer to credentials it does not accept.
      if (log.length > refuseAt) {
        Object.assign(event, { outcome: 'unauthorized', status: 401 });
        response.writeHead(401, {
          ...cors,
          'www-authenticate': 'Basic realm="Orthanc Secure Area"',
          'content-length': '0',
        });
        response.end();
        return;
      }
      const status = failing(path) ?? (rule ? undefined : drawError(path));
      if (status !== undefined) {
        Object.assign(event, { outcome: 'error', status });
        answerError(response, status, cors);
        return;
      }
    }

    const forward = () => {
      requests.push(path);
      if (rule?.answer) {
        event.outcome = 'answered';
        rule
          .answer(path, request.headers)
          .then((answer) => sendAnswer(answer, response, cors))
          .catch(() => response.destroy());
        return;
      }
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
          if (rule?.dropAfterBytes !== undefined) {
            pipeThenDrop(answer, response, rule.dropAfterBytes);
          } else if (scoped) {
            sendWhole(answer, response);
          } else {
            answer.pipe(response);
          }
        },
      );
      outgoing.on('error', () => {
        event.outcome = 'unreachable';
        response.destroy();
      });
      request.pipe(outgoing);
    };
    if (rule?.dropAfterBytes !== undefined) event.outcome = 'dropped';
    if (!rule?.delayMs) {
      forward();
      return;
    }
    if (event.outcome === 'forwarded') event.outcome = 'delayed';
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
  if (options.idleCloseMs !== undefined) {
    closeWhenIdle(server, options.idleCloseMs, counts);
  }

  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    log,
    counts,
    refuseCredentialsAfter: (count) => {
      refuseAt = log.length + count;
    },
    failAfter: (count, status, counting) => {
      failure = counting
        ? { left: count, status, counting }
        : { left: count, status };
    },
    heal: () => {
      failure = null;
    },
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
