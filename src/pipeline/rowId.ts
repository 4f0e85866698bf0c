// The `_dlt_id` of a row, made as dlt's relational normalizer makes it
// (dlt/common/normalizers/json/helpers.py): a child row's id is a digest of
// its parent's id, its table and its place in the list; a root row with a
// primary key gets the digest of that key ("key_hash"), so that loading the
// same resource again gives the same ids. dlt's digest is SHAKE128, here in
// lib/shake128.ts, 10 bytes, base64 without padding: 14 characters.

import { bytesToBase64, digest128 } from '../lib/shake128';
import type { CellValue, Row } from './rows';

/** dlt's DLT_ID_LENGTH_BYTES. */
const ID_BYTES = 10;

export function childRowId(
  parentRowId: string,
  table: string,
  listIndex: number,
): string {
  return digest128(`${parentRowId}_${table}_${listIndex}`, ID_BYTES);
}

function jsonScalar(value: CellValue): string {
  return typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
}

/**
 * The id of a root row from its primary key columns: the digest of
 * `{"col":value,...}` with the keys sorted, as dlt serializes it. Returns
 * null when a key column has no value.
 */
export function keyHashRowId(row: Row, primaryKey: string[]): string | null {
  const parts: string[] = [];
  for (const column of [...primaryKey].sort()) {
    const value = row.get(column);
    if (value === undefined) return null;
    parts.push(`${JSON.stringify(column)}:${jsonScalar(value)}`);
  }
  return digest128(`{${parts.join(',')}}`, ID_BYTES);
}

/** dlt's id for a root row without a key: random bytes. */
export function randomRowId(): string {
  const bytes = new Uint8Array(ID_BYTES);
  crypto.getRandomValues(bytes);
  return bytesToBase64(bytes).replace(/=+$/, '');
}
