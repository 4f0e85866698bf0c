// The Orthanc servers the page's own server proxies (GET /api/targets, see
// server/orthancTargets.ts): a name, the address for display and the path
// the page calls. Served by `npm start` only; elsewhere (the dev server, a
// static host) the list is simply empty and the URL is typed.

export interface ProxyTarget {
  name: string;
  /** Orthanc's address as configured, without credentials. */
  url: string;
  /** Where this origin proxies it, e.g. "/proxy/orthanc/main". */
  path: string;
}

/** The single-server proxy path, the page's default URL. */
export const defaultProxyPath = '/proxy/orthanc';

const proxyPathPattern = /^\/proxy\/orthanc(\/[a-z0-9][a-z0-9_-]*)?$/;

/**
 * Keeps the well-formed entries of an /api/targets answer. A path outside
 * the proxy's routes is dropped, so the list can only point the page at
 * its own origin.
 */
export function parseProxyTargets(json: unknown): ProxyTarget[] {
  if (typeof json !== 'object' || json === null) return [];
  const list = (json as { targets?: unknown }).targets;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { name, url, path } = entry as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      typeof url !== 'string' ||
      typeof path !== 'string' ||
      !proxyPathPattern.test(path)
    ) {
      return [];
    }
    return [{ name, url, path }];
  });
}

/** The list from this page's server; empty when it has none. */
export async function fetchProxyTargets(
  origin: string,
): Promise<ProxyTarget[]> {
  const response = await fetch(`${origin}/api/targets`, {
    headers: { Accept: 'application/json' },
  });
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok || !type.includes('application/json')) return [];
  return parseProxyTargets(await response.json());
}

/** The Orthanc URL a target fills in. */
export function targetUrl(target: ProxyTarget, origin: string): string {
  return `${origin}${target.path}`;
}

/** The target `url` (as typed) points at, if any. */
export function targetOfUrl(
  targets: readonly ProxyTarget[],
  url: string,
  origin: string,
): ProxyTarget | undefined {
  const typed = url.trim().replace(/\/+$/, '');
  return targets.find((target) => targetUrl(target, origin) === typed);
}
