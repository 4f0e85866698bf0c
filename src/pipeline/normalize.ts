// dlt's relational normalizer (dlt/common/normalizers/json/relational.py)
// for the JSON Orthanc sends: nested objects flatten into `a__b` columns,
// lists become child tables `<parent>__<field>` whose rows point back with
// `_dlt_parent_id` and `_dlt_list_idx`, a list of scalars keeps each item
// in `value`. Root rows get `_dlt_load_id` and `_dlt_id`; child rows also
// `_dlt_root_id` (dlt's root key propagation, switched on so that a
// merge can replace a root row together with all its descendants).
//
// Where this differs from dlt: columns follow the order of the keys in the
// document (recent dlt visits nested objects last); a value is never
// coerced between text and numbers, it goes to a variant column instead;
// two keys that normalize to one name keep apart (see tableRegistry.ts).

import { isoTimestampMicros } from './isoTimestamp';
import type { ColumnType } from './schema';
import { childRowId, keyHashRowId, randomRowId } from './rowId';
import type { CellValue, Row, TableRow } from './rows';
import {
  C_DLT_ID,
  C_DLT_LIST_IDX,
  C_DLT_LOAD_ID,
  C_DLT_PARENT_ID,
  C_DLT_ROOT_ID,
  C_VALUE,
} from './columnIdentity';
import {
  type RootTableSpec,
  TableRegistry,
  type TableState,
} from './tableRegistry';

/** dlt's default `max_nesting`: in practice no limit. */
export const DEFAULT_MAX_NESTING = 1000;

export interface RootSpec extends RootTableSpec {
  /**
   * dlt's `max_table_nesting`: how many levels of objects and lists
   * become columns and child tables; deeper values are kept as JSON text.
   */
  maxNesting?: number;
}

type JsonObject = Record<string, unknown>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

interface PendingList {
  rawPath: string[];
  namePath: string[];
  items: unknown[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The warehouse type of a JSON scalar, and the value in that type. */
function typed(value: unknown): [ColumnType, CellValue] | null {
  switch (typeof value) {
    case 'string':
      return ['text', value];
    case 'boolean':
      return ['bool', value];
    case 'number':
      // NaN and the infinities never come from JSON, only from parsed
      // text such as Prometheus metrics, where they are values
      if (!Number.isFinite(value)) return ['double', value];
      // An integer outside BIGINT's range would wrap around in an Int64
      // column: it stays a double, as close as JSON.parse brought it.
      return Number.isInteger(value) && Math.abs(value) < 2 ** 63
        ? ['bigint', BigInt(value)]
        : ['double', value];
    case 'bigint':
      // Integers parsed exactly (see parseOrthancJson.ts). One outside
      // BIGINT's range would wrap around in an Int64 column; dlt would
      // make it a decimal, here it stays exact as text.
      return value >= INT64_MIN && value <= INT64_MAX
        ? ['bigint', value]
        : ['text', value.toString()];
    default:
      return null;
  }
}

export class RelationalNormalizer {
  readonly registry: TableRegistry;
  private readonly loadId: string;

  constructor(registry: TableRegistry, loadId: string) {
    this.registry = registry;
    this.loadId = loadId;
  }

  /**
   * The rows of one item of a root table: the root row first, then its
   * child rows, depth first, as dlt yields them.
   */
  normalize(item: unknown, spec: RootSpec): TableRow[] {
    const table = this.registry.root(spec);
    const dict = isObject(item) ? item : { [C_VALUE]: item };
    const out: TableRow[] = [];
    const maxNesting = spec.maxNesting ?? DEFAULT_MAX_NESTING;

    const row: Row = new Map();
    const lists: PendingList[] = [];
    this.flatten(table, dict, maxNesting, [], [], row, lists);
    this.registry.setSystem(table, row, C_DLT_LOAD_ID, this.loadId);
    const rowId = keyHashRowId(row, table.schema.primaryKey) ?? randomRowId();
    this.registry.setSystem(table, row, C_DLT_ID, rowId);
    out.push({ table: table.schema.name, row });

    for (const list of lists) {
      this.normalizeList(table, list, rowId, rowId, maxNesting - 1, out);
    }
    return out;
  }

  /**
   * The type and value of a scalar. dlt's `iso_timestamp` detection makes
   * an ISO date and time a timestamp, unless its column already holds
   * text: dlt then keeps the string in the column it has.
   */
  private scalar(
    table: TableState,
    rawPath: readonly string[],
    name: string,
    value: unknown,
  ): [ColumnType, CellValue] | null {
    if (typeof value === 'string') {
      const micros = isoTimestampMicros(value);
      if (
        micros !== null &&
        this.registry.typeFor(table, rawPath, name) !== 'text'
      ) {
        return ['timestamp', micros];
      }
    }
    return typed(value);
  }

  private flatten(
    table: TableState,
    dict: JsonObject,
    level: number,
    rawPath: string[],
    namePath: string[],
    row: Row,
    lists: PendingList[],
  ): void {
    const { naming } = this.registry;
    for (const [key, value] of Object.entries(dict)) {
      if (value === null || value === undefined) continue;

      const normKey = naming.normalizeKey(key);
      const name = namePath.length
        ? naming.shortenFragments(...namePath, normKey)
        : normKey;
      const raw = [...rawPath, key];

      const nested = isObject(value) || Array.isArray(value);
      const keepAsJson =
        level <= 0 || this.registry.typeFor(table, raw, name) === 'json';
      if (nested && !keepAsJson) {
        if (Array.isArray(value)) {
          lists.push({
            rawPath: raw,
            namePath: [...namePath, normKey],
            items: value,
          });
        } else {
          this.flatten(
            table,
            value,
            level - 1,
            raw,
            [...namePath, normKey],
            row,
            lists,
          );
        }
        continue;
      }

      if (nested) {
        this.registry.setValue(
          table,
          row,
          raw,
          name,
          JSON.stringify(value),
          'json',
        );
        continue;
      }
      const cell = this.scalar(table, raw, name, value);
      if (cell) this.registry.setValue(table, row, raw, name, cell[1], cell[0]);
    }
  }

  private normalizeList(
    parent: TableState,
    list: PendingList,
    parentRowId: string,
    rootRowId: string,
    level: number,
    out: TableRow[],
  ): void {
    // an empty list makes no table yet: it would have no columns
    if (list.items.length === 0) return;
    const table = this.registry.child(parent, list.rawPath, list.namePath);
    const name = table.schema.name;

    list.items.forEach((item, index) => {
      const row: Row = new Map();
      const lists: PendingList[] = [];
      let rowLevel = level;

      if (isObject(item)) {
        this.flatten(table, item, rowLevel, [], [], row, lists);
      } else if (Array.isArray(item)) {
        // a list in a list: dlt keeps a row here and moves the inner list
        // one table further down, as `<table>__list`
        rowLevel = level - 1;
        this.flatten(table, { list: item }, rowLevel, [], [], row, lists);
      } else {
        const cell = this.scalar(table, [C_VALUE], C_VALUE, item);
        if (cell) {
          this.registry.setValue(
            table,
            row,
            [C_VALUE],
            C_VALUE,
            cell[1],
            cell[0],
          );
        }
      }

      const rowId = childRowId(parentRowId, name, index);
      this.registry.setSystem(table, row, C_DLT_ROOT_ID, rootRowId);
      this.registry.setSystem(table, row, C_DLT_PARENT_ID, parentRowId);
      this.registry.setSystem(table, row, C_DLT_LIST_IDX, BigInt(index));
      this.registry.setSystem(table, row, C_DLT_ID, rowId);
      out.push({ table: name, row });

      for (const inner of lists) {
        this.normalizeList(table, inner, rowId, rootRowId, rowLevel - 1, out);
      }
    });
  }
}
