// GET requests to Orthanc's REST API: the connection's credential header,
// a deadline per request, bounded retries with capped backoff for the failures that a
// retry can cure (no answer, timeouts, 429, 5xx), and an immediate, plain
// answer for those it cannot (401, 403, 404, 400, a web page instead of
// JSON). Every byte received is counted for the progress line. Most of the
// API answers JSON; the few text endpoints (Prometheus metrics) are read
// as text and never handed to the JSON parser.

import {
  backoffDelay,
  cancelledError,
  DEFAULT_BACKOFF,
  sleep,
} from '../lib/backoff';
import type { BackoffOptions } from '../lib/backoff';
import { WarehouseError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { Connection } from './connection';
import { rejectedMessage } from './credentialHeader';
import { type Endpoint, endpointOf } from './endpoint';
import { OrthancError } from './orthancError';
import { parseOrthancJson } from './parseOrthancJson';

/** Counters shared by the requests of one load. */
export interface RequestStats {
  requests: number;
  bytes: number;
  retries: number;
}

export function newRequestStats(): RequestStats {
  return { requests: 0, bytes: 0, retries: 0 };
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Deadline of one attempt, body included. */
  timeoutMs?: number;
  /** Retries after the first attempt, for retryable failures only. */
  retries?: number;
  backoff?: BackoffOptions;
  /** The fetch to use; the global one unless a test replays answers. */
  fetch?: typeof fetch;
  stats?: RequestStats;
  log?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;

export const UNREACHABLE_MESSAGE =
  'Could not reach the server, or it blocked the request (CORS). ' +
  'Check the URL, or use the proxied URL.';

const decoder = new TextDecoder();

/** How a good answer's body is read. */
type BodyKind = 'json' | 'text';

/** GETs `path` (with its query) and returns the parsed JSON body. */
export function orthancGet(
  connection: Connection | Endpoint,
  path: string,
  options: GetOptions = {},
): Promise<unknown> {
  return getWithRetries(connection, path, options, 'json');
}

/** GETs `path` and returns the body as text, for non-JSON endpoints. */
export async function orthancGetText(
  connection: Connection | Endpoint,
  path: string,
  options: GetOptions = {},
): Promise<string> {
  // a good answer read as text is the text itself
  return (await getWithRetries(connection, path, options, 'text')) as string;
}

async function getWithRetries(
  connection: Connection | Endpoint,
  path: string,
  options: GetOptions,
  kind: BodyKind,
): Promise<unknown> {
  const endpoint =
    'credentials' in connection ? connection : endpointOf(connection);
  const retries = options.retries ?? DEFAULT_RETRIES;

  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptGet(endpoint, path, options, kind);
    } catch (error) {
      const retry =
        error instanceof WarehouseError &&
        error.retryable &&
        attempt < retries &&
        !options.signal?.aborted;
      if (!retry) throw error;

      if (options.stats) options.stats.retries++;
      const delay = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF);
      options.log?.debug(
        `${path}: ${error.message} Retry ${attempt + 1} of ${retries} in ${Math.round(delay)} ms.`,
      );
      await sleep(delay, options.signal);
    }
  }
}

async function attemptGet(
  endpoint: Endpoint,
  path: string,
  options: GetOptions,
  kind: BodyKind,
): Promise<unknown> {
  const { signal, stats } = options;
  if (signal?.aborted) throw cancelledError();

  // one controller per attempt: it fires on the deadline or on cancel
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => {
    controller.abort();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const headers: Record<string, string> = {
    Accept: kind === 'json' ? 'application/json' : 'text/plain',
  };
  if (endpoint.credentials) {
    headers[endpoint.credentials.name] = endpoint.credentials.value;
  }
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);

  try {
    if (stats) stats.requests++;
    let response: Response;
    let body: Uint8Array;
    try {
      response = await fetchImpl(endpoint.baseUrl + path, {
        method: 'GET',
        headers,
        signal: controller.signal,
      });
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw transportError(error, path, timedOut, timeoutMs, signal);
    }
    if (stats) stats.bytes += body.byteLength;
    return interpret(response, decoder.decode(body), path, kind, endpoint);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function transportError(
  error: unknown,
  path: string,
  timedOut: boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): WarehouseError {
  if (signal?.aborted) return cancelledError();
  if (timedOut) {
    return new OrthancError(
      'timeout',
      `The server did not answer ${path} within ${Math.round(timeoutMs / 1000)} s.`,
      { path, retryable: true },
    );
  }
  // fetch rejects with a TypeError for every failure without an answer:
  // refused, unknown host, TLS, CORS; a page cannot tell them apart
  if (error instanceof TypeError) {
    return new OrthancError('network', UNREACHABLE_MESSAGE, {
      path,
      retryable: true,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new WarehouseError('internal', `Request ${path} failed: ${message}`);
}

function parseJson(text: string): unknown {
  try {
    return parseOrthancJson(text);
  } catch {
    return undefined;
  }
}

/** Orthanc's own explanation in a JSON error body, when there is one. */
function orthancMessage(text: string): string | null {
  const body = parseJson(text);
  if (typeof body !== 'object' || body === null) return null;
  const { Message, Details } = body as Record<string, unknown>;
  if (typeof Message !== 'string') return null;
  return typeof Details === 'string' && Details !== ''
    ? `${Message} (${Details})`
    : Message;
}

/** Our server's proxy explains a failure it met on the way to Orthanc. */
function proxyError(response: Response, text: string, path: string) {
  const kind = response.headers.get('X-Proxy-Error');
  if (kind === null) return null;
  const body = parseJson(text);
  const message =
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Record<string, unknown>).Message === 'string'
      ? ((body as Record<string, unknown>).Message as string)
      : `The proxy could not reach the server (${kind}).`;
  const code = kind === 'timeout' ? 'timeout' : 'network';
  return new OrthancError(code, message, {
    status: response.status,
    path,
    retryable: true,
  });
}

function interpret(
  response: Response,
  text: string,
  path: string,
  kind: BodyKind,
  endpoint: Endpoint,
): unknown {
  const { status } = response;
  const at = { status, path };

  if (status >= 200 && status < 300) {
    const type = response.headers.get('Content-Type') ?? '';
    const html = type.includes('html');
    if (kind === 'text' && !html) return text;
    const body = html ? undefined : parseJson(text);
    if (body === undefined) {
      throw new OrthancError(
        'not_orthanc',
        "The server answered with a web page, not Orthanc's REST API: check the URL.",
        at,
      );
    }
    return body;
  }

  const explained = orthancMessage(text);
  const detail = explained ? `: ${explained}` : '.';
  switch (status) {
    case 401:
      throw new OrthancError(
        'unauthorized',
        rejectedMessage(endpoint.credentials),
        at,
      );
    case 403:
      throw new OrthancError(
        'forbidden',
        `The server answered 403: this user may not read ${path}.`,
        at,
      );
    case 404:
      throw new OrthancError(
        'not_found',
        `The server answered 404: ${path} does not exist${detail}`,
        at,
      );
    case 400:
      throw new OrthancError(
        'bad_request',
        `The server answered 400 to ${path}${detail}`,
        at,
      );
    case 429:
      throw new OrthancError(
        'rate_limited',
        'The server answered 429: too many requests.',
        { ...at, retryable: true },
      );
  }

  if (status === 502 || status === 504) {
    const proxied = proxyError(response, text, path);
    if (proxied) throw proxied;
  }
  if (status >= 500) {
    throw new OrthancError(
      'server_error',
      `The server answered ${status} to ${path}${detail}`,
      { ...at, retryable: true },
    );
  }
  throw new OrthancError(
    'bad_request',
    `The server answered ${status} to ${path}${detail}`,
    at,
  );
}
