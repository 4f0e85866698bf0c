// Records what an incremental sync meets, from real Orthanc servers, for
// the unit tests of src/pipeline/sync.ts: the answers a first load gets
// (`before/`), then, after the server changed, the answers a sync and a
// fresh load get (`after/`), one file per request under
// src/pipeline/fixtures/sync-<version>/, in the format of
// captureFixtures.ts. Pages hold 5 items, the page size the tests use.
//
// The changes between the two, each a case the sync must handle:
// - 8 new instances: one in an existing series of the first patient (the
//   patient, its study and series change without a New* of their own),
//   and a new patient with a study of three series;
// - one series deleted (DELETE /series/{id}), which the log never shows,
//   nor that its study lost it;
// - a metadata value set on the other study (UpdatedMetadata);
// and the Stable* changes that follow once the server is quiet.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { format } from 'prettier';

import { generateInstances } from './generateInstances.ts';
import {
  type OrthancFlavour,
  type OrthancServer,
  basicAuth,
  hasFlavour,
  repoRoot,
  startOrthanc,
} from './orthanc.ts';

const fixturesRoot = join(repoRoot, 'src', 'pipeline', 'fixtures');
const levels = ['patients', 'studies', 'series', 'instances'] as const;
const PAGE = 5;
const NAMESPACE = 'sync';
/** The first load's instances; the sync's are the next 8. */
const FIRST = 12;
const ADDED = 8;

async function request(
  server: OrthancServer,
  path: string,
  method = 'GET',
  body?: Uint8Array | string,
): Promise<Response> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: basicAuth(server) },
    ...(body === undefined ? {} : { body }),
  });
  if (method !== 'GET' && !response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}`);
  }
  return response;
}

async function getJson<T>(server: OrthancServer, path: string): Promise<T> {
  return (await (await request(server, path)).json()) as T;
}

/** Writes each answer as a fixture; returns the parsed body. */
function captureTo(folder: string, server: OrthancServer) {
  const names = new Set<string>();
  return async (path: string): Promise<unknown> => {
    const response = await request(server, path);
    const text = await response.text();
    const body: unknown = /^\s*[[{]/.test(text) ? JSON.parse(text) : null;
    const fixture = {
      request: path,
      status: response.status,
      body,
      ...(body === null ? { text } : {}),
      headers: { 'content-type': response.headers.get('content-type') ?? '' },
    };
    const name = path
      .replace(/^\//, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/-$/, '');
    if (names.has(name)) return body;
    names.add(name);
    const json = await format(JSON.stringify(fixture), { parser: 'json' });
    await writeFile(join(folder, `${name}.json`), json);
    return body;
  };
}

type Capture = ReturnType<typeof captureTo>;

async function waitUntilStable(server: OrthancServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const all = await getJson<{ IsStable: boolean }[]>(
      server,
      '/patients?expand',
    );
    if (all.every((patient) => patient.IsStable)) return;
    await new Promise((wake) => setTimeout(wake, 500));
  }
  throw new Error('patients did not become stable within 30 s');
}

/** A log read the way readServerResource.ts reads it, from `since`. */
async function captureLog(capture: Capture, since: number): Promise<void> {
  await capture('/changes?last');
  for (let next = since; ;) {
    const page = (await capture(`/changes?since=${next}&limit=${PAGE}`)) as {
      Changes: { Seq: number }[];
      Done: boolean;
    };
    if (page.Changes.length === 0) return;
    next = Math.max(...page.Changes.map((change) => change.Seq));
    if (page.Done) return;
  }
}

/** Everything a full load of the levels, the log and the tags reads. */
async function captureFullLoad(capture: Capture): Promise<void> {
  await capture('/statistics');
  for (const level of levels) {
    await capture(`/${level}`);
    for (let since = 0; ; since += PAGE) {
      const page = (await capture(
        `/${level}?expand&since=${since}&limit=${PAGE}`,
      )) as unknown[];
      if (page.length === 0) break;
    }
  }
  await captureLog(capture, 0);
  for (const id of (await capture('/series')) as string[]) {
    await capture(`/series/${id}/instances-tags?full`);
  }
}

async function post(server: OrthancServer, bytes: Uint8Array): Promise<void> {
  await request(server, '/instances', 'POST', bytes);
}

async function seriesByUid(
  server: OrthancServer,
  uid: string,
): Promise<{ ID: string; Instances: string[]; ParentStudy: string }> {
  const all = await getJson<
    {
      ID: string;
      Instances: string[];
      ParentStudy: string;
      MainDicomTags: { SeriesInstanceUID?: string };
    }[]
  >(server, '/series?expand');
  const found = all.find((one) => one.MainDicomTags.SeriesInstanceUID === uid);
  if (found === undefined) throw new Error(`no series ${uid}`);
  return found;
}

async function captureFlavour(flavour: OrthancFlavour): Promise<string> {
  const server = await startOrthanc({ flavour, stableAge: 1 });
  try {
    const instances = generateInstances(FIRST + ADDED, NAMESPACE);
    for (const instance of instances.slice(0, FIRST)) {
      await post(server, instance.bytes);
    }
    await waitUntilStable(server);

    const root = join(fixturesRoot, `sync-${server.version}`);
    await rm(root, { recursive: true, force: true });
    const before = join(root, 'before');
    const after = join(root, 'after');
    await mkdir(before, { recursive: true });
    await mkdir(after, { recursive: true });
    await captureFullLoad(captureTo(before, server));
    const cursor = (await getJson<{ Last: number }>(server, '/changes?last'))
      .Last;

    for (const instance of instances.slice(FIRST)) {
      await post(server, instance.bytes);
    }
    // the second series of the first study (two instances) goes; the
    // metadata goes on the second study, so that only the deletion tells
    // the sync that the first study changed
    const deletedUid = instances[1]?.seriesInstanceUid;
    const secondStudy = instances[6]?.seriesInstanceUid;
    if (deletedUid === undefined || secondStudy === undefined) {
      throw new Error('the archive is too small');
    }
    const deleted = await seriesByUid(server, deletedUid);
    await request(server, `/series/${deleted.ID}`, 'DELETE');
    const kept = await seriesByUid(server, secondStudy);
    await request(
      server,
      `/studies/${kept.ParentStudy}/metadata/1024`,
      'PUT',
      'reviewed',
    );
    await waitUntilStable(server);

    const capture = captureTo(after, server);
    await captureFullLoad(capture);
    await captureLog(capture, cursor);
    for (const level of levels) {
      const ids = (await capture(`/${level}`)) as string[];
      for (let since = 0; ; since += PAGE) {
        const page = (await capture(
          `/${level}?since=${since}&limit=${PAGE}`,
        )) as unknown[];
        if (page.length === 0) break;
      }
      for (const id of ids) {
        await capture(`/${level}/${id}`);
        // the child lists a sync reads new resources through
        if (level === 'studies') {
          await capture(`/studies/${id}/series`);
          await capture(`/studies/${id}/instances`);
        }
        if (level === 'series') await capture(`/series/${id}/instances`);
        if (level === 'instances') await capture(`/instances/${id}/series`);
      }
    }
    for (const id of [deleted.ID, ...deleted.Instances]) {
      const level = id === deleted.ID ? 'series' : 'instances';
      await capture(`/${level}/${id}`);
    }
    return `${root}: cursor ${cursor}, deleted series ${deleted.ID}`;
  } finally {
    await server.stop();
  }
}

const flavours: OrthancFlavour[] = hasFlavour('1.12')
  ? ['1.10', '1.12']
  : ['1.10'];
for (const flavour of flavours) {
  console.log(await captureFlavour(flavour));
}
