// Fills a test Orthanc with real files and generated ones through
// POST /instances, the fastest way in (about 300 files a second with a
// dozen requests in flight). pydicom's sample files include deliberately
// broken ones: Orthanc rejects a few, and they are counted, not fatal.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { generateInstances } from './generateInstances.ts';
import { type OrthancServer, basicAuth } from './orthanc.ts';
import { generateCharsetCases } from './charsetCases.ts';
import { generateTagCases } from './tagCases.ts';

export const pydicomData = '/usr/lib/python3/dist-packages/pydicom/data';
export const pydicomFolders = [
  join(pydicomData, 'test_files'),
  join(pydicomData, 'charset_files'),
];

export interface SeedOptions {
  /** How many generated instances to add. */
  generated?: number;
  /** Keeps the UIDs of two generated archives apart. */
  namespace?: string;
  /** Files to send; every file under pydicom's folders when absent. */
  files?: string[];
  /** Adds the series of instances with hard tags (tagCases.ts). */
  tagCases?: boolean;
  /** Adds the patients with wrongly declared charsets (charsetCases.ts). */
  charsetCases?: boolean;
  /** Requests in flight, 8 to 16 is the sweet spot. */
  concurrency?: number;
}

export interface SeedResult {
  /** Files Orthanc stored as new instances. */
  uploaded: number;
  /** Files Orthanc already had (pydicom ships a few copies). */
  alreadyStored: number;
  /** Files Orthanc refused, with the reason it gave. */
  rejected: { file: string; status: number; message: string }[];
  generated: number;
  /** IDs of every stored instance, as Orthanc answered them. */
  instanceIds: string[];
}

/** Every file under the folders, in a stable order. */
export async function listFiles(folders: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const folder of folders) {
    const entries = await readdir(folder, {
      recursive: true,
      withFileTypes: true,
    });
    for (const entry of entries) {
      if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files.sort();
}

interface Upload {
  name: string;
  bytes: () => Promise<Buffer>;
}

export type UploadOutcome =
  | { kind: 'stored' | 'already'; id: string }
  | { kind: 'rejected'; status: number; message: string };

export async function postInstance(
  server: OrthancServer,
  bytes: Buffer,
): Promise<UploadOutcome> {
  // Orthanc drops idle keep-alive sockets after a second, which can break
  // a reused connection: storing the same file again is harmless, so retry.
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${server.url}/instances`, {
        method: 'POST',
        headers: {
          Authorization: basicAuth(server),
          'Content-Type': 'application/dicom',
        },
        body: bytes,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (!response.ok) {
        return { kind: 'rejected', status: response.status, message: text };
      }
      const body = JSON.parse(text) as { ID: string; Status: string };
      const kind = body.Status === 'AlreadyStored' ? 'already' : 'stored';
      return { kind, id: body.ID };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Uploads real pydicom files and generated instances; counts outcomes. */
export async function seedOrthanc(
  server: OrthancServer,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const files = options.files ?? (await listFiles(pydicomFolders));
  const generated = [
    ...generateInstances(options.generated ?? 0, options.namespace),
    ...(options.tagCases ? generateTagCases() : []),
    ...(options.charsetCases ? generateCharsetCases() : []),
  ];
  const uploads: Upload[] = [
    ...files.map((file) => ({ name: file, bytes: () => readFile(file) })),
    ...generated.map((instance) => ({
      name: `generated ${instance.sopInstanceUid}`,
      bytes: () => Promise.resolve(instance.bytes),
    })),
  ];

  const result: SeedResult = {
    uploaded: 0,
    alreadyStored: 0,
    rejected: [],
    generated: 0,
    instanceIds: [],
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let upload = uploads[next++]; upload; upload = uploads[next++]) {
      const outcome = await postInstance(server, await upload.bytes());
      if (outcome.kind === 'rejected') {
        result.rejected.push({
          file: upload.name,
          status: outcome.status,
          message: outcome.message.slice(0, 200),
        });
        continue;
      }
      if (outcome.kind === 'stored') result.uploaded++;
      else result.alreadyStored++;
      result.instanceIds.push(outcome.id);
      if (upload.name.startsWith('generated ')) result.generated++;
    }
  };
  const concurrency = Math.min(16, Math.max(1, options.concurrency ?? 12));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

export interface OrthancCounts {
  patients: number;
  studies: number;
  series: number;
  instances: number;
}

/** The four counts of GET /statistics. */
export async function fetchCounts(
  server: OrthancServer,
): Promise<OrthancCounts> {
  const response = await fetch(`${server.url}/statistics`, {
    headers: { Authorization: basicAuth(server) },
  });
  if (!response.ok) {
    throw new Error(`GET /statistics answered ${response.status}`);
  }
  const body = (await response.json()) as Record<string, number>;
  return {
    patients: body.CountPatients ?? -1,
    studies: body.CountStudies ?? -1,
    series: body.CountSeries ?? -1,
    instances: body.CountInstances ?? -1,
  };
}

async function postJson(
  server: OrthancServer,
  path: string,
  body: unknown,
): Promise<unknown> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: basicAuth(server),
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${path} answered ${response.status}`);
  }
  return await response.json();
}

/**
 * Gives /queries and /exports real content on a server started with
 * `selfAet`: a C-FIND of every study at the server itself, and a
 * synchronous C-STORE of its smallest study to itself. The instances are
 * already stored, so the counts do not change.
 */
export async function fillQueriesAndExports(
  server: OrthancServer,
): Promise<{ queryId: string; exportedStudy: string }> {
  const query = (await postJson(server, '/modalities/self/query', {
    Level: 'Study',
    Query: {},
  })) as { ID: string };

  const response = await fetch(`${server.url}/series?expand`, {
    headers: { Authorization: basicAuth(server) },
  });
  const series = (await response.json()) as {
    ParentStudy: string;
    Instances: string[];
  }[];
  const sizes = new Map<string, number>();
  for (const one of series) {
    const size = sizes.get(one.ParentStudy) ?? 0;
    sizes.set(one.ParentStudy, size + one.Instances.length);
  }
  const [smallest] = [...sizes].sort((a, b) => a[1] - b[1]);
  if (smallest === undefined) throw new Error('no study to export');

  await postJson(server, '/modalities/self/store', {
    Resources: [smallest[0]],
    Synchronous: true,
  });
  return { queryId: query.ID, exportedStudy: smallest[0] };
}

/**
 * Labels, on a server that has them (Orthanc 1.12.0, API version 22):
 * three on one study that differ only in case and sign, one of them on a
 * second study, and one on a series. Returns how many were set.
 */
export async function labelResources(server: OrthancServer): Promise<number> {
  if (server.apiVersion < 22) return 0;
  const headers = { Authorization: basicAuth(server) };
  const response = await fetch(`${server.url}/studies?expand`, { headers });
  const studies = (await response.json()) as { ID: string; Series: string[] }[];
  const [first, second] = studies;
  if (first === undefined || second === undefined) {
    throw new Error('labels need two studies');
  }

  const labels: [string, string][] = [
    ...['Covid-19', 'covid_19', 'COVID_19'].map((label): [string, string] => [
      `/studies/${first.ID}`,
      label,
    ]),
    [`/studies/${second.ID}`, 'Covid-19'],
    [`/series/${String(second.Series[0])}`, 'reviewed'],
  ];
  for (const [resource, label] of labels) {
    const put = await fetch(`${server.url}${resource}/labels/${label}`, {
      method: 'PUT',
      headers,
    });
    if (!put.ok) {
      throw new Error(`PUT ${resource}/labels/${label}: ${put.status}`);
    }
  }
  return labels.length;
}
