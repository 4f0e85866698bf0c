import { describe, expect, it } from 'vitest';

import { parseProxyTargets, targetOfUrl } from './proxyTargets';

const origin = 'http://127.0.0.1:4173';

describe('parseProxyTargets', () => {
  it('reads the server list', () => {
    expect(
      parseProxyTargets({
        targets: [
          {
            name: 'main',
            url: 'http://orthanc.example:8042',
            path: '/proxy/orthanc/main',
          },
          {
            name: 'research',
            url: 'https://pacs.example/orthanc',
            path: '/proxy/orthanc/research',
          },
        ],
      }),
    ).toEqual([
      {
        name: 'main',
        url: 'http://orthanc.example:8042',
        path: '/proxy/orthanc/main',
      },
      {
        name: 'research',
        url: 'https://pacs.example/orthanc',
        path: '/proxy/orthanc/research',
      },
    ]);
  });

  it('drops entries that would lead off the proxy', () => {
    expect(
      parseProxyTargets({
        targets: [
          { name: 'a', url: 'x', path: '//evil.example/proxy/orthanc' },
          { name: 'b', url: 'x', path: 'https://evil.example/' },
          { name: 'c', url: 'x', path: '/proxy/orthanc/../admin' },
          { name: 'd', url: 42, path: '/proxy/orthanc/d' },
          { name: 'e', url: 'x', path: '/proxy/orthanc' },
        ],
      }).map((target) => target.name),
    ).toEqual(['e']);
  });

  it('gives nothing for a page that is not the list', () => {
    expect(parseProxyTargets('<!doctype html>')).toEqual([]);
    expect(parseProxyTargets({ targets: 'main' })).toEqual([]);
    expect(parseProxyTargets(null)).toEqual([]);
  });
});

describe('targetOfUrl', () => {
  const targets = parseProxyTargets({
    targets: [
      { name: 'main', url: 'u', path: '/proxy/orthanc/main' },
      { name: 'other', url: 'u', path: '/proxy/orthanc/other' },
    ],
  });

  it('finds the target a URL points at, trailing slash or not', () => {
    expect(
      targetOfUrl(targets, `${origin}/proxy/orthanc/other/ `, origin)?.name,
    ).toBe('other');
    expect(targetOfUrl(targets, `${origin}/proxy/orthanc`, origin)).toBe(
      undefined,
    );
    expect(
      targetOfUrl(targets, 'http://elsewhere/proxy/orthanc/main', origin),
    ).toBe(undefined);
  });
});
