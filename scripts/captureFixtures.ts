// Records real Orthanc answers as replayable fixtures for the pipeline's
// unit tests: one file per request under
// src/pipeline/fixtures/orthanc-<version>/, holding
//   {"request": "/patients?expand&since=0&limit=2", "status": 200,
//    "body": <parsed JSON or null>, "text"?: <raw body when not JSON>,
//    "headers"?: {"content-type": ..., "www-authenticate": ...}}.
// The servers are seeded with a small, fixed set (six pydicom files with
// non-ASCII names in six character sets, six generated instances) uploaded
// one at a time, so that list orders and IDs are the same on every run.
// After that snapshot, the series of tag cases (scripts/tagCases.ts) is
// posted and its tags captured on their own, so that the counts the other
// fixtures hold do not depend on it.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { format } from 'prettier';

import {
  type OrthancFlavour,
  type OrthancServer,
  basicAuth,
  freePort,
  hasFlavour,
  repoRoot,
  startOrthanc,
} from './orthanc.ts';
import { pydicomData, seedOrthanc } from './seed.ts';

const fixturesRoot = join(repoRoot, 'src', 'pipeline', 'fixtures');
const charsetFiles = [
  'chrArab.dcm',
  'chrGerm.dcm',
  'chrGreek.dcm',
  'chrH31.dcm',
  'chrRuss.dcm',
  'chrX2.dcm',
].map((name) => join(pydicomData, 'charset_files', name));
const levels = ['patients', 'studies', 'series', 'instances'] as const;

interface Fixture {
  request: string;
  status: number;
  body: unknown;
  text?: string;
  headers?: Record<string, string>;
}

function parseJson(contentType: string, text: string): unknown {
  // Orthanc sends its JSON error bodies without a JSON content type.
  const looksJson = /^\s*[[{]/.test(text);
  return contentType.includes('json') || looksJson ? JSON.parse(text) : null;
}

interface Capture {
  get(name: string, path: string, auth?: string): Promise<Fixture>;
  readonly written: number;
}

function captureTo(folder: string, server: OrthancServer): Capture {
  let written = 0;
  return {
    get written() {
      return written;
    },
    async get(name, path, auth = basicAuth(server)) {
      const response = await fetch(`${server.url}${path}`, {
        headers: { Authorization: auth },
      });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      const fixture: Fixture = {
        request: path,
        status: response.status,
        body: parseJson(contentType, text),
      };

      // Keep what a replay needs to tell non-JSON answers apart.
      if (fixture.body === null) fixture.text = text;
      const headers: Record<string, string> = {};
      if (contentType !== '') headers['content-type'] = contentType;
      const challenge = response.headers.get('www-authenticate');
      if (challenge !== null) headers['www-authenticate'] = challenge;
      if (Object.keys(headers).length > 0) fixture.headers = headers;

      const json = await format(JSON.stringify(fixture), { parser: 'json' });
      await writeFile(join(folder, `${name}.json`), json);
      written++;
      return fixture;
    },
  };
}

async function post(
  server: OrthancServer,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: basicAuth(server),
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}`);
  }
  const text = await response.text();
  return text === '' ? null : (JSON.parse(text) as unknown);
}

async function waitUntilStable(server: OrthancServer): Promise<void> {
  // Stable events make the change log look like a real server's.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${server.url}/series?expand`, {
      headers: { Authorization: basicAuth(server) },
    });
    const series = (await response.json()) as { IsStable: boolean }[];
    if (series.every((s) => s.IsStable)) return;
    await new Promise((wake) => setTimeout(wake, 500));
  }
  throw new Error('series did not become stable within 30 s');
}

async function capturePages(
  capture: Capture,
  level: string,
): Promise<unknown[]> {
  // Pages of 2 until an empty one: a short page is not the end.
  const items: unknown[] = [];
  for (let since = 0; ; since += 2) {
    const page = await capture.get(
      `${level}-expand-since-${since}-limit-2`,
      `/${level}?expand&since=${since}&limit=2`,
    );
    const body = page.body as unknown[];
    if (body.length === 0) return items;
    items.push(...body);
  }
}

/** The tags of every series' instances, in the full format. */
async function captureTags(
  capture: Capture,
  server: OrthancServer,
): Promise<void> {
  for (const id of await listSeries(server)) {
    await capture.get(
      `series-${id.slice(0, 8)}-instances-tags-full`,
      `/series/${id}/instances-tags?full`,
    );
  }
}

/** The series of tag cases, posted after the snapshot, then its tags. */
async function captureTagCases(
  capture: Capture,
  server: OrthancServer,
): Promise<void> {
  const before = new Set(await listSeries(server));
  const posted = await seedOrthanc(server, {
    files: [],
    tagCases: true,
    concurrency: 1,
  });
  if (posted.rejected.length > 0) {
    throw new Error(`Orthanc rejected ${posted.rejected.length} tag cases`);
  }
  const added = (await listSeries(server)).filter((id) => !before.has(id));
  if (added.length !== 1 || added[0] === undefined) {
    throw new Error(`the tag cases made ${added.length} series, not 1`);
  }
  await capture.get(
    'tag-cases-instances-tags-full',
    `/series/${added[0]}/instances-tags?full`,
  );
}

async function listSeries(server: OrthancServer): Promise<string[]> {
  const response = await fetch(`${server.url}/series`, {
    headers: { Authorization: basicAuth(server) },
  });
  return (await response.json()) as string[];
}

async function captureFlavour(flavour: OrthancFlavour): Promise<string> {
  const dicomPort = await freePort();
  const server = await startOrthanc({
    flavour,
    stableAge: 1,
    config: {
      DicomServerEnabled: true,
      DicomPort: dicomPort,
      DicomAet: 'WAREHOUSE',
      LogExportedResources: true,
      // Two names that normalize alike, as met in real configurations.
      DicomModalities: {
        self: ['WAREHOUSE', '127.0.0.1', dicomPort],
        'pacs-1': ['PACS1', '127.0.0.1', 11112],
        PACS_1: { AET: 'PACS_1', Host: '127.0.0.1', Port: 11113 },
      },
    },
  });
  try {
    const seeded = await seedOrthanc(server, {
      files: charsetFiles,
      generated: 6,
      namespace: 'fixtures',
      concurrency: 1,
    });
    if (seeded.rejected.length > 0) {
      throw new Error(`Orthanc rejected ${seeded.rejected.length} files`);
    }

    // Fill /exports with a real C-STORE of one study to the server itself.
    const studies = (await post(server, '/tools/find', {
      Level: 'Study',
      Query: {},
    })) as string[];
    const firstStudy = studies[0];
    if (firstStudy === undefined) throw new Error('no study after seeding');
    await post(server, '/modalities/self/store', {
      Resources: [firstStudy],
      Synchronous: true,
    });

    // Labels exist from 1.12 on; three that differ only in case and sign.
    if (server.apiVersion >= 22) {
      for (const label of ['Covid-19', 'covid_19', 'COVID_19']) {
        await post(server, `/studies/${firstStudy}/labels/${label}`, '', 'PUT');
      }
    }
    await waitUntilStable(server);

    // Fill /queries with a real C-FIND to the server itself.
    const query = (await post(server, '/modalities/self/query', {
      Level: 'Study',
      Query: {},
    })) as { ID: string };

    const folder = join(fixturesRoot, `orthanc-${server.version}`);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    const capture = captureTo(folder, server);

    await capture.get('system', '/system');
    await capture.get('statistics', '/statistics');
    for (const level of levels) {
      const list = await capture.get(level, `/${level}`);
      const pages = await capturePages(capture, level);
      const ids = list.body as string[];
      if (pages.length !== ids.length) {
        throw new Error(
          `${level}: ${pages.length} paged, ${ids.length} listed`,
        );
      }
      await capture.get(`${level}-one`, `/${level}/${ids[0] ?? ''}`);
    }

    for (let since = 0; ;) {
      const page = await capture.get(
        `changes-since-${since}-limit-5`,
        `/changes?since=${since}&limit=5`,
      );
      const body = page.body as { Done: boolean; Last: number };
      if (body.Done) break;
      since = body.Last;
    }
    // The same log in pages of 2, the size the crawl tests use.
    for (let since = 0; ; since += 2) {
      const page = await capture.get(
        `changes-since-${since}-limit-2`,
        `/changes?since=${since}&limit=2`,
      );
      if ((page.body as { Done: boolean }).Done) break;
    }
    await capture.get('changes-last', '/changes?last');
    await capture.get('modalities', '/modalities');
    await capture.get('modalities-expand', '/modalities?expand');
    await capture.get('exports', '/exports');
    await capture.get('exports-since-0-limit-5', '/exports?since=0&limit=5');
    await capture.get('exports-since-0-limit-2', '/exports?since=0&limit=2');
    await capture.get('exports-last', '/exports?last');
    await capture.get('queries', '/queries');
    await capture.get(
      'queries-answers-expand',
      `/queries/${query.ID}/answers?expand`,
    );
    await captureTags(capture, server);
    await capture.get('tools-labels', '/tools/labels');
    await capture.get('metrics-prometheus', '/tools/metrics-prometheus');
    await capture.get(
      'not-found',
      '/studies/00000000-00000000-00000000-00000000-00000000',
    );
    await capture.get('bad-request-limit-without-since', '/patients?limit=2');
    await capture.get(
      'unauthorized',
      '/system',
      basicAuth({ username: server.username, password: 'wrong-password' }),
    );
    await captureTagCases(capture, server);
    return `${folder}: ${capture.written} files (Orthanc ${server.version})`;
  } finally {
    await server.stop();
  }
}

const flavours: OrthancFlavour[] = hasFlavour('1.12')
  ? ['1.10', '1.12']
  : ['1.10'];
if (flavours.length === 1) {
  console.warn(
    'Orthanc 1.12 chroot not found: capturing 1.10 only ' +
      '(run "npm run setup:orthanc-1.12" for both).',
  );
}
for (const flavour of flavours) {
  console.log(await captureFlavour(flavour));
}
