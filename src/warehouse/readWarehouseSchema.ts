// The schema view's read of the page's warehouse, on the connection the
// other views browse with: it sees what the last commit left, never a
// load's staging.

import type { Table } from 'apache-arrow';

import { getDatabase } from './database';
import { resultColumn } from './resultColumn';
import { readCatalog } from './schemaCatalog';
import { warehouseSchema } from './warehouseSchema';
import type { WarehouseSchema } from './warehouseSchema';

/** A small catalog result as plain objects, read column by column. */
function rowObjects(result: Table): Record<string, unknown>[] {
  const names = result.schema.fields.map((field) => field.name);
  const columns = names.map((name) => resultColumn(result, name));
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < result.numRows; i++) {
    rows.push(
      Object.fromEntries(names.map((name, c) => [name, columns[c]?.[i]])),
    );
  }
  return rows;
}

export async function readWarehouseSchema(): Promise<WarehouseSchema> {
  const database = await getDatabase();
  return database.use('browse', async (connection) => {
    const catalog = await readCatalog(async (sql) =>
      rowObjects(await connection.query(sql)),
    );
    return warehouseSchema(catalog);
  });
}
