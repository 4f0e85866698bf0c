// What a load fetches, declared as data in the manner of dlt's
// RESTAPIConfig: one entry per resource, so that loading another endpoint
// is one more entry here (and, for a new shape of answer, one more case in
// crawl.ts). The names and tables are those of the dlt rest_api pipeline
// our users already run against Orthanc.

import type { ColumnSchema, WriteDisposition } from './schema';
import type { RootTableSpec } from './tableRegistry';

/** The Orthanc levels, as /statistics counts them. */
export type Level = 'patients' | 'studies' | 'series' | 'instances';

export interface Resource {
  name: string;
  /** REST path, without query. */
  path: string;
  /**
   * `offset`: Orthanc's `since`/`limit` pages, both always sent, sized by
   * the level's total from /statistics. `none`: one request.
   */
  paging: 'offset' | 'none';
  /** Ask for detail objects (`expand`) instead of bare IDs. */
  expand: boolean;
  /** `ids`: an array of Orthanc IDs, one `value` row each.
   *  `resources`: an array of objects that each carry an `ID`. */
  yields: 'ids' | 'resources';
  /** Root table in `orthanc_data`. */
  table: string;
  primaryKey: string[];
  disposition: WriteDisposition;
  /** Columns the table has before any row, so that it exists even empty. */
  columns: ColumnSchema[];
  /** The level this resource lists, for its total and for reconciling. */
  level: Level;
  /** dlt's max_table_nesting; dlt's default when absent. */
  maxNesting?: number;
}

function idList(level: Level): Resource {
  return {
    name: level,
    path: `/${level}`,
    paging: 'none',
    expand: false,
    yields: 'ids',
    table: level,
    primaryKey: ['value'],
    disposition: 'replace',
    columns: [{ name: 'value', type: 'text' }],
    level,
  };
}

function details(level: Level): Resource {
  return {
    name: `${level}_detail`,
    path: `/${level}`,
    paging: 'offset',
    expand: true,
    yields: 'resources',
    table: `${level}_detail`,
    primaryKey: ['id'],
    disposition: 'replace',
    columns: [{ name: 'id', type: 'text' }],
    level,
  };
}

const LEVELS: Level[] = ['patients', 'studies', 'series', 'instances'];

/** Every resource a load knows, in the order a full load fetches them. */
export const RESOURCES: readonly Resource[] = [
  ...LEVELS.map(details),
  ...LEVELS.map(idList),
];

/** Where a skipped request is recorded, a row each; appended per load. */
export const CRAWL_ERRORS: RootTableSpec = {
  name: '_crawl_errors',
  primaryKey: [],
  disposition: 'append',
  columns: [
    { name: 'resource', type: 'text' },
    { name: 'path', type: 'text' },
    { name: 'status', type: 'bigint' },
    { name: 'code', type: 'text' },
    { name: 'message', type: 'text' },
  ],
};

/** The resources named, in declaration order; all when none are named. */
export function selectResources(names?: readonly string[]): Resource[] {
  if (!names) return [...RESOURCES];
  const unknown = names.filter((n) => !RESOURCES.some((r) => r.name === n));
  if (unknown.length > 0) {
    throw new RangeError(`unknown resources: ${unknown.join(', ')}`);
  }
  return RESOURCES.filter((r) => names.includes(r.name));
}

/** The request for one page: both parameters, always, never limit=0. */
export function pagePath(resource: Resource, since: number, limit: number) {
  const expand = resource.expand ? 'expand&' : '';
  return `${resource.path}?${expand}since=${since}&limit=${Math.max(1, limit)}`;
}
