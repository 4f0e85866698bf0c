// "Test connection": who answers at the URL, and how much it holds. When
// it fails, the error says what stands in the way and how to fix it (see
// connectionDiagnosis.ts): mixed content, CORS, the page's own policy, an
// unreachable or untrusted server, a timeout, refused or forbidden
// credentials, a web page or a wrong path instead of Orthanc.

import type { Connection, ServerInfo } from './connection';
import {
  explainUnreachable,
  mixedContent,
  type PageLocation,
  wrongPath,
} from './connectionDiagnosis';
import { type Endpoint, endpointOf } from './endpoint';
import { type GetOptions } from './orthancGet';
import { OrthancError } from './orthancError';
import { getStatistics, getSystem } from './statistics';

export {
  blockedByPolicyMessage,
  corsMessage,
  MIXED_CONTENT_MESSAGE,
} from './connectionDiagnosis';

export interface TestOptions extends GetOptions {
  /** The page's address; `location` in a browser, none in Node. */
  page?: PageLocation;
}

export async function testConnection(
  connection: Connection,
  options: TestOptions = {},
): Promise<ServerInfo> {
  const endpoint = endpointOf(connection);
  const { page = pageLocation(), ...getOptions } = options;
  const quick: GetOptions = { retries: 1, timeoutMs: 15_000, ...getOptions };

  const blocked = mixedContent(page, endpoint.baseUrl);
  if (blocked) throw blocked;

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
    if (!(error instanceof OrthancError)) throw error;
    throw await explain(error, endpoint, page, quick);
  }
}

function pageLocation(): PageLocation | undefined {
  return (globalThis as { location?: PageLocation }).location;
}

async function explain(
  error: OrthancError,
  endpoint: Endpoint,
  page: PageLocation | undefined,
  options: GetOptions,
): Promise<OrthancError> {
  const at = { status: error.status, path: error.path };

  // Only a request that got no answer at all needs explaining: our
  // proxy's 502 names its cause itself.
  if (error.code === 'network' && error.status === null) {
    return explainUnreachable(endpoint, error, page, options);
  }
  if (error.code === 'timeout' && error.status === null) {
    return new OrthancError(
      'timeout',
      `${error.message} The server is slow or a firewall drops the ` +
        'connection: check the URL, or raise the Request timeout under ' +
        'Advanced.',
      at,
    );
  }
  if (error.code === 'not_orthanc' && error.status === 404) {
    return wrongPath(endpoint, error, options);
  }
  if (error.code === 'forbidden') {
    return new OrthancError(
      'forbidden',
      `Forbidden (403): the server accepts these credentials but does ` +
        `not let them read ${error.path}. Ask its administrator for read ` +
        'access to the REST API.',
      at,
    );
  }
  return error;
}
