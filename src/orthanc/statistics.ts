// `/system` and `/statistics`, read and checked: the server's identity and
// the totals that size a crawl.

import type { Connection } from './connection';
import type { Endpoint } from './endpoint';
import { expectBigCount, expectCount, expectObject } from './guards';
import { type GetOptions, orthancGet } from './orthancGet';
import { OrthancError } from './orthancError';

export interface SystemInfo {
  name: string;
  version: string;
  /** Orthanc's REST API version: 16 in 1.10.1, 27 in 1.12.7. */
  apiVersion: number;
}

export interface Statistics {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  diskSizeBytes: bigint;
}

export async function getSystem(
  connection: Connection | Endpoint,
  options: GetOptions = {},
): Promise<SystemInfo> {
  const path = '/system';
  let body: unknown;
  try {
    body = await orthancGet(connection, path, options);
  } catch (error) {
    // some other web server at that address
    if (error instanceof OrthancError && error.code === 'not_found') {
      throw new OrthancError(
        'not_orthanc',
        'The server has no Orthanc REST API at this URL (404 on /system): check the URL and its path.',
        { status: 404, path },
      );
    }
    throw error;
  }

  const system = expectObject(body, path);
  if (typeof system.Version !== 'string') {
    throw new OrthancError(
      'not_orthanc',
      "The server answered, but not as Orthanc's REST API does: check the URL.",
      { status: 200, path },
    );
  }
  return {
    name: typeof system.Name === 'string' ? system.Name : '',
    version: system.Version,
    apiVersion: typeof system.ApiVersion === 'number' ? system.ApiVersion : 0,
  };
}

export async function getStatistics(
  connection: Connection | Endpoint,
  options: GetOptions = {},
): Promise<Statistics> {
  const path = '/statistics';
  const stats = expectObject(await orthancGet(connection, path, options), path);
  return {
    patients: expectCount(stats, 'CountPatients', path),
    studies: expectCount(stats, 'CountStudies', path),
    series: expectCount(stats, 'CountSeries', path),
    instances: expectCount(stats, 'CountInstances', path),
    diskSizeBytes: expectBigCount(stats, 'TotalDiskSize', path),
  };
}
