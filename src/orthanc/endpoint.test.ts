import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import { basicAuthorization } from './basicAuth';
import { endpointOf } from './endpoint';

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
      authorization: basicAuthorization('u', 'p'),
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
    expect(endpoint.authorization).toBe(basicAuthorization('demo', 'demo'));

    // typed credentials win over those in the URL
    expect(
      endpointOf({
        baseUrl: 'https://old:old@pacs.example',
        username: 'new',
        password: 'secret',
      }),
    ).toEqual({
      baseUrl: 'https://pacs.example',
      authorization: basicAuthorization('new', 'secret'),
    });
  });

  it('refuses what is not an http(s) URL', () => {
    for (const baseUrl of ['pacs.example:8042', 'ftp://pacs.example', '']) {
      expect(() => endpointOf({ baseUrl, username: '', password: '' })).toThrow(
        WarehouseError,
      );
    }
  });
});
