// `npm start`: serves dist/ and proxies ORTHANC_URL, configured from the
// environment (PORT, HOST, ORTHANC_URL, ORTHANC_DIRECT_ORIGINS, DIST_DIR).
import { resolve } from 'node:path';

import { parseDirectOrigins, startServer } from './startServer.ts';

const port = Number(process.env.PORT ?? '4173');
const host = process.env.HOST ?? '127.0.0.1';
const orthancUrl = process.env.ORTHANC_URL ?? 'http://localhost:8042';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT ?? ''}".`);
  process.exit(1);
}

try {
  const server = await startServer({
    host,
    port,
    orthancUrl,
    directOrigins: parseDirectOrigins(process.env.ORTHANC_DIRECT_ORIGINS),
    distDir: resolve(
      process.env.DIST_DIR ?? resolve(import.meta.dirname, '..', 'dist'),
    ),
    log: (line) => {
      console.warn(line);
    },
  });
  console.log(
    `Orthanc Warehouse at ${server.url} (proxying ${server.orthancUrl})`,
  );

  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
