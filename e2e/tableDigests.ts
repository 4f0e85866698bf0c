// Comparing a warehouse with another one, or with itself earlier, in SQL:
// each table's row count and a digest of its rows. A sync or a resumed
// load must leave what a fresh load leaves; only each load's own
// bookkeeping may differ.

import type { Page } from '@playwright/test';

import { runQuery } from './pageSteps';

/** Tables that differ between two loads by design: each load's own rows
 *  (its scrape of the metrics, its skipped requests, its bookkeeping). */
export const PER_LOAD_TABLES = new Set([
  '_dlt_loads',
  '_dlt_version',
  '_dlt_pipeline_state',
  '_crawl_errors',
  'tools_metrics_prometheus',
]);

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The data tables of a page and their columns, leaving out `_dlt_id`,
 *  `_dlt_load_id` and the per-load tables. */
export async function dataColumns(page: Page): Promise<Map<string, string[]>> {
  const rows = await runQuery(
    page,
    `select c.table_name, c.column_name
     from information_schema.columns c
     join information_schema.tables t
       on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'orthanc_data' and t.table_type = 'BASE TABLE'
       and c.column_name not in ('_dlt_id', '_dlt_load_id')
     order by c.table_name, c.ordinal_position`,
  );
  const columns = new Map<string, string[]>();
  for (const [table = '', column = ''] of rows) {
    if (PER_LOAD_TABLES.has(table)) continue;
    columns.set(table, [...(columns.get(table) ?? []), column]);
  }
  return columns;
}

/** Each table's name, row count and a digest of its rows, made of
 *  `columns` in their order (so that two pages compare alike). */
export async function fingerprints(
  page: Page,
  columns: Map<string, string[]>,
): Promise<string[][]> {
  const parts = [...columns].map(([table, names]) => {
    const cells = names.map((name) => `${quote(name)}::VARCHAR`);
    return (
      `select ${literal(table)} as t, count(*) as n, ` +
      `md5(coalesce(string_agg(r, chr(10) order by r), '')) as digest ` +
      `from (select list_value(${cells.join(', ')})::VARCHAR as r ` +
      `from orthanc_data.${quote(table)})`
    );
  });
  return runQuery(page, `${parts.join(' union all ')} order by t`);
}
