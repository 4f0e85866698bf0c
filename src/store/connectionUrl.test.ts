import { describe, expect, it } from 'vitest';

import { splitCredentials } from './connectionUrl';

describe('splitCredentials', () => {
  it('moves credentials from the URL into the fields', () => {
    expect(
      splitCredentials({
        url: ' https://demo:s%40cret@pacs.example/orthanc/ ',
        username: '',
        password: '',
      }),
    ).toEqual({
      url: 'https://pacs.example/orthanc/',
      username: 'demo',
      password: 's@cret',
    });
  });

  it('keeps typed fields and still strips the URL', () => {
    const split = splitCredentials({
      url: 'http://old:pw@127.0.0.1:8042',
      username: 'alice',
      password: 'typed',
    });
    expect(split).toEqual({
      url: 'http://127.0.0.1:8042/',
      username: 'alice',
      password: 'typed',
    });
    expect(split.url).not.toContain('pw');
  });

  it('leaves a plain or unparsable URL as typed', () => {
    const plain = {
      url: 'http://localhost:8042',
      username: 'u',
      password: 'p',
    };
    expect(splitCredentials(plain)).toEqual(plain);
    const broken = { url: 'not a url', username: '', password: '' };
    expect(splitCredentials(broken)).toEqual(broken);
  });
});
