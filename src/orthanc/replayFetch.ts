// A fetch that answers from responses captured from a real Orthanc (see
// scripts/captureFixtures.ts), keyed by request path and query, so that the
// client and the crawl can be tested without a server and still see what
// Orthanc really sends. It records every request it gets, and can also
// change the server between requests (`onRequest`) to replay what happens
// when resources are deleted during a crawl.

export interface CapturedResponse {
  request: string;
  status: number;
  body: unknown;
  /** The raw body when it was not JSON. */
  text?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  url: string;
  path: string;
  authorization: string | null;
  /** Every header sent, by lower-case name. */
  headers: Record<string, string>;
}

export interface Replay {
  fetch: typeof fetch;
  requests: RecordedRequest[];
  /** Answers by path; tests may change them between requests. */
  responses: Map<string, CapturedResponse>;
}

export interface ReplayOptions {
  /** Called before each answer, with the number of requests so far. */
  onRequest?: (path: string, count: number) => void;
}

function toResponse(captured: CapturedResponse): Response {
  const text =
    captured.text ??
    (captured.body === null ? '' : JSON.stringify(captured.body));
  return new Response(captured.status === 204 ? null : text, {
    status: captured.status,
    headers: captured.headers ?? {},
  });
}

export function replayFetch(
  baseUrl: string,
  captured: Iterable<CapturedResponse>,
  options: ReplayOptions = {},
): Replay {
  const responses = new Map<string, CapturedResponse>();
  for (const response of captured) responses.set(response.request, response);
  const requests: RecordedRequest[] = [];

  const replay = (
    input: Parameters<typeof fetch>[0],
    init?: Parameters<typeof fetch>[1],
  ) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(baseUrl)) {
      return Promise.reject(new Error(`no fixture outside ${baseUrl}: ${url}`));
    }
    const path = url.slice(baseUrl.length);
    const headers = new Headers(init?.headers);
    requests.push({
      url,
      path,
      authorization: headers.get('Authorization'),
      headers: Object.fromEntries(headers.entries()),
    });
    options.onRequest?.(path, requests.length);

    const found = responses.get(path);
    if (!found) return Promise.reject(new Error(`no fixture for ${path}`));
    return Promise.resolve(toResponse(found));
  };

  return { fetch: replay, requests, responses };
}
