// Which JSON key became which column. A column's plain name is the one
// its keys get from the naming convention alone, built the way the
// normalizer builds it; when the column's real name differs, another key
// (or a column of the normalizer's own) had that name first and this one
// was made distinct (see tableRegistry.ts).

import type { NamingConvention } from './naming';
import type { ColumnSchema } from './schema';

/**
 * The name the column's keys would have alone, or null for a column
 * without recorded keys. A variant column's plain name is its plain
 * column's, tagged with the type, as the normalizer names variants.
 */
export function plainColumnName(
  column: ColumnSchema,
  naming: NamingConvention,
): string | null {
  const source = column.source;
  if (source === undefined || source.length === 0) return null;

  const parts = source.map((key) => naming.normalizeKey(key));
  const plain = naming.shortenFragments(...parts);
  return column.variant === true
    ? naming.shortenFragments(plain, `v_${column.type}`)
    : plain;
}

/** True when the column's keys could not have their plain name. */
export function wasRenamed(
  column: ColumnSchema,
  naming: NamingConvention,
): boolean {
  const plain = plainColumnName(column, naming);
  return plain !== null && plain !== column.name;
}
