// The schemas of the tables one load produces, as they grow. Each column
// and table is owned by the raw path it came from, so that two raw keys
// that normalize to the same name (`PatientID` and `patient_id`) get
// distinct, deterministic names instead of sharing or overwriting a
// column. A value whose type differs from its column's goes to a dlt
// variant column `<column>__v_<type>`; nothing is ever coerced to text.
//
// A registry can start from the schema an earlier load left (restore):
// every table and column keeps its name, type and owner, so a later load
// routes values exactly as the earlier one did, whatever order its keys
// arrive in, and only ever adds columns.

import type {
  ColumnSchema,
  ColumnType,
  StoredSchema,
  TableSchema,
  WriteDisposition,
} from './schema';
import {
  C_DLT_ID,
  C_DLT_LIST_IDX,
  C_DLT_PARENT_ID,
  C_DLT_ROOT_ID,
  childIdentity,
  columnIdentity,
  copyColumn,
  PATH,
  storedOwner,
  SYSTEM,
  SYSTEM_TYPES,
  variantIdentity,
} from './columnIdentity';
import { computeTag, NamingConvention, trimAndTag } from './naming';
import type { CellValue, Row } from './rows';

export interface TableState {
  /** The live schema; `snapshot()` hands out copies. */
  readonly schema: TableSchema;
  /** The table's identity: the root's name, then the raw list keys. */
  readonly identity: string;
  /** Set for a table restored from an earlier load's schema. */
  readonly stored: boolean;
  /** Bumped whenever a column is added or claimed. */
  version: number;
  /** Column name to the live column in `schema.columns`. */
  readonly columns: Map<string, ColumnSchema>;
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
  /** Stored roots this load has declared again. */
  private readonly redeclared = new Set<TableState>();

  constructor(naming: NamingConvention, stored?: StoredSchema | null) {
    this.naming = naming;
    if (stored) this.restore(stored);
  }

  get(name: string): TableState | undefined {
    return this.tables.get(name);
  }

  all(): TableState[] {
    return [...this.tables.values()];
  }

  /**
   * Takes over the tables of an earlier load's schema, with their names,
   * types and owners. Tables this registry already has are left alone.
   */
  restore(stored: StoredSchema): void {
    const byName = new Map(stored.tables.map((table) => [table.name, table]));
    const identityOf = (table: TableSchema, depth: number): string => {
      if (table.parent === undefined) return table.name;
      const up = table.listOf && byName.get(table.listOf.table);
      // a child whose list is unknown keeps its name, and no data reaches it
      if (!table.listOf || !up || depth > byName.size) {
        return `${SYSTEM}table${PATH}${table.name}`;
      }
      return childIdentity(identityOf(up, depth + 1), table.listOf.path);
    };

    for (const table of stored.tables) {
      if (this.tables.has(table.name)) continue;
      const schema: TableSchema = {
        ...table,
        columns: [],
        primaryKey: [...table.primaryKey],
      };
      if (table.listOf) {
        schema.listOf = {
          table: table.listOf.table,
          path: [...table.listOf.path],
        };
      }
      const state = this.create(table.name, identityOf(table, 0), schema, true);
      for (const column of table.columns) {
        this.addColumn(state, copyColumn(column), storedOwner(column));
      }
      state.version = 0;
    }
  }

  /** Declares a root table, once; later calls return the same state. */
  root(spec: RootTableSpec): TableState {
    const existing = this.tableByIdentity.get(spec.name);
    if (existing) {
      if (existing.stored && !this.redeclared.has(existing)) {
        this.redeclared.add(existing);
        this.refresh(existing, spec);
      }
      return existing;
    }

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
    const identity = childIdentity(parent.identity, rawPath);
    const existing = this.tableByIdentity.get(identity);
    if (existing) {
      // a stored child follows its parent's disposition as declared now
      const { disposition } = parent.schema;
      if (existing.stored && existing.schema.disposition !== disposition) {
        existing.schema.disposition = disposition;
        existing.version++;
      }
      return existing;
    }

    const base = this.naming.shortenFragments(parent.schema.name, ...namePath);
    const name = this.uniqueName(base, identity, (n) => this.tables.has(n));
    const root = parent.schema.parent ?? parent.schema.name;
    return this.create(name, identity, {
      name,
      parent: root,
      columns: [],
      disposition: parent.schema.disposition,
      primaryKey: [],
      listOf: { table: parent.schema.name, path: [...rawPath] },
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
    const copy: TableSchema = {
      ...schema,
      columns: schema.columns.map(copyColumn),
      primaryKey: [...schema.primaryKey],
    };
    if (schema.listOf) {
      copy.listOf = {
        table: schema.listOf.table,
        path: [...schema.listOf.path],
      };
    }
    return copy;
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
    const own = table.names.get(columnIdentity(rawPath));
    if (own !== undefined) return table.columns.get(own)?.type;
    const declared = table.owners.get(name) === null;
    return declared ? table.columns.get(name)?.type : undefined;
  }

  /** Sets a column the normalizer owns (`_dlt_id`, ...). */
  setSystem(table: TableState, row: Row, name: string, value: CellValue) {
    const type = SYSTEM_TYPES[name] ?? 'text';
    const column = this.columnName(table, SYSTEM + name, { name, type });
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
    const source = [...rawPath];
    const identity = columnIdentity(rawPath);
    const column = this.columnName(table, identity, { name, type, source });
    const columnType = table.columns.get(column)?.type;

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
    const variant = this.columnName(table, variantIdentity(rawPath, type), {
      name: variantName,
      type,
      source,
      variant: true,
    });
    row.set(variant, value);
  }

  private create(
    name: string,
    identity: string,
    schema: TableSchema,
    stored = false,
  ): TableState {
    const state: TableState = {
      schema,
      identity,
      stored,
      version: 0,
      columns: new Map(),
      owners: new Map(),
      names: new Map(),
    };
    this.tables.set(name, state);
    this.tableByIdentity.set(identity, state);
    return state;
  }

  /**
   * A stored root as this load declares it: the disposition and key it
   * declares now, and any declared column the stored table lacks.
   */
  private refresh(table: TableState, spec: RootTableSpec): void {
    const { schema } = table;
    const key = spec.primaryKey.join(PATH);
    if (
      schema.disposition !== spec.disposition ||
      schema.primaryKey.join(PATH) !== key
    ) {
      schema.disposition = spec.disposition;
      schema.primaryKey = [...spec.primaryKey];
      table.version++;
    }
    for (const column of spec.columns ?? []) {
      if (!table.columns.has(column.name)) this.declare(table, column);
    }
  }

  private declare(table: TableState, column: ColumnSchema): void {
    const system = column.name in SYSTEM_TYPES;
    this.addColumn(
      table,
      { name: column.name, type: column.type },
      system ? SYSTEM + column.name : null,
    );
  }

  /** The column an identity writes to, added as `wanted` if new. */
  private columnName(
    table: TableState,
    identity: string,
    wanted: ColumnSchema,
  ): string {
    const known = table.names.get(identity);
    if (known !== undefined) return known;

    // a declared column is taken by the first data that maps to its name
    const { name } = wanted;
    if (table.owners.has(name) && table.owners.get(name) === null) {
      this.claim(table, name, identity, wanted);
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
    this.addColumn(table, { ...wanted, name: unique }, identity);
    return unique;
  }

  /** A declared column becomes the column of the data that claims it. */
  private claim(
    table: TableState,
    name: string,
    identity: string,
    wanted: ColumnSchema,
  ): void {
    table.owners.set(name, identity);
    table.names.set(identity, name);
    const column = table.columns.get(name);
    if (column && wanted.source) {
      column.source = [...wanted.source];
      if (wanted.variant) column.variant = true;
      table.version++;
    }
  }

  private addColumn(
    table: TableState,
    column: ColumnSchema,
    identity: string | null,
  ): void {
    table.schema.columns.push(column);
    table.columns.set(column.name, column);
    table.owners.set(column.name, identity);
    if (identity !== null) table.names.set(identity, column.name);
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
