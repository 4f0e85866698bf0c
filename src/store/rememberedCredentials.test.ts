import { describe, expect, it } from 'vitest';

import {
  type CredentialForm,
  type CredentialStorage,
  forgetRemembered,
  readRemembered,
  REMEMBER_KEY,
  writeRemembered,
} from './rememberedCredentials';

/** sessionStorage's methods over a Map, as Node has none. */
function memoryStorage(): CredentialStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

const form: CredentialForm = {
  url: 'https://pacs.example/orthanc',
  authKind: 'header',
  username: '',
  password: '',
  token: 'Zq-7 secret',
  headerName: 'token',
};

describe('remembered credentials', () => {
  it('reads back the form it wrote, and nothing once forgotten', () => {
    const storage = memoryStorage();
    expect(readRemembered(storage)).toBeNull();

    writeRemembered(storage, form);
    expect(readRemembered(storage)).toEqual(form);

    forgetRemembered(storage);
    expect(readRemembered(storage)).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('writes the form fields only, not whatever else the state holds', () => {
    const storage = memoryStorage();
    writeRemembered(storage, {
      ...form,
      serverInfo: { name: 'x' },
    } as CredentialForm);
    const written = JSON.parse(
      storage.items.get(REMEMBER_KEY) ?? '{}',
    ) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual([
      'url',
      'authKind',
      'username',
      'password',
      'token',
      'headerName',
    ]);
  });

  it('ignores what it cannot read', () => {
    const storage = memoryStorage();
    for (const text of [
      'not json',
      'null',
      JSON.stringify({ ...form, authKind: 'digest' }),
      JSON.stringify({ ...form, password: 42 }),
    ]) {
      storage.setItem(REMEMBER_KEY, text);
      expect(readRemembered(storage)).toBeNull();
    }
    expect(readRemembered(undefined)).toBeNull();
  });
});
