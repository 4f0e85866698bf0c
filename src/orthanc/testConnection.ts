// "Test connection": who answers at the URL, and how much it holds. When
// nothing answers, the page looks a little further so that the message
// can name the likely cause: a plain-HTTP server behind an HTTPS page
// (mixed content), or a server that answers but refuses the cross-origin
// request (CORS), instead of one message for all of them.

import type { Connection, ServerInfo } from './connection';
import { endpointOf } from './endpoint';
import { type GetOptions } from './orthancGet';
import { OrthancError } from './orthancError';
import { getStatistics, getSystem } from './statistics';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const MIXED_CONTENT_MESSAGE =
  'Mixed content blocked: this page is served over HTTPS and cannot call ' +
  'an http:// server. Use an https:// URL or the proxied URL.';

export const CORS_MESSAGE =
  'Blocked by CORS preflight. Use a proxy that answers OPTIONS with 204 ' +
  'and allows the Authorization header.';

export function blockedByPolicyMessage(origin: string): string {
  return (
    `This page may not connect to ${origin}: its server allows only its ` +
    'own origin and the origins listed in ORTHANC_DIRECT_ORIGINS. Add ' +
    'the origin there, or use the proxied URL.'
  );
}

export async function testConnection(
  connection: Connection,
  options: GetOptions = {},
): Promise<ServerInfo> {
  const endpoint = endpointOf(connection);
  const quick: GetOptions = { retries: 1, timeoutMs: 15_000, ...options };

  try {
    const system = await getSystem(endpoint, quick);
    const stats = await getStatistics(endpoint, quick);
    return {
      name: system.name,
      version: system.version,
      apiVersion: system.apiVersion,
      counts: {
        patients: stats.patients,
        studies: stats.studies,
        series: stats.series,
        instances: stats.instances,
      },
      diskSizeBytes: stats.diskSizeBytes,
    };
  } catch (error) {
    // Only a request that got no answer at all needs explaining: our
    // proxy's 502 names its cause itself.
    if (
      error instanceof OrthancError &&
      error.code === 'network' &&
      error.status === null
    ) {
      throw await explainUnreachable(endpoint.baseUrl, error, quick);
    }
    throw error;
  }
}

/**
 * In a page, tells mixed content and CORS apart from a server that is
 * simply not there. Elsewhere (Node, tests) returns the error unchanged.
 */
async function explainUnreachable(
  baseUrl: string,
  error: OrthancError,
  options: GetOptions,
): Promise<OrthancError> {
  const page = (globalThis as { location?: { protocol: string; href: string } })
    .location;
  if (!page) return error;
  const target = new URL(baseUrl);
  const at = { path: error.path, retryable: false };

  if (
    page.protocol === 'https:' &&
    target.protocol === 'http:' &&
    !LOOPBACK.has(target.hostname)
  ) {
    return new OrthancError('network', MIXED_CONTENT_MESSAGE, at);
  }

  // The page's own origin involves no CORS: nothing is there.
  if (target.origin === new URL(page.href).origin) return error;

  // An opaque request needs no preflight: if it gets through, the server
  // is there and it is the cross-origin request that was refused. If the
  // page's Content-Security-Policy stops it, that is the cause instead.
  const violation = { seen: false };
  const onViolation = (event: Event) => {
    const uri = (event as Event & { blockedURI?: string }).blockedURI;
    if (uri?.startsWith(target.origin)) violation.seen = true;
  };
  const events = globalThis as unknown as Partial<EventTarget>;
  events.addEventListener?.('securitypolicyviolation', onViolation);
  try {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    await fetchImpl(`${baseUrl}/system`, {
      mode: 'no-cors',
      signal: AbortSignal.timeout(5000),
    });
    return new OrthancError('network', CORS_MESSAGE, at);
  } catch {
    // The violation event is queued as a task: let it arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (violation.seen) {
      return new OrthancError(
        'network',
        blockedByPolicyMessage(target.origin),
        at,
      );
    }
    return error;
  } finally {
    events.removeEventListener?.('securitypolicyviolation', onViolation);
  }
}
