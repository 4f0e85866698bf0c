// The Orthanc servers the proxy forwards to, fixed at start-up: the single
// ORTHANC_URL under /proxy/orthanc, or the named targets of a JSON file
// (ORTHANC_TARGETS_FILE), each under /proxy/orthanc/<name>. A request for
// any other name finds no route, so the proxy never reaches a server that
// the deployment did not list.
import { readFileSync } from 'node:fs';

import {
  type OrthancTarget,
  parseOrthancUrl,
  proxyPrefix,
} from './orthancProxy.ts';

/** One entry of the targets file, as written there. */
export interface TargetSpec {
  name: string;
  url: string;
}

export interface ProxyTarget extends OrthancTarget {
  name: string;
  /** Where the page reaches it on this server, e.g. "/proxy/orthanc/main". */
  path: string;
}

/** What GET /api/targets tells the page: no credentials, ever. */
export interface TargetListing {
  name: string;
  url: string;
  path: string;
}

/** The name the single ORTHANC_URL target is listed under. */
export const singleTargetName = 'orthanc';

/**
 * A name is one path segment that needs no escaping, so the route, the
 * page's list and the file agree on it byte for byte.
 */
const namePattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Reads the targets file: a JSON array of `{"name": ..., "url": ...}`.
 * Anything else stops the server with a message naming the entry.
 */
export function parseTargetsJson(text: string, source: string): TargetSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${source} is not valid JSON: ${reason}`);
  }
  if (!Array.isArray(json) || json.length === 0) {
    throw new Error(
      `${source} must be a non-empty JSON array of {"name": ..., "url": ...}.`,
    );
  }
  const seen = new Set<string>();
  return json.map((entry: unknown, index) => {
    const { name, url } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !namePattern.test(name)) {
      throw new Error(
        `${source}, entry ${index + 1}: "name" must be 1 to 64 lower-case ` +
          'letters, digits, "-" or "_", starting with a letter or digit.',
      );
    }
    if (typeof url !== 'string') {
      throw new Error(`${source}, target "${name}": "url" must be a string.`);
    }
    if (seen.has(name)) {
      throw new Error(`${source}: the name "${name}" is used twice.`);
    }
    seen.add(name);
    return { name, url };
  });
}

export function readTargetsFile(path: string): TargetSpec[] {
  return parseTargetsJson(readFileSync(path, 'utf8'), path);
}

/**
 * The routes to register. `warn` hears of credentials written into a URL,
 * which are dropped (they belong in the page's Authorization header) and
 * never repeated in the message.
 */
export function resolveTargets(
  config: { orthancUrl: string } | { targets: readonly TargetSpec[] },
  warn: (line: string) => void,
): ProxyTarget[] {
  if ('orthancUrl' in config) {
    const { target, hadCredentials } = parseOrthancUrl(
      config.orthancUrl,
      'ORTHANC_URL',
    );
    if (hadCredentials) {
      warn(
        'ORTHANC_URL held credentials; they were ignored. Enter them in the page instead.',
      );
    }
    return [{ ...target, name: singleTargetName, path: proxyPrefix }];
  }

  return config.targets.map(({ name, url }) => {
    const { target, hadCredentials } = parseOrthancUrl(
      url,
      `The URL of target "${name}"`,
    );
    if (hadCredentials) {
      warn(
        `The URL of target "${name}" held credentials; they were ignored. ` +
          'Enter them in the page instead.',
      );
    }
    return { ...target, name, path: `${proxyPrefix}/${name}` };
  });
}

export function targetListing(targets: readonly ProxyTarget[]): {
  targets: TargetListing[];
} {
  return {
    targets: targets.map(({ name, display, path }) => ({
      name,
      url: display,
      path,
    })),
  };
}
