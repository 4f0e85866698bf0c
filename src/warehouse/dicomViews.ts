// Typed views over the detail tables. The tables keep every DICOM value as
// the string Orthanc sent, as dlt would; next to them `dicom_patient`,
// `dicom_study`, `dicom_series` and `dicom_instance` show the same rows
// with each tag under its own name (`study_date`), typed from its VR
// (see dicomColumns.ts), and its text kept as `<name>_raw`.
//
// The SQL is generated from the columns the tables have, since servers
// differ in the tags they report, and runs at the end of every commit
// (commitPlan.ts), so the views always match the tables.

import { lastUpdateColumns, tagColumns, tagType } from './dicomColumns';
import type { ViewColumn } from './dicomColumns';
import { dicomMacrosSql } from './dicomMacros';
import { DATASET, identKey, qualified, quoteIdent, quoteLiteral } from './sql';

/** A table of the dataset and the names of its columns. */
export interface DatasetTable {
  name: string;
  columns: readonly string[];
}

interface TypedView {
  name: string;
  source: string;
  /** The column naming the resource one level up. */
  parentLink?: string;
  /** The prefix of tags the source copies from a level above. */
  inheritedTags?: string;
}

const TAG_PREFIX = 'main_dicom_tags__';

/** Orthanc's LastUpdate, typed like a tag although it is none. */
const LAST_UPDATE = 'last_update';

export const TYPED_VIEWS: readonly TypedView[] = [
  { name: 'dicom_patient', source: 'patients_detail' },
  {
    name: 'dicom_study',
    source: 'studies_detail',
    parentLink: 'parent_patient',
    inheritedTags: 'patient_main_dicom_tags__',
  },
  { name: 'dicom_series', source: 'series_detail', parentLink: 'parent_study' },
  {
    name: 'dicom_instance',
    source: 'instances_detail',
    parentLink: 'parent_series',
  },
];

/**
 * The statements that create the typed views of the tables given, with
 * the macros they call. A view is made only when its source table exists.
 */
export function dicomViewsSql(tables: readonly DatasetTable[]): string[] {
  const byName = new Map(tables.map((table) => [identKey(table.name), table]));
  const views = TYPED_VIEWS.flatMap((view) => {
    const table = byName.get(identKey(view.source));
    return table === undefined ? [] : [createViewSql(view, table.columns)];
  });
  return views.length === 0 ? [] : [...dicomMacrosSql(), ...views];
}

/** The flag of a row whose text was decoded in the wrong charset. */
export const SUSPECT_ENCODING = 'suspect_encoding';

/**
 * Case C14: a modality that writes Windows-1252 or UTF-8 bytes under
 * another declared character set makes Orthanc decode them into C1
 * control characters (U+0080 to U+009F) or U+FFFD. The values stay as
 * Orthanc sent them; this flag marks the rows that hold such text in any
 * of their tags, so they can be found and fixed at the source.
 */
function suspectEncoding(view: TypedView, columns: readonly string[]) {
  const prefixes = [TAG_PREFIX, view.inheritedTags].filter(
    (prefix) => prefix !== undefined,
  );
  const tags = columns.filter((column) =>
    prefixes.some((prefix) => identKey(column).startsWith(prefix)),
  );
  if (tags.length === 0) return [];
  const text = tags
    .map((column) => `CAST(${quoteIdent(column)} AS VARCHAR)`)
    .join(', ');
  const pattern = quoteLiteral(String.raw`[\x{80}-\x{9F}\x{FFFD}]`);
  return [
    {
      name: SUSPECT_ENCODING,
      sql: `coalesce(regexp_matches(concat_ws(' ', ${text}), ${pattern}), false)`,
    },
  ];
}

function createViewSql(view: TypedView, columns: readonly string[]): string {
  const typed = viewColumns(view, columns);
  const flag = typed.some((c) => identKey(c.name) === SUSPECT_ENCODING)
    ? []
    : suspectEncoding(view, columns);
  const select = [...typed, ...flag]
    .map((column) => {
      const name = quoteIdent(column.name);
      return column.sql === name ? name : `${column.sql} AS ${name}`;
    })
    .join(',\n  ');
  return (
    `CREATE OR REPLACE VIEW ${qualified(DATASET, view.name)} AS\n` +
    `SELECT\n  ${select}\nFROM ${qualified(DATASET, view.source)}`
  );
}

/** Columns that come as a group, named together. */
interface ColumnGroup {
  /** Where the group goes in the view: lower first, then by name. */
  rank: number;
  name: string;
  columns: (name: string) => ViewColumn[];
}

/**
 * The columns of a view. Columns that are not tags keep their names;
 * tags are named after the tag. A name that is taken goes to the group
 * named first, and the later one gets `_2`, `_3`...; a tag copied from
 * the level above is left out instead, since its own view has it.
 */
export function viewColumns(
  view: TypedView,
  columns: readonly string[],
): ViewColumn[] {
  const seen = new Set<string>();
  const plain: ColumnGroup[] = [];
  const own: ColumnGroup[] = [];
  const inherited: ColumnGroup[] = [];

  for (const column of columns) {
    const key = identKey(column);
    if (seen.has(key)) continue;
    seen.add(key);
    const source = quoteIdent(column);
    const prefix = [view.inheritedTags, TAG_PREFIX].find(
      (one) => one !== undefined && key.startsWith(one),
    );
    const tag = key.slice(prefix?.length ?? 0);
    if (prefix !== undefined && tag !== '') {
      const type = tagType(tag);
      const isInherited = prefix === view.inheritedTags;
      (isInherited ? inherited : own).push({
        rank: isInherited ? 3 : 2,
        name: tag,
        columns: (name) => tagColumns(name, source, type),
      });
      continue;
    }
    plain.push({
      rank: plainRank(view, key),
      name: column,
      columns:
        key === LAST_UPDATE
          ? (name) => lastUpdateColumns(name, source)
          : (name) => [{ name, sql: source }],
    });
  }

  const taken = new Set<string>();
  const named = new Map<ColumnGroup, ViewColumn[]>();
  const take = (group: ColumnGroup, found: ViewColumn[] | undefined) => {
    if (found === undefined) return;
    for (const column of found) taken.add(identKey(column.name));
    named.set(group, found);
  };
  const isFree = (found: ViewColumn[]) =>
    found.every((column) => !taken.has(identKey(column.name)));

  // Plain columns first: their names are the table's, unique already.
  const [lastUpdate, others] = partition(
    plain,
    (group) => identKey(group.name) === LAST_UPDATE,
  );
  for (const group of others) take(group, group.columns(group.name));
  for (const group of [...lastUpdate, ...byName(own)]) {
    take(group, firstFreeNames(group, isFree));
  }
  for (const group of byName(inherited)) {
    const found = group.columns(group.name);
    take(group, isFree(found) ? found : undefined);
  }

  return [...named.entries()]
    .sort(([a], [b]) => a.rank - b.rank || compareNames(a.name, b.name))
    .flatMap(([, found]) => found);
}

function plainRank(view: TypedView, key: string): number {
  if (key === 'id') return 0;
  if (view.parentLink !== undefined && key === view.parentLink) return 1;
  return key.startsWith('_') ? 5 : 4;
}

function firstFreeNames(
  group: ColumnGroup,
  isFree: (found: ViewColumn[]) => boolean,
): ViewColumn[] {
  for (let n = 1; ; n++) {
    const found = group.columns(n === 1 ? group.name : `${group.name}_${n}`);
    if (isFree(found)) return found;
  }
}

function byName(groups: ColumnGroup[]): ColumnGroup[] {
  return [...groups].sort((a, b) => compareNames(a.name, b.name));
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
