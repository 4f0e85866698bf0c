// What a raw tag column becomes in a typed view. The VR and VM come from
// the DICOM dictionary by keyword: a column `main_dicom_tags__study_date`
// is matched by snake-casing every keyword with the pipeline's own naming
// convention, so that the match holds for whatever tags a server reports
// (ExtraMainDicomTags change the set). A column with no match stays text.

import { NamingConvention } from '../pipeline/naming';
import { DICOM_DICTIONARY } from './dicomDictionary';
import type { DictionaryVr } from './dicomDictionary';
import { valueMacros as macro } from './dicomMacros';

type ValueKind =
  | 'text'
  | 'date'
  | 'time'
  | 'datetime'
  | 'integer'
  | 'decimal'
  | 'age'
  | 'name';

const kindOfVr: Record<DictionaryVr, ValueKind> = {
  AE: 'text',
  AS: 'age',
  AT: 'text',
  CS: 'text',
  DA: 'date',
  DS: 'decimal',
  DT: 'datetime',
  FD: 'decimal',
  FL: 'decimal',
  IS: 'integer',
  LO: 'text',
  PN: 'name',
  SH: 'text',
  SL: 'integer',
  SS: 'integer',
  SV: 'integer',
  TM: 'time',
  UC: 'text',
  UI: 'text',
  UL: 'integer',
  US: 'integer',
  UV: 'integer',
  up: 'integer',
  xs: 'integer',
};

export interface TagType {
  kind: ValueKind;
  /** The VM allows more than one value: the view holds a list. */
  multiple: boolean;
}

let byColumnName: Map<string, TagType> | undefined;

/**
 * The type of the tag a column is named after (`study_date`), if the
 * dictionary has it. A retired keyword also answers to its name without
 * `RETIRED_`, which older dictionaries (and so older Orthanc builds) used.
 */
export function tagType(columnName: string): TagType | undefined {
  if (byColumnName === undefined) {
    const naming = new NamingConvention();
    const types = new Map<string, TagType>();
    const retired: [string, TagType][] = [];
    for (const [keyword, [vr, vm]] of Object.entries(DICOM_DICTIONARY)) {
      const type = { kind: kindOfVr[vr], multiple: vm !== '1' };
      types.set(naming.normalizeIdentifier(keyword), type);
      const current = keyword.replace(/^RETIRED_/, '');
      if (current !== keyword) retired.push([current, type]);
    }
    for (const [keyword, type] of retired) {
      const name = naming.normalizeIdentifier(keyword);
      if (!types.has(name)) types.set(name, type);
    }
    byColumnName = types;
  }
  return byColumnName.get(columnName);
}

/** A column of a view: its name and the SQL expression it selects. */
export interface ViewColumn {
  name: string;
  sql: string;
}

const elementMacro: Partial<Record<ValueKind, string>> = {
  date: macro.date,
  time: macro.time,
  datetime: macro.datetime,
  integer: macro.integer,
  decimal: macro.decimal,
};

const nameComponents = ['family', 'given', 'middle', 'prefix', 'suffix'];

/**
 * The view columns of one tag: its value under `name` (typed, or a list),
 * then the raw text of a typed value as `<name>_raw`, the years of an age,
 * or the parts of a person name. `source` is the raw column, quoted.
 */
export function tagColumns(
  name: string,
  source: string,
  type: TagType | undefined,
): ViewColumn[] {
  if (type === undefined || (type.kind === 'text' && !type.multiple)) {
    return [{ name, sql: source }];
  }
  const raw = { name: `${name}_raw`, sql: source };
  const convert = elementMacro[type.kind];

  if (type.multiple) {
    const values = `${macro.values}(${source})`;
    const sql =
      convert === undefined
        ? values
        : `list_transform(${values}, lambda element: ${convert}(element))`;
    return [{ name, sql }, raw];
  }
  if (convert !== undefined)
    return [{ name, sql: `${convert}(${source})` }, raw];

  if (type.kind === 'age') {
    return [
      { name, sql: source },
      { name: `${name}_years`, sql: `${macro.ageYears}(${source})` },
    ];
  }
  return [
    { name, sql: source },
    ...nameComponents.map((component, i) => ({
      name: `${name}_${component}`,
      sql: `${macro.nameComponent}(${source}, ${i + 1})`,
    })),
    { name: `${name}_ideographic`, sql: `${macro.nameGroup}(${source}, 2)` },
    { name: `${name}_phonetic`, sql: `${macro.nameGroup}(${source}, 3)` },
  ];
}

/** Orthanc's LastUpdate as a TIMESTAMP, with its text beside it. */
export function lastUpdateColumns(name: string, source: string): ViewColumn[] {
  return [
    { name, sql: `${macro.orthancTimestamp}(${source})` },
    { name: `${name}_raw`, sql: `${macro.orthancTimestampText}(${source})` },
  ];
}
