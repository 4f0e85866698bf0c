// What owns a column or a table, as a string. A data column belongs to
// the raw JSON keys its values come from (from the top of a row of its
// table), a variant column to those keys and its type, a column the
// normalizer adds to the normalizer; a child table to its parent and the
// raw keys of its list. Names are derived from identities, never the
// other way round, so that the same keys always end up in the same place.

import type { ColumnSchema, ColumnType } from './schema';

/** Starts the identities the normalizer owns. */
export const SYSTEM = '\u0001';
/** Separates the keys of a raw path inside an identity. */
export const PATH = '\u0000';

export const C_DLT_ID = '_dlt_id';
export const C_DLT_LOAD_ID = '_dlt_load_id';
export const C_DLT_PARENT_ID = '_dlt_parent_id';
export const C_DLT_LIST_IDX = '_dlt_list_idx';
export const C_DLT_ROOT_ID = '_dlt_root_id';
export const C_VALUE = 'value';

/** The normalizer's own columns and their types. */
export const SYSTEM_TYPES: Record<string, ColumnType> = {
  [C_DLT_ID]: 'text',
  [C_DLT_LOAD_ID]: 'text',
  [C_DLT_PARENT_ID]: 'text',
  [C_DLT_LIST_IDX]: 'bigint',
  [C_DLT_ROOT_ID]: 'text',
};

/** The identity of a data column: its raw keys from the row's top. */
export function columnIdentity(rawPath: readonly string[]): string {
  return rawPath.join(PATH);
}

/** The identity of the variant column of `rawPath` for `type`. */
export function variantIdentity(
  rawPath: readonly string[],
  type: ColumnType,
): string {
  return `${columnIdentity(rawPath)}${SYSTEM}${type}`;
}

/** The identity of the child table for the list at `rawPath`. */
export function childIdentity(
  parentIdentity: string,
  rawPath: readonly string[],
): string {
  return parentIdentity + PATH + PATH + columnIdentity(rawPath);
}

/** Who owns a stored column: the data at its source, or the normalizer;
 *  null for a declared column that no data has claimed. */
export function storedOwner(column: ColumnSchema): string | null {
  if (column.source) {
    return column.variant
      ? variantIdentity(column.source, column.type)
      : columnIdentity(column.source);
  }
  return column.name in SYSTEM_TYPES ? SYSTEM + column.name : null;
}

/** A column with its own copy of the source keys. */
export function copyColumn(column: ColumnSchema): ColumnSchema {
  const copy: ColumnSchema = { name: column.name, type: column.type };
  if (column.source) copy.source = [...column.source];
  if (column.variant) copy.variant = true;
  return copy;
}
