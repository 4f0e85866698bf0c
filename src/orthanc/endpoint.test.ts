import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import { basicAuthorization } from './basicAuth';
import { endpointOf } from './endpoint';

function basic(username: string, password: string) {
  return {
    name: 'Authorization',
    value: basicAuthorization(username, password),
  };
}

describe('endpointOf', () => {
  it('keeps the path, drops trailing slashes, query and fragment', () => {
    expect(
      endpointOf({
        baseUrl: ' https://pacs.example/orthanc//?x=1#top ',
        username: 'u',
        password: 'p',
      }),
    ).toEqual({
      baseUrl: 'https://pacs.example/orthanc',
      credentials: basic('u', 'p'),
    });
  });

  it('never keeps credentials in the URL (case C02c)', () => {
    const endpoint = endpointOf({
      baseUrl: 'https://demo:demo@pacs.example/orthanc/',
      username: '',
      password: '',
    });
    expect(endpoint.baseUrl).toBe('https://pacs.example/orthanc');
    expect(endpoint.baseUrl).not.toContain('demo');
    expect(endpoint.credentials).toEqual(basic('demo', 'demo'));

    // typed credentials win over those in the URL
    expect(
      endpointOf({
        baseUrl: 'https://old:old@pacs.example',
        username: 'new',
        password: 'secret',
      }),
    ).toEqual({
      baseUrl: 'https://pacs.example',
      credentials: basic('new', 'secret'),
    });
  });

  it('refuses what is not an http(s) URL', () => {
    for (const baseUrl of ['pacs.example:8042', 'ftp://pacs.example', '']) {
      expect(() => endpointOf({ baseUrl, username: '', password: '' })).toThrow(
        WarehouseError,
      );
    }
  });

  it('sends a bearer token or a custom header instead of Basic', () => {
    const base = {
      baseUrl: 'https://demo:demo@pacs.example/',
      username: '',
      password: '',
    };
    const bearer = endpointOf({
      ...base,
      tokenAuth: { kind: 'bearer', token: ' eyJ.abc ' },
    });
    expect(bearer).toEqual({
      baseUrl: 'https://pacs.example',
      credentials: { name: 'Authorization', value: 'Bearer eyJ.abc' },
    });

    const custom = endpointOf({
      ...base,
      tokenAuth: { kind: 'header', name: 'token', value: 'secret-1' },
    });
    expect(custom.credentials).toEqual({ name: 'token', value: 'secret-1' });

    // an empty token sends nothing, rather than "Bearer "
    expect(
      endpointOf({ ...base, tokenAuth: { kind: 'bearer', token: ' ' } })
        .credentials,
    ).toBeNull();
  });

  it('refuses a header name or token that fetch could not send', () => {
    const base = {
      baseUrl: 'https://pacs.example',
      username: '',
      password: '',
    };
    expect(() =>
      endpointOf({
        ...base,
        tokenAuth: { kind: 'header', name: 'my token', value: 'x' },
      }),
    ).toThrow('header name is not valid');
    expect(() =>
      endpointOf({
        ...base,
        tokenAuth: { kind: 'bearer', token: 'abc\ndef' },
      }),
    ).toThrow('characters a header cannot carry');
  });
});
