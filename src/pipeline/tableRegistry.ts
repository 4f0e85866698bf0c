// The schemas of the tables one load produces, as they grow. Each column
// and table is owned by the raw path it came from, so that two raw keys
// that normalize to the same name (`PatientID` and `patient_id`) get
// distinct, deterministic names instead of sharing or overwriting a
// column. A value whose type differs from its column's goes to a dlt
// variant column `<column>__v_<type>`; nothing is ever coerced to text.

import type {
  ColumnSchema,
  ColumnType,
  TableSchema,
  WriteDisposition,
} from './schema';
import { computeTag, NamingConvention, trimAndTag } from './naming';
import type { CellValue, Row } from './rows';

/** Column identities of the columns the normalizer adds itself. */
const SYSTEM = '\u0001';
/** Separates the keys of a raw path inside an identity. */
const PATH = '\u0000';

export const C_DLT_ID = '_dlt_id';
export const C_DLT_LOAD_ID = '_dlt_load_id';
export const C_DLT_PARENT_ID = '_dlt_parent_id';
export const C_DLT_LIST_IDX = '_dlt_list_idx';
export const C_DLT_ROOT_ID = '_dlt_root_id';
export const C_VALUE = 'value';

const SYSTEM_TYPES: Record<string, ColumnType> = {
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

export interface TableState {
  /** The live schema; `snapshot()` hands out copies. */
  readonly schema: TableSchema;
  /** The table's identity: the root's name, then the raw list keys. */
  readonly identity: string;
  /** Bumped whenever a column is added. */
  version: number;
  readonly types: Map<string, ColumnType>;
  /** Column name to the identity that owns it; null for a declared
   *  column that no data has claimed yet. */
  readonly owners: Map<string, string | null>;
  /** Identity to column name, a cache of the lookups above. */
  readonly names: Map<string, string>;
}

export interface RootTableSpec {
  name: string;
  disposition: WriteDisposition;
  primaryKey: string[];
  /** Columns known before any data, in this order. */
  columns?: ColumnSchema[];
}

export class TableRegistry {
  readonly naming: NamingConvention;
  private readonly tables = new Map<string, TableState>();
  private readonly tableByIdentity = new Map<string, TableState>();

  constructor(naming: NamingConvention) {
    this.naming = naming;
  }

  get(name: string): TableState | undefined {
    return this.tables.get(name);
  }

  all(): TableState[] {
    return [...this.tables.values()];
  }

  /** Declares a root table, once; later calls return the same state. */
  root(spec: RootTableSpec): TableState {
    const existing = this.tableByIdentity.get(spec.name);
    if (existing) return existing;

    const state = this.create(spec.name, spec.name, {
      name: spec.name,
      columns: [],
      disposition: spec.disposition,
      primaryKey: [...spec.primaryKey],
    });
    for (const column of spec.columns ?? []) this.declare(state, column);
    return state;
  }

  /** The child table for a list at `rawPath` under `parent`. */
  child(
    parent: TableState,
    rawPath: readonly string[],
    namePath: readonly string[],
  ): TableState {
    const identity = parent.identity + PATH + PATH + columnIdentity(rawPath);
    const existing = this.tableByIdentity.get(identity);
    if (existing) return existing;

    const base = this.naming.shortenFragments(parent.schema.name, ...namePath);
    const name = this.uniqueName(base, identity, (n) => this.tables.has(n));
    const root = parent.schema.parent ?? parent.schema.name;
    return this.create(name, identity, {
      name,
      parent: root,
      columns: [],
      disposition: parent.schema.disposition,
      primaryKey: [],
    });
  }

  /**
   * The child table for a list at `rawPath`, declared before any data so
   * that it exists with `columns` (and the normalizer's own link columns)
   * even when no item has the list.
   */
  declareChild(
    parent: TableState,
    rawPath: readonly string[],
    columns: readonly ColumnSchema[],
  ): TableState {
    const namePath = rawPath.map((key) => this.naming.normalizeKey(key));
    const table = this.child(parent, rawPath, namePath);
    const links = [C_DLT_ROOT_ID, C_DLT_PARENT_ID, C_DLT_LIST_IDX, C_DLT_ID];
    for (const column of [
      ...columns,
      ...links.map((name) => ({ name, type: SYSTEM_TYPES[name] ?? 'text' })),
    ]) {
      if (!table.owners.has(column.name)) this.declare(table, column);
    }
    return table;
  }

  /** A copy of a table's schema as it stands, safe to send away. */
  snapshot(name: string): TableSchema {
    const state = this.tables.get(name);
    if (!state) throw new RangeError(`unknown table ${name}`);
    const { schema } = state;
    return {
      ...schema,
      columns: schema.columns.map((c) => ({ ...c })),
      primaryKey: [...schema.primaryKey],
    };
  }

  /**
   * The type of the column that `rawPath` writes to as `name`, if it is
   * a declared column not yet claimed or already this path's own, so
   * that every row (not only the first) keeps a declared `json` whole.
   */
  typeFor(
    table: TableState,
    rawPath: readonly string[],
    name: string,
  ): ColumnType | undefined {
    const owner = table.owners.get(name);
    const own = owner === null || owner === columnIdentity(rawPath);
    return own ? table.types.get(name) : undefined;
  }

  /** Sets a column the normalizer owns (`_dlt_id`, ...). */
  setSystem(table: TableState, row: Row, name: string, value: CellValue) {
    const identity = SYSTEM + name;
    const type = SYSTEM_TYPES[name] ?? 'text';
    const column = this.columnName(table, identity, name, type);
    row.set(column, value);
  }

  /**
   * Puts a data value into `row`, in the column its raw path owns, or in
   * a variant column when the type differs from that column's.
   */
  setValue(
    table: TableState,
    row: Row,
    rawPath: readonly string[],
    name: string,
    value: CellValue,
    type: ColumnType,
  ): void {
    const identity = columnIdentity(rawPath);
    const column = this.columnName(table, identity, name, type);
    const columnType = table.types.get(column);

    if (columnType === type) {
      row.set(column, value);
      return;
    }

    // dlt widens an integer into a double column without loss
    if (columnType === 'double' && type === 'bigint') {
      row.set(column, Number(value));
      return;
    }

    const variantName = this.naming.shortenFragments(column, `v_${type}`);
    const variant = this.columnName(
      table,
      `${identity}${SYSTEM}${type}`,
      variantName,
      type,
    );
    row.set(variant, value);
  }

  private create(
    name: string,
    identity: string,
    schema: TableSchema,
  ): TableState {
    const state: TableState = {
      schema,
      identity,
      version: 0,
      types: new Map(),
      owners: new Map(),
      names: new Map(),
    };
    this.tables.set(name, state);
    this.tableByIdentity.set(identity, state);
    return state;
  }

  private declare(table: TableState, column: ColumnSchema): void {
    const system = column.name in SYSTEM_TYPES;
    this.addColumn(
      table,
      column.name,
      column.type,
      system ? SYSTEM + column.name : null,
    );
  }

  /** The column an identity writes to, added with `type` if new. */
  private columnName(
    table: TableState,
    identity: string,
    name: string,
    type: ColumnType,
  ): string {
    const known = table.names.get(identity);
    if (known !== undefined) return known;

    // a declared column is taken by the first data that maps to its name
    if (table.owners.has(name) && table.owners.get(name) === null) {
      table.owners.set(name, identity);
      table.names.set(identity, name);
      return name;
    }

    // The names of the normalizer's own columns are never given to data,
    // even before the table has them: a key that snake_cases to `_dlt_id`
    // must not take the column that child rows join on.
    const system = identity.startsWith(SYSTEM);
    const unique = this.uniqueName(
      name,
      identity,
      (n) => table.owners.has(n) || (!system && n in SYSTEM_TYPES),
    );
    this.addColumn(table, unique, type, identity);
    return unique;
  }

  private addColumn(
    table: TableState,
    name: string,
    type: ColumnType,
    identity: string | null,
  ): void {
    table.schema.columns.push({ name, type });
    table.types.set(name, type);
    table.owners.set(name, identity);
    if (identity !== null) table.names.set(identity, name);
    table.version++;
  }

  /**
   * `base` if free, else `base` tagged with the digest of the identity
   * that asks, so the same raw key always gets the same name.
   */
  private uniqueName(
    base: string,
    identity: string,
    taken: (name: string) => boolean,
  ): string {
    if (!taken(base)) return base;
    const tag = computeTag(identity);
    const max = this.naming.maxLength;
    let candidate = `${base}_${tag}`;
    if (max && candidate.length > max)
      candidate = trimAndTag(candidate, tag, max);
    for (let n = 2; taken(candidate); n++) candidate = `${base}_${tag}${n}`;
    return candidate;
  }
}
