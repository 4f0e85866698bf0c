// `npm run bench`: how fast a load is, against two baselines measured in
// the same run on the same server: (a) our load, from pressing "Load" to
// "Done"; (b) the naive pipeline, one request per resource after the ID
// lists, as a dlt rest_api configuration for Orthanc does it, through
// our own normalizing and loading; (c) the wire floor, the requests of
// (a) fetched in the page and read to the end. It starts a throwaway
// Orthanc, seeds it, serves dist/ (built first if missing) and drives
// the system's Chromium headless; each measure gets a fresh browser
// context, so each load starts from an empty warehouse.
//
//   npm run bench -- [--orthanc 1.10|1.12] [--instances N] [--json FILE]
//
// (c) runs once untimed first, so that Orthanc's caches are as warm for
// (a) and (b) as for the timed (c).
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { E2eTarget } from '../../e2e/env.ts';
import playwrightConfig from '../../playwright.config.ts';
import { startServer } from '../../server/startServer.ts';
import {
  PAGE_SIZE,
  planTasks,
  taskPath,
} from '../../src/pipeline/crawlPlan.ts';
import { selectResources } from '../../src/pipeline/resources.ts';
import { DEFAULT_REQUEST_SETTINGS } from '../../src/store/requestSettings.ts';
import {
  hasFlavour,
  type OrthancFlavour,
  repoRoot,
  startOrthanc,
} from '../orthanc.ts';
import { fetchCounts } from '../seed.ts';
import { archiveShape, seedArchive } from './benchArchive.ts';
import { LEVEL_RESOURCES, measureLoad, measureWire } from './benchPage.ts';
import { type BenchResult, formatResult } from './benchReport.ts';

const SEED_CONCURRENCY = 16;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      orthanc: { type: 'string', default: '1.10' },
      instances: { type: 'string', default: '20000' },
      json: { type: 'string' },
    },
  });
  if (values.orthanc !== '1.10' && values.orthanc !== '1.12') {
    throw new Error('--orthanc is 1.10 or 1.12');
  }
  const flavour: OrthancFlavour = values.orthanc;
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1) {
    throw new Error('--instances is a whole number of at least 1');
  }
  return { flavour, instances, json: values.json };
}

function chromiumVersion(): string {
  const launch = playwrightConfig.use?.launchOptions;
  const path = launch?.executablePath ?? 'chromium';
  return execFileSync(path, ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (!hasFlavour(options.flavour)) {
    throw new Error(
      `Orthanc ${options.flavour} cannot run here (1.12 needs its chroot, ` +
        'from "npm run setup:orthanc-1.12", and root).',
    );
  }
  const distDir = join(repoRoot, 'dist');
  if (!existsSync(join(distDir, 'index.html'))) {
    console.log('Building the page…');
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }

  const shape = archiveShape(options.instances);
  const orthanc = await startOrthanc({ flavour: options.flavour });
  const stops: (() => Promise<void>)[] = [() => orthanc.stop()];
  try {
    console.log(
      `Orthanc ${orthanc.version}: seeding ${shape.instances} instances ` +
        `(${shape.patients} patients, ${shape.studies} studies, ` +
        `${shape.series} series)…`,
    );
    const seed = await seedArchive(orthanc, shape, SEED_CONCURRENCY, (n) => {
      process.stdout.write(`\r  ${n} stored`);
    });
    process.stdout.write('\n');
    const counts = await fetchCounts(orthanc);
    for (const level of [
      'patients',
      'studies',
      'series',
      'instances',
    ] as const) {
      if (counts[level] !== shape[level]) {
        throw new Error(
          `Orthanc holds ${counts[level]} ${level}, not ${shape[level]}`,
        );
      }
    }
    console.log(
      `  ${seed.stored} in ${seed.seconds.toFixed(1)} s ` +
        `(${Math.round(seed.stored / seed.seconds)}/s)`,
    );

    const app = await startServer({
      host: '127.0.0.1',
      port: 0,
      orthancUrl: orthanc.url,
      distDir,
    });
    stops.unshift(() => app.close());
    const launch = playwrightConfig.use?.launchOptions ?? {};
    const browser = await chromium.launch({ ...launch, headless: true });
    stops.unshift(() => browser.close());
    const target: E2eTarget = {
      flavour: options.flavour,
      baseUrl: app.url,
      orthancUrl: orthanc.url,
      orthancUser: orthanc.username,
      orthancPassword: orthanc.password,
      orthancVersion: orthanc.version,
    };

    // the requests of our load's levels, as its plan makes them
    const concurrency = DEFAULT_REQUEST_SETTINGS.concurrency;
    const tasks = planTasks(
      selectResources(LEVEL_RESOURCES),
      { ...counts, diskSizeBytes: 0n },
      PAGE_SIZE,
    );
    const paths = tasks.map((task) => taskPath(task, PAGE_SIZE));

    console.log('(c) wire floor, warming up…');
    await measureWire(browser, target, paths, concurrency);
    console.log('(c) wire floor…');
    const wire = await measureWire(browser, target, paths, concurrency);
    console.log('(a) our load…');
    const load = await measureLoad(browser, target, 'paged');
    console.log('(b) the naive pipeline…');
    const naive = await measureLoad(browser, target, 'naive');

    const result: BenchResult = {
      machine: {
        cpus: availableParallelism(),
        memoryGb: Math.round(totalmem() / 2 ** 30),
        chromium: chromiumVersion(),
        node: process.version,
      },
      orthanc: orthanc.version,
      archive: shape,
      seedSeconds: seed.seconds,
      pageSize: PAGE_SIZE,
      concurrency,
      load,
      naive,
      wire,
      load_vs_naive: load.seconds / naive.seconds,
      load_vs_wire: load.seconds / wire.seconds,
    };
    console.log(formatResult(result));
    if (options.json) {
      await writeFile(options.json, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`Written to ${options.json}`);
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
