// The schema a commit leaves in `_dlt_version`: the stored one with this
// load's tables laid over it. A table keeps every column it had, even
// one this load never filled (the table's shape never shrinks), and a
// table this load did not touch stays as it was. A new row is written
// only when the content changed, as dlt bumps its schema version.

import { digest128 } from '../lib/shake128';
import type {
  ColumnSchema,
  StoredSchema,
  TableSchema,
} from '../pipeline/schema';
import { DATASET, identKey, qualified, quoteLiteral } from './sql';
import { SCHEMA_ENGINE_VERSION, VERSION_TABLE } from './storedSchema';

export interface SchemaVersion {
  schema: StoredSchema;
  /** Digest of the tables' JSON with sorted keys; the version aside. */
  hash: string;
  /** False when the stored schema already says all of it. */
  changed: boolean;
}

/** JSON text with every object's keys in order: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      return inner;
    }
    return Object.fromEntries(
      Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/** dlt's version_hash is 32 bytes of a digest in base64; so is this. */
export function schemaHash(tables: readonly TableSchema[]): string {
  return digest128(canonicalJson(tables), 32);
}

/** A stored table as this load declared it, with the columns it lacks. */
function laidOver(stored: TableSchema, loaded: TableSchema): TableSchema {
  const names = new Set(loaded.columns.map((c) => identKey(c.name)));
  const kept: ColumnSchema[] = stored.columns.filter(
    (c) => !names.has(identKey(c.name)),
  );
  return { ...loaded, columns: [...loaded.columns, ...kept] };
}

/** The schema after a load that declared `loaded`. */
export function nextSchemaVersion(
  previous: StoredSchema | null,
  loaded: readonly TableSchema[],
): SchemaVersion {
  const byName = new Map(loaded.map((t) => [identKey(t.name), t]));
  const tables = (previous?.tables ?? []).map((stored) => {
    const table = byName.get(identKey(stored.name));
    byName.delete(identKey(stored.name));
    return table ? laidOver(stored, table) : stored;
  });
  tables.push(...byName.values());

  const hash = schemaHash(tables);
  const changed = previous === null || hash !== schemaHash(previous.tables);
  const version = (previous?.version ?? 0) + (changed ? 1 : 0);
  return { schema: { name: 'orthanc', version, tables }, hash, changed };
}

/** The `_dlt_version` row of a changed schema. */
export function recordSchemaSql(version: SchemaVersion): string {
  const { schema, hash } = version;
  return (
    `INSERT INTO ${qualified(DATASET, VERSION_TABLE)} ` +
    `(version, engine_version, inserted_at, schema_name, version_hash, ` +
    `schema) VALUES (${schema.version}, ${SCHEMA_ENGINE_VERSION}, now(), ` +
    `${quoteLiteral(schema.name)}, ${quoteLiteral(hash)}, ` +
    `${quoteLiteral(JSON.stringify(schema))})`
  );
}
