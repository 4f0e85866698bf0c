// A note, kept in localStorage apart from the database file, that a load
// was saved. Browsers have lost or emptied OPFS files (cleared site data,
// a DuckDB-WASM build that wrote 0 bytes: case C24); without the note an
// empty file would open as an empty warehouse, as if nothing had ever
// been loaded. The note holds the load id, a table count and a time:
// nothing from DICOM, no server, no credentials.

export const MARKER_KEY = 'orthanc-warehouse.saved';

export interface SavedMarker {
  /** The last load committed and checkpointed (dlt's load id). */
  loadId: string | null;
  /** Tables in `orthanc_data` at that moment. */
  tableCount: number;
  /** When it was saved, ISO 8601. */
  savedAt: string;
}

/** The part of localStorage the marker uses. */
export interface MarkerStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What the opened file holds; null when it could not be opened. */
export interface FoundWarehouse {
  tableCount: number;
  /** Whether `_dlt_loads` lists the marker's load. */
  hasMarkedLoad: boolean;
}

/** The marker in `text`, or null when there is none or it is not ours. */
export function parseMarker(text: string | null): SavedMarker | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { loadId, tableCount, savedAt } = value as Record<string, unknown>;
  if (loadId !== null && typeof loadId !== 'string') return null;
  if (typeof tableCount !== 'number' || !Number.isInteger(tableCount)) {
    return null;
  }
  if (tableCount < 0 || typeof savedAt !== 'string') return null;
  return { loadId, tableCount, savedAt };
}

/**
 * Why the warehouse that opened is not the one that was saved, or null
 * when it is (or nothing was saved). Only a saved warehouse with tables
 * counts: one cleared by the user leaves no marker.
 */
export function restoreProblem(
  marker: SavedMarker | null,
  found: FoundWarehouse | null,
): string | null {
  if (marker === null || marker.tableCount === 0) return null;
  const saved = `saved ${describeTime(marker.savedAt)}`;
  if (found === null) {
    return `the file of the warehouse ${saved} cannot be read`;
  }
  if (found.tableCount === 0) {
    return (
      `the warehouse ${saved} had ${plural(marker.tableCount, 'table')}; ` +
      'the browser gave back none'
    );
  }
  if (marker.loadId !== null && !found.hasMarkedLoad) {
    return `the load ${marker.loadId}, ${saved}, is missing from it`;
  }
  return null;
}

/** Reads the marker; a browser that refuses storage has none. */
export function readMarker(
  storage: MarkerStorage | undefined,
): SavedMarker | null {
  try {
    return parseMarker(storage?.getItem(MARKER_KEY) ?? null);
  } catch {
    return null;
  }
}

/** Writes the marker; returns false when the browser refused. */
export function writeMarker(
  storage: MarkerStorage | undefined,
  marker: SavedMarker,
): boolean {
  try {
    storage?.setItem(MARKER_KEY, JSON.stringify(marker));
    return storage !== undefined;
  } catch {
    return false;
  }
}

export function removeMarker(storage: MarkerStorage | undefined): void {
  try {
    storage?.removeItem(MARKER_KEY);
  } catch {
    // A storage that refuses to remove also refused to keep it.
  }
}

function describeTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return 'earlier';
  return `on ${time.toLocaleString()}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
