// Taking staged rows back before a commit. A resource that was on a page
// but is gone from the server's final ID list was deleted while the crawl
// ran; its root row and every child row it brought are removed from
// staging, so that the load lands what the server held at its end.

import { STAGING, identKey, qualified, quoteIdent, quoteLiteral } from './sql';
import type { StagedTable } from './commitPlan';

/** IDs per DELETE, to keep each statement a reasonable size. */
const CHUNK = 1000;

export function retractPlan(
  root: StagedTable,
  all: readonly StagedTable[],
  ids: readonly string[],
): string[] {
  const [key, ...rest] = root.schema.primaryKey;
  if (key === undefined || rest.length > 0 || ids.length === 0) return [];

  const rootName = qualified(STAGING, root.schema.name);
  const children = all.filter(
    (table) =>
      table.schema.parent !== undefined &&
      identKey(table.schema.parent) === identKey(root.schema.name),
  );

  const statements: string[] = [];
  for (let start = 0; start < ids.length; start += CHUNK) {
    const list = ids
      .slice(start, start + CHUNK)
      .map(quoteLiteral)
      .join(', ');
    const match = `${quoteIdent(key)} IN (${list})`;
    for (const child of children) {
      statements.push(
        `DELETE FROM ${qualified(STAGING, child.schema.name)} ` +
          `WHERE ${quoteIdent('_dlt_root_id')} IN ` +
          `(SELECT ${quoteIdent('_dlt_id')} FROM ${rootName} WHERE ${match})`,
      );
    }
    statements.push(`DELETE FROM ${rootName} WHERE ${match}`);
  }
  return statements;
}
