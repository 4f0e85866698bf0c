// What a load fetches, declared as data in the manner of dlt's
// RESTAPIConfig: one entry per resource, so that loading another endpoint
// is one more entry here (and, for a new shape of answer, one more case in
// crawl.ts or readServerResource.ts). The names and tables are those of
// the dlt rest_api pipeline our users already run against Orthanc.

import type { ColumnSchema, WriteDisposition } from './schema';
import type { RootTableSpec } from './tableRegistry';

/** The Orthanc levels, as /statistics counts them. */
export type Level = 'patients' | 'studies' | 'series' | 'instances';

interface BaseResource {
  name: string;
  /** REST path, without query. */
  path: string;
  /** Root table in `orthanc_data`. */
  table: string;
  primaryKey: string[];
  disposition: WriteDisposition;
  /** Columns the table has before any row, so that it exists even empty. */
  columns: ColumnSchema[];
  /** dlt's max_table_nesting; dlt's default when absent. */
  maxNesting?: number;
  /** Lists in each item whose child tables exist from the start. */
  lists?: DeclaredList[];
  /** Not in the default selection: loaded only when asked for. */
  optIn?: true;
}

/**
 * A list that some servers send and others do not (Orthanc has `Labels`
 * from 1.12.0): its child table exists either way, so that the same SQL
 * runs against any server, and an empty one says why.
 */
export interface DeclaredList {
  /** The keys of the list in an item. */
  path: string[];
  /** The child table's data columns. */
  columns: ColumnSchema[];
  /** The note when no item has the key at all. */
  absentNote: string;
  /** The note when items have it, but every list is empty. */
  emptyNote: string;
}

/** A list of the resources of one level: the main path of a load. */
export interface LevelResource extends BaseResource {
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
  /** The level this resource lists, for its total and for reconciling. */
  level: Level;
}

/**
 * What the server holds besides the DICOM resources: its configuration,
 * logs, query answers and metrics, and the instances' full tags. Read
 * after the levels; one that is empty, switched off or unknown to the
 * server (404) gives an empty table and a note, never a failed load.
 */
export interface ServerResource extends BaseResource {
  /** Query string of the request, without `?`. */
  query?: string;
  /**
   * - `log`: a log paged by Seq (/changes, /exports): `?last` first, then
   *   `?since=<last Seq read>&limit=<page size>` up to that Seq, the
   *   entries under `entriesKey`; one row per entry, unique by Seq.
   * - `named`: an object of objects keyed by name, one row each with the
   *   key in a `name` column (never a column per name).
   * - `answers`: for each ID the path lists, the list at `itemPath`, one
   *   row per item with `query_id` and `answer_index`.
   * - `metrics`: Prometheus text, one row per sample.
   * - `tags`: for each series, the tags of its instances at `itemPath`,
   *   one row per instance (see readInstancesTags.ts).
   */
  yields: 'log' | 'named' | 'answers' | 'metrics' | 'tags';
  /** For `log`: the key of the entries in a page, e.g. `Changes`. */
  entriesKey?: string;
  /** For `answers` and `tags`: the path of one ID's items, `{id}`
   *  standing for it. */
  itemPath?: string;
  /** Why the table can come out empty, for the load's notes. */
  emptyNote: string;
}

export type Resource = LevelResource | ServerResource;

export function isLevelResource(resource: Resource): resource is LevelResource {
  return resource.yields === 'ids' || resource.yields === 'resources';
}

function idList(level: Level): LevelResource {
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

/** Labels are values in a child table, never column names (C07). */
function labels(level: Level): DeclaredList {
  return {
    path: ['Labels'],
    columns: [{ name: 'value', type: 'text' }],
    absentNote:
      'The server has no labels: Orthanc has them from version 1.12.0.',
    emptyNote: `No ${level} carry labels.`,
  };
}

function details(level: Level): LevelResource {
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
    lists: [labels(level)],
    level,
  };
}

const LEVELS: Level[] = ['patients', 'studies', 'series', 'instances'];

const text = (name: string): ColumnSchema => ({ name, type: 'text' });
const bigint = (name: string): ColumnSchema => ({ name, type: 'bigint' });
const timestamp = (name: string): ColumnSchema => ({
  name,
  type: 'timestamp',
});

/** The logs Orthanc pages by Seq; the same columns in any version. */
const changeLog: ServerResource = {
  name: 'changes',
  path: '/changes',
  yields: 'log',
  entriesKey: 'Changes',
  table: 'changes',
  primaryKey: ['seq'],
  disposition: 'replace',
  columns: [
    bigint('seq'),
    text('change_type'),
    text('resource_type'),
    text('id'),
    text('path'),
    timestamp('date'),
  ],
  emptyNote: 'The change log is empty.',
};

const exportLog: ServerResource = {
  name: 'exports',
  path: '/exports',
  yields: 'log',
  entriesKey: 'Exports',
  table: 'exports',
  primaryKey: ['seq'],
  disposition: 'replace',
  columns: [
    bigint('seq'),
    text('resource_type'),
    text('id'),
    text('path'),
    text('remote_modality'),
    timestamp('date'),
    text('patient_id'),
    text('study_instance_uid'),
    text('series_instance_uid'),
    text('sop_instance_uid'),
  ],
  emptyNote:
    'No exports are logged: Orthanc logs them only when ' +
    'LogExportedResources is true, and nothing was sent since.',
};

const modalities: ServerResource = {
  name: 'modalities',
  path: '/modalities',
  query: 'expand',
  yields: 'named',
  table: 'modalities',
  primaryKey: ['name'],
  disposition: 'replace',
  columns: [text('name'), text('aet'), text('host'), bigint('port')],
  emptyNote: 'The server declares no DICOM modalities.',
};

const queryAnswers: ServerResource = {
  name: 'queries_answers',
  path: '/queries',
  yields: 'answers',
  itemPath: '/queries/{id}/answers?expand',
  table: 'queries_answers',
  primaryKey: ['query_id', 'answer_index'],
  disposition: 'replace',
  columns: [text('query_id'), bigint('answer_index')],
  emptyNote:
    'The server holds no query answers: it keeps the last 100 queries ' +
    'in memory only.',
};

const metrics: ServerResource = {
  name: 'tools_metrics_prometheus',
  path: '/tools/metrics-prometheus',
  yields: 'metrics',
  table: 'tools_metrics_prometheus',
  primaryKey: [],
  // each load adds its scrape, told apart by _dlt_load_id
  disposition: 'append',
  columns: [
    text('name'),
    { name: 'labels', type: 'json' },
    { name: 'value', type: 'double' },
    bigint('timestamp'),
  ],
  emptyNote:
    'The server sent no metrics: MetricsEnabled is false, or it has ' +
    'recorded none yet.',
};

/**
 * Every tag of every instance, one request per series: far more requests
 * and bytes than the rest of a load, so only on request. Sequences nest
 * three or four deep in real files (RT structure sets, the functional
 * groups of enhanced multi-frame images); five levels of child tables
 * keep those whole, deeper ones stay JSON text.
 */
const instancesTags: ServerResource = {
  name: 'instances_tags',
  path: '/series',
  yields: 'tags',
  itemPath: '/series/{id}/instances-tags?full',
  table: 'instances_tags',
  primaryKey: ['id'],
  disposition: 'replace',
  columns: [text('id'), text('parent_series')],
  maxNesting: 5,
  optIn: true,
  emptyNote: 'The server holds no instances.',
};

/** Every resource a load knows, in the order a full load fetches them. */
export const RESOURCES: readonly Resource[] = [
  ...LEVELS.map(details),
  ...LEVELS.map(idList),
  instancesTags,
  modalities,
  changeLog,
  exportLog,
  queryAnswers,
  metrics,
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

/**
 * The resources named, in declaration order; when none are named, the
 * default selection: all but the opt-in ones.
 */
export function selectResources(names?: readonly string[]): Resource[] {
  if (!names) return RESOURCES.filter((r) => !r.optIn);
  const unknown = names.filter((n) => !RESOURCES.some((r) => r.name === n));
  if (unknown.length > 0) {
    throw new RangeError(`unknown resources: ${unknown.join(', ')}`);
  }
  return RESOURCES.filter((r) => names.includes(r.name));
}

/** The request for one page: both parameters, always, never limit=0. */
export function pagePath(
  resource: LevelResource,
  since: number,
  limit: number,
) {
  const expand = resource.expand ? 'expand&' : '';
  return `${resource.path}?${expand}since=${since}&limit=${Math.max(1, limit)}`;
}
