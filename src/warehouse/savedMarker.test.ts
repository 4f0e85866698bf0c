import { describe, expect, it } from 'vitest';

import {
  MARKER_KEY,
  parseMarker,
  readMarker,
  removeMarker,
  restoreProblem,
  writeMarker,
} from './savedMarker';
import type { MarkerStorage, SavedMarker } from './savedMarker';

const marker: SavedMarker = {
  loadId: '1733300000.123456',
  tableCount: 24,
  savedAt: '2024-12-04T10:00:00.000Z',
};

/** localStorage's methods over a Map, as Node has none. */
function memoryStorage(): MarkerStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

describe('parseMarker', () => {
  it('reads back what was written', () => {
    expect(parseMarker(JSON.stringify(marker))).toEqual(marker);
    expect(parseMarker(JSON.stringify({ ...marker, loadId: null }))).toEqual({
      ...marker,
      loadId: null,
    });
  });

  it('refuses anything that is not a marker', () => {
    expect(parseMarker(null)).toBeNull();
    expect(parseMarker('')).toBeNull();
    expect(parseMarker('{not json')).toBeNull();
    expect(parseMarker('42')).toBeNull();
    expect(parseMarker('null')).toBeNull();
    expect(parseMarker(JSON.stringify({ ...marker, tableCount: '24' }))).toBe(
      null,
    );
    expect(parseMarker(JSON.stringify({ ...marker, tableCount: -1 }))).toBe(
      null,
    );
    expect(parseMarker(JSON.stringify({ ...marker, tableCount: 1.5 }))).toBe(
      null,
    );
    expect(parseMarker(JSON.stringify({ ...marker, loadId: 7 }))).toBeNull();
    expect(parseMarker(JSON.stringify({ ...marker, savedAt: 0 }))).toBeNull();
  });
});

describe('restoreProblem', () => {
  const intact = { tableCount: 24, hasMarkedLoad: true };

  it('finds none when nothing was saved, or all came back', () => {
    expect(restoreProblem(null, { tableCount: 0, hasMarkedLoad: false })).toBe(
      null,
    );
    expect(restoreProblem(null, null)).toBeNull();
    expect(restoreProblem(marker, intact)).toBeNull();
    // More loads than the marker knows of: the marker was not rewritten.
    expect(restoreProblem(marker, { ...intact, tableCount: 30 })).toBeNull();
  });

  it('finds none for a warehouse that was saved empty', () => {
    const empty = { ...marker, loadId: null, tableCount: 0 };
    expect(restoreProblem(empty, { tableCount: 0, hasMarkedLoad: false })).toBe(
      null,
    );
  });

  it('reports a saved warehouse that came back empty (C24)', () => {
    const problem = restoreProblem(marker, {
      tableCount: 0,
      hasMarkedLoad: false,
    });
    expect(problem).toMatch(/^the warehouse saved on .+ had 24 tables; /);
    expect(problem).toContain('the browser gave back none');
  });

  it('reports a file that cannot be read', () => {
    expect(restoreProblem(marker, null)).toMatch(/cannot be read$/);
  });

  it('reports a warehouse that lost its last load', () => {
    expect(restoreProblem(marker, { ...intact, hasMarkedLoad: false })).toBe(
      `the load ${marker.loadId}, saved on ` +
        `${new Date(marker.savedAt).toLocaleString()}, is missing from it`,
    );
  });

  it('checks only the table count when no load was named', () => {
    const tablesOnly = { ...marker, loadId: null, tableCount: 1 };
    expect(
      restoreProblem(tablesOnly, { tableCount: 1, hasMarkedLoad: false }),
    ).toBeNull();
    expect(
      restoreProblem(tablesOnly, { tableCount: 0, hasMarkedLoad: false }),
    ).toContain('had 1 table;');
  });
});

describe('the marker in storage', () => {
  it('is written, read and removed under its own key', () => {
    const storage = memoryStorage();
    expect(readMarker(storage)).toBeNull();
    expect(writeMarker(storage, marker)).toBe(true);
    expect(JSON.parse(storage.getItem(MARKER_KEY) ?? '')).toEqual(marker);
    expect(readMarker(storage)).toEqual(marker);
    removeMarker(storage);
    expect(readMarker(storage)).toBeNull();
  });

  it('holds no more than the load id, a count and a time', () => {
    const storage = memoryStorage();
    writeMarker(storage, marker);
    const stored = JSON.parse(storage.getItem(MARKER_KEY) ?? '{}') as object;
    expect(Object.keys(stored)).toEqual(['loadId', 'tableCount', 'savedAt']);
  });

  it('copes with a browser that refuses storage', () => {
    // As browsers do with storage switched off, or full.
    const refusing: MarkerStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(readMarker(refusing)).toBeNull();
    expect(writeMarker(refusing, marker)).toBe(false);
    expect(() => {
      removeMarker(refusing);
    }).not.toThrow();
    expect(readMarker(undefined)).toBeNull();
    expect(writeMarker(undefined, marker)).toBe(false);
  });
});
