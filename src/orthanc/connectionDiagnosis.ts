// Why "Test connection" failed, told as precisely as a page can. A browser
// hides the cause of a request that got no answer: a CORS refusal, a
// refused port, an unknown host and an untrusted certificate all reject
// with the same TypeError. What the page can still learn, it learns here:
// - mixed content, from the page's and the target's protocols, before any
//   request;
// - CORS, from an opaque (`no-cors`) request that needs no preflight: if
//   it gets through, the server is there and refused the cross-origin
//   request;
// - the page's own Content-Security-Policy, from its violation event;
// - a wrong path prefix, from Orthanc answering `/system` higher up the
//   path.
// A refused port, an unknown host and a TLS failure stay one case: the
// message names them all, and for an https:// target the certificate
// first. Through our proxy the server names the precise cause itself
// (server/proxyError.ts), so none of this is needed there.

import type { Endpoint } from './endpoint';
import type { GetOptions } from './orthancGet';
import { OrthancError } from './orthancError';
import { getSystem } from './statistics';

/** The page's address, as `location` gives it. */
export interface PageLocation {
  protocol: string;
  href: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const MIXED_CONTENT_MESSAGE =
  'Mixed content blocked: this page is served over HTTPS and cannot call ' +
  'an http:// server. Use an https:// URL or the proxied URL.';

/** A CORS refusal, naming the header the preflight must allow (C01). */
export function corsMessage(headerName: string | null): string {
  const header = headerName ?? 'Authorization';
  return (
    'Blocked by CORS preflight. Use a proxy that answers OPTIONS with 204 ' +
    `and allows the ${header} header.`
  );
}

export function blockedByPolicyMessage(origin: string): string {
  return (
    `This page may not connect to ${origin}: its server allows only its ` +
    'own origin and the origins listed in ORTHANC_DIRECT_ORIGINS. Add ' +
    'the origin there, or use the proxied URL.'
  );
}

export function unreachableMessage(origin: string): string {
  return (
    `Nothing answers at ${origin}: the host name is unknown, the server ` +
    'is down or the port is wrong. Check the URL.'
  );
}

export function tlsOrUnreachableMessage(origin: string): string {
  return (
    `Could not open a secure connection to ${origin}: certificate not ` +
    'trusted by this browser (self-signed, expired or from a private ' +
    'authority), or nothing answers there. Open the URL once in a tab to ' +
    'see which, and install its CA on this computer; or use the proxied ' +
    'URL.'
  );
}

export function wrongPathMessage(typed: string, found: string): string {
  return (
    `Orthanc answers at ${found}, not at ${typed}: check the path. ` +
    `Use ${found}.`
  );
}

export function noOrthancUnderPathMessage(origin: string, path: string) {
  return (
    `A server answers at ${origin}, but there is no Orthanc REST API ` +
    `under ${path} (404 on /system): check the path.`
  );
}

/** Mixed content, told from the addresses alone; null when it is not. */
export function mixedContent(
  page: PageLocation | undefined,
  baseUrl: string,
): OrthancError | null {
  if (page?.protocol !== 'https:') return null;
  const target = new URL(baseUrl);
  // Browsers count loopback as trustworthy and let the page call it.
  if (target.protocol !== 'http:' || LOOPBACK.has(target.hostname)) {
    return null;
  }
  return new OrthancError('network', MIXED_CONTENT_MESSAGE, {
    path: '/system',
  });
}

/**
 * After a 404 on `/system`: looks for Orthanc at each shorter prefix of
 * the path (`/orthanc/x` → `/orthanc` → `/`), at most a few.
 */
export async function wrongPath(
  endpoint: Endpoint,
  error: OrthancError,
  options: GetOptions,
): Promise<OrthancError> {
  const url = new URL(endpoint.baseUrl);
  const segments = url.pathname.split('/').filter((part) => part !== '');
  if (segments.length === 0) return error;

  const quick: GetOptions = { ...options, retries: 0 };
  for (let keep = segments.length - 1; keep >= 0; keep--) {
    if (segments.length - keep > 4) break;
    const baseUrl = `${url.origin}${keep === 0 ? '' : '/'}${segments
      .slice(0, keep)
      .join('/')}`;
    try {
      await getSystem({ ...endpoint, baseUrl }, quick);
      return new OrthancError(
        'not_orthanc',
        wrongPathMessage(endpoint.baseUrl, baseUrl),
        { status: 404, path: '/system' },
      );
    } catch {
      // not there either: try one level up
    }
  }
  return new OrthancError(
    'not_orthanc',
    noOrthancUnderPathMessage(url.origin, url.pathname),
    { status: 404, path: '/system' },
  );
}

/** After a request that got no answer: CORS, the page's CSP, or else. */
export async function explainUnreachable(
  endpoint: Endpoint,
  error: OrthancError,
  page: PageLocation | undefined,
  options: GetOptions,
): Promise<OrthancError> {
  if (!page) return error;
  const target = new URL(endpoint.baseUrl);
  const at = { path: error.path, retryable: false };

  // The page's own origin involves no CORS: its server is not there.
  if (target.origin === new URL(page.href).origin) return error;

  const violation = { seen: false };
  const onViolation = (event: Event) => {
    const uri = (event as Event & { blockedURI?: string }).blockedURI;
    if (uri?.startsWith(target.origin)) violation.seen = true;
  };
  const events = globalThis as unknown as Partial<EventTarget>;
  events.addEventListener?.('securitypolicyviolation', onViolation);
  try {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    await fetchImpl(`${endpoint.baseUrl}/system`, {
      mode: 'no-cors',
      signal: AbortSignal.timeout(5000),
    });
    const header = endpoint.credentials?.name ?? null;
    return new OrthancError('network', corsMessage(header), at);
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
    const message =
      target.protocol === 'https:'
        ? tlsOrUnreachableMessage(target.origin)
        : unreachableMessage(target.origin);
    return new OrthancError('network', message, at);
  } finally {
    events.removeEventListener?.('securitypolicyviolation', onViolation);
  }
}
