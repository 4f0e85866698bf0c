// Starts what the specs run against: a real Orthanc 1.10 seeded with every
// pydicom sample file, 300 generated instances and the series of tag
// cases (long values, an 8-level sequence), with metrics on, one
// query and one export of its own (so that every table of a load has
// rows), and the app server in front of it. When the Debian 13 chroot exists, the same again with
// Orthanc 1.12.7. Everything is published through process.env (see
// env.ts) and stopped by globalTeardown.ts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  type OrthancFlavour,
  type OrthancServer,
  hasFlavour,
  repoRoot,
  startOrthanc,
} from '../scripts/orthanc.ts';
import {
  fetchCounts,
  fillQueriesAndExports,
  labelResources,
  seedOrthanc,
} from '../scripts/seed.ts';
import { type RunningServer, startServer } from '../server/startServer.ts';
import { publishTarget } from './env.ts';

const generatedInstances = 300;

/**
 * Where globalTeardown.ts finds the stop function. Both run in the
 * runner process but may load modules through different loaders, so the
 * handle lives on globalThis under a registered symbol.
 */
export const stopKey = Symbol.for('orthanc-warehouse.e2e.stop');

interface Stack {
  orthanc?: OrthancServer;
  app?: RunningServer;
}

async function startStack(
  flavour: OrthancFlavour,
  distDir: string,
  stack: Stack,
): Promise<void> {
  const orthanc = await startOrthanc({
    flavour,
    selfAet: 'WAREHOUSE',
    config: { MetricsEnabled: true },
  });
  stack.orthanc = orthanc;
  const seeded = await seedOrthanc(orthanc, {
    generated: generatedInstances,
    tagCases: true,
    charsetCases: true,
  });

  // The seed must be what the server holds, or every count check lies.
  const counts = await fetchCounts(orthanc);
  if (counts.instances !== seeded.uploaded) {
    throw new Error(
      `Orthanc ${orthanc.version} holds ${counts.instances} instances ` +
        `after ${seeded.uploaded} were stored`,
    );
  }
  await fillQueriesAndExports(orthanc);
  await labelResources(orthanc);

  stack.app = await startServer({
    host: '127.0.0.1',
    port: 0,
    orthancUrl: orthanc.url,
    distDir,
    log: (line) => {
      console.warn(`[app ${flavour}] ${line}`);
    },
  });
  publishTarget({
    flavour,
    baseUrl: stack.app.url,
    orthancUrl: orthanc.url,
    orthancUser: orthanc.username,
    orthancPassword: orthanc.password,
    orthancVersion: orthanc.version,
  });
  console.log(
    `Orthanc ${orthanc.version}: ${counts.patients} patients, ` +
      `${counts.studies} studies, ${counts.series} series, ` +
      `${counts.instances} instances (${seeded.rejected.length} files ` +
      `rejected); app at ${stack.app.url}`,
  );
}

export default async function globalSetup(): Promise<void> {
  const distDir = resolve(process.env.E2E_DIST_DIR ?? join(repoRoot, 'dist'));
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`${distDir} has no index.html: run "npm run build" first.`);
  }
  process.env.E2E_DIST_DIR = distDir;

  // CI sets E2E_REQUIRE_112 so that a missing 1.12 fails the run instead
  // of quietly testing one version.
  const flavours: OrthancFlavour[] = ['1.10'];
  if (hasFlavour('1.12')) flavours.push('1.12');
  else if (process.env.E2E_REQUIRE_112 === '1') {
    throw new Error(
      'E2E_REQUIRE_112 is set but Orthanc 1.12 cannot run: build its ' +
        'chroot with "npm run setup:orthanc-1.12" and run the tests as root.',
    );
  } else {
    console.warn(
      'Orthanc 1.12 chroot not found (or not root): testing 1.10 only ' +
        '(run "npm run setup:orthanc-1.12" for both).',
    );
  }

  const stacks = flavours.map((): Stack => ({}));
  const stopAll = async (): Promise<void> => {
    for (const stack of stacks) {
      await stack.app?.close();
      await stack.orthanc?.stop();
    }
  };
  (globalThis as Record<symbol, unknown>)[stopKey] = stopAll;

  const started = await Promise.allSettled(
    flavours.map((flavour, i) => startStack(flavour, distDir, stacks[i] ?? {})),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
}
