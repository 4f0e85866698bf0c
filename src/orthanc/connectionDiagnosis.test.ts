// "Test connection" against answers captured from a real Orthanc, served
// at chosen paths, and against the failures a browser's fetch shows (a
// TypeError for any request that got no answer).

import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import type { Connection } from './connection';
import {
  corsMessage,
  MIXED_CONTENT_MESSAGE,
  tlsOrUnreachableMessage,
  unreachableMessage,
  wrongPathMessage,
} from './connectionDiagnosis';
import { testConnection } from './testConnection';

const captured = loadFixtures('1.10.1');
function body(request: string): string {
  const found = captured.find((one) => one.request === request);
  if (!found) throw new Error(`no fixture for ${request}`);
  return JSON.stringify(found.body);
}

interface Call {
  url: string;
  mode: string | undefined;
  headers: Headers;
}

/** A fetch with a real Orthanc's answers at `orthancAt` (a base URL),
 *  404 elsewhere; `fail` turns chosen requests into fetch's TypeError. */
function server(
  orthancAt: string | null,
  fail: (call: Call) => boolean = () => false,
) {
  const calls: Call[] = [];
  const fetch = (input: string | URL, init?: RequestInit) => {
    const call = {
      url: String(input),
      mode: init?.mode,
      headers: new Headers(init?.headers),
    };
    calls.push(call);
    if (fail(call)) return Promise.reject(new TypeError('Failed to fetch'));
    for (const path of ['/system', '/statistics']) {
      if (orthancAt !== null && call.url === `${orthancAt}${path}`) {
        return Promise.resolve(new Response(body(path), { status: 200 }));
      }
    }
    return Promise.resolve(new Response('', { status: 404 }));
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const page = { protocol: 'http:', href: 'http://app.example:4173/' };

function connection(baseUrl: string, more: Partial<Connection> = {}) {
  return { baseUrl, username: 'demo', password: 'demo', ...more };
}

async function failure(
  conn: Connection,
  options: Parameters<typeof testConnection>[1],
): Promise<Error> {
  const error: unknown = await testConnection(conn, options).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('the test did not fail');
  return error;
}

describe('connection diagnosis', () => {
  it('tells mixed content from the addresses, before any request', async () => {
    const pacs = server('http://pacs.example:8042');
    const error = await failure(connection('http://pacs.example:8042'), {
      fetch: pacs.fetch,
      page: { protocol: 'https:', href: 'https://app.example/' },
    });
    expect(error.message).toBe(MIXED_CONTENT_MESSAGE);
    expect(pacs.calls).toEqual([]);

    // loopback is trustworthy: an https page may call it over http
    const local = server('http://127.0.0.1:8042');
    const info = await testConnection(connection('http://127.0.0.1:8042'), {
      fetch: local.fetch,
      page: { protocol: 'https:', href: 'https://app.example/' },
    });
    expect(info.version).toBe('1.10.1');
  });

  it('finds Orthanc higher up a wrong path and names it', async () => {
    const pacs = server('https://pacs.example/orthanc');
    const error = await failure(
      connection('https://pacs.example/orthanc/api/'),
      { fetch: pacs.fetch, page },
    );
    expect(error.message).toBe(
      wrongPathMessage(
        'https://pacs.example/orthanc/api',
        'https://pacs.example/orthanc',
      ),
    );
    expect(error.message).toContain('check the path');
  });

  it('says "check the path" when no Orthanc is found under it', async () => {
    const web = server(null);
    const error = await failure(connection('https://pacs.example/dicom'), {
      fetch: web.fetch,
      page,
    });
    expect(error.message).toContain('no Orthanc REST API under /dicom');
    expect(error.message).toContain('check the path');
    // the typed path, then the origin's root
    expect(web.calls.map((call) => call.url)).toEqual([
      'https://pacs.example/dicom/system',
      'https://pacs.example/system',
    ]);
  });

  it('reports CORS, naming the custom header, never the password', async () => {
    const pacs = server(
      'https://pacs.example',
      (call) => call.mode !== 'no-cors',
    );
    const error = await failure(
      connection('https://pacs.example', {
        tokenAuth: { kind: 'header', name: 'token', value: 'tk-1' },
      }),
      { fetch: pacs.fetch, page, retries: 0 },
    );
    expect(error.message).toBe(corsMessage('token'));
    expect(error.message).toContain('the token header');
    expect(error.message).not.toMatch(/password|401/);

    // the opaque probe carries no credentials
    const probe = pacs.calls.find((call) => call.mode === 'no-cors');
    expect(probe?.headers.get('token')).toBeNull();
  });

  it('tells an unreachable http server from an untrusted https one', async () => {
    const down = server(null, () => true);
    const plain = await failure(connection('http://pacs.example:8042'), {
      fetch: down.fetch,
      page,
      retries: 0,
    });
    expect(plain.message).toBe(unreachableMessage('http://pacs.example:8042'));

    const secure = await failure(connection('https://pacs.example'), {
      fetch: down.fetch,
      page,
      retries: 0,
    });
    expect(secure.message).toBe(
      tlsOrUnreachableMessage('https://pacs.example'),
    );
    expect(secure.message).toContain('certificate');
  });

  it('says which credentials a 401 refused', async () => {
    const refusing = {
      fetch: (() =>
        Promise.resolve(
          new Response('', { status: 401 }),
        )) as typeof globalThis.fetch,
    };
    const token = await failure(
      connection('https://pacs.example', {
        tokenAuth: { kind: 'bearer', token: 'eyJ' },
      }),
      { ...refusing, page },
    );
    expect(token.message).toContain('check the token');
    const basic = await failure(connection('https://pacs.example'), {
      ...refusing,
      page,
    });
    expect(basic.message).toContain('check the username and password');
  });
});
