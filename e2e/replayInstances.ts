// A fault proxy rule (see faultProxy.ts) that makes a small real Orthanc
// look like one with millions of instances, for the memory ceiling (C25).
// It reads the real server's expanded instance list once, through the
// page's own request and credentials, then answers what the crawl asks
// of the instance level:
// - `/statistics`, the real answer with CountInstances set to the total;
// - `/instances?expand&since=X&limit=Y`, pages of copies of the real
//   instances: copy k of instance i stands at offset k * real + i, and
//   every copy after the first gets its own ID, FileUuid and
//   SOPInstanceUID (derived from the original and k, so the same in every
//   run), everything else as the real server sent it;
// - `/instances?since=X&limit=Y` and `/instances`, the same IDs, the whole
//   list streamed in chunks rather than built in memory.
// Any other request goes on to the real Orthanc.

import { createHash } from 'node:crypto';
import http from 'node:http';

import type { FaultAnswer, FaultRule } from './faultProxy';

interface RealInstance {
  ID: string;
  FileUuid?: string;
  MainDicomTags?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface InstanceReplay {
  /** The rule to put first among the proxy's rules. */
  rule: FaultRule;
  /** Instances the replay pretends to hold. */
  total: number;
  /** Instance pages answered so far, and the instances in them. */
  served: { pages: number; instances: number };
}

/** IDs per chunk of a streamed ID list. */
const LIST_CHUNK = 10_000;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Orthanc's ID shape: a SHA-1 in five groups of eight hex digits. */
function orthancId(hex: string): string {
  return hex.slice(0, 40).replace(/(.{8})(?!$)/g, '$1-');
}

function uuid(hex: string): string {
  const h = hex.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A UID under the 2.25 root (a number from a UUID), at most 64 chars. */
function uid(hex: string): string {
  return `2.25.${BigInt(`0x${hex.slice(0, 32)}`).toString()}`;
}

function copyOf(real: RealInstance, k: number): RealInstance {
  if (k === 0) return real;
  const hex = sha1(`${real.ID}\n${k}`);
  const copy: RealInstance = { ...real, ID: orthancId(hex) };
  if (real.FileUuid !== undefined) copy.FileUuid = uuid(sha1(`${hex}\nfile`));
  if (real.MainDicomTags !== undefined) {
    copy.MainDicomTags = {
      ...real.MainDicomTags,
      SOPInstanceUID: uid(sha1(`${hex}\nuid`)),
    };
  }
  return copy;
}

function getJson(
  upstream: URL,
  path: string,
  headers: http.IncomingHttpHeaders,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: upstream.hostname,
        port: upstream.port,
        path,
        headers: { authorization: headers.authorization ?? '' },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (answer.statusCode !== 200) {
            reject(new Error(`GET ${path} answered ${answer.statusCode}`));
            return;
          }
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        answer.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

function json(body: unknown): FaultAnswer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** Replays the instances of the Orthanc at `target` up to `total`. */
export function replayInstances(target: string, total: number): InstanceReplay {
  const upstream = new URL(target);
  let real: Promise<RealInstance[]> | undefined;
  const served = { pages: 0, instances: 0 };

  const realInstances = (headers: http.IncomingHttpHeaders) => {
    real ??= getJson(upstream, '/instances?expand', headers).then(
      (body) => body as RealInstance[],
    );
    // a refused first read is tried again by the next request
    real.catch(() => (real = undefined));
    return real;
  };

  const instanceAt = (instances: RealInstance[], offset: number) => {
    const i = offset % instances.length;
    const k = Math.floor(offset / instances.length);
    return copyOf(instances[i] as RealInstance, k);
  };

  function* idList(instances: RealInstance[], from: number, to: number) {
    yield Buffer.from('[');
    for (let start = from; start < to; start += LIST_CHUNK) {
      const end = Math.min(to, start + LIST_CHUNK);
      const ids: string[] = [];
      for (let at = start; at < end; at++) {
        ids.push(JSON.stringify(instanceAt(instances, at).ID));
      }
      yield Buffer.from((start === from ? '' : ',') + ids.join(','));
    }
    yield Buffer.from(']');
  }

  const answer = async (
    path: string,
    headers: http.IncomingHttpHeaders,
  ): Promise<FaultAnswer> => {
    if (path === '/statistics') {
      const stats = (await getJson(upstream, path, headers)) as Record<
        string,
        unknown
      >;
      return json({ ...stats, CountInstances: total });
    }
    const instances = await realInstances(headers);
    const url = new URL(path, 'http://replay');
    const since = Number(url.searchParams.get('since') ?? 0);
    const limit = url.searchParams.has('limit')
      ? Number(url.searchParams.get('limit'))
      : total;
    const from = Math.min(total, since);
    const to = Math.min(total, since + limit);
    if (!url.searchParams.has('expand')) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: idList(instances, from, to),
      };
    }
    const page: RealInstance[] = [];
    for (let at = from; at < to; at++) page.push(instanceAt(instances, at));
    served.pages++;
    served.instances += page.length;
    return json(page);
  };

  return {
    rule: {
      path: /^\/(statistics$|instances(\?|$))/,
      answer,
    },
    total,
    served,
  };
}
