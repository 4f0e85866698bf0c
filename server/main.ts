// `npm start`: serves dist/ and proxies Orthanc, configured from the
// environment (PORT, HOST, ORTHANC_URL or ORTHANC_TARGETS_FILE,
// ORTHANC_DIRECT_ORIGINS, DIST_DIR).
import { resolve } from 'node:path';

import { readTargetsFile } from './orthancTargets.ts';
import { parseDirectOrigins, startServer } from './startServer.ts';

const port = Number(process.env.PORT ?? '4173');
const host = process.env.HOST ?? '127.0.0.1';
const targetsFile = process.env.ORTHANC_TARGETS_FILE ?? '';
const orthancUrl = process.env.ORTHANC_URL ?? '';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT ?? ''}".`);
  process.exit(1);
}
if (targetsFile !== '' && orthancUrl !== '') {
  console.error(
    'Set ORTHANC_URL or ORTHANC_TARGETS_FILE, not both: list every server in the file.',
  );
  process.exit(1);
}

try {
  const server = await startServer({
    host,
    port,
    ...(targetsFile === ''
      ? { orthancUrl: orthancUrl || 'http://localhost:8042' }
      : { targets: readTargetsFile(targetsFile) }),
    directOrigins: parseDirectOrigins(process.env.ORTHANC_DIRECT_ORIGINS),
    distDir: resolve(
      process.env.DIST_DIR ?? resolve(import.meta.dirname, '..', 'dist'),
    ),
    log: (line) => {
      console.warn(line);
    },
  });
  console.log(`Orthanc Warehouse at ${server.url}, proxying:`);
  for (const target of server.targets) {
    console.log(`  ${target.path}/ → ${target.url}`);
  }

  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
