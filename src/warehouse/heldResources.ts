// What the warehouse holds of Orthanc's resources, for a sync: where it
// stands (the change log's cursor, the other logs', the resources the last
// load covered, how many resources of each level it holds) and, when the
// sync asks, the IDs of a level with their parents (see heldSql.ts).

import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';

import { type Level, RESOURCES, selectResources } from '../pipeline/resources';
import type { SyncStart } from '../pipeline/sync';
import { type HeldResource, LEVELS } from '../pipeline/syncPlan';
import { getDatabase } from './database';
import {
  heldCountSql,
  heldSql,
  type LevelTables,
  levelTables,
} from './heldSql';
import { readPipelineState } from './pipelineState';
import { resultColumn, stringColumn } from './resultColumn';
import { readStoredSchema } from './storedSchema';

/** Parents per statement, to keep each a reasonable size. */
const CHUNK = 1000;

async function heldOn(
  connection: AsyncDuckDBConnection,
  tables: LevelTables,
  parents?: readonly string[],
): Promise<HeldResource[]> {
  const batches =
    parents === undefined
      ? [undefined]
      : Array.from({ length: Math.ceil(parents.length / CHUNK) }, (_, i) =>
          parents.slice(i * CHUNK, (i + 1) * CHUNK),
        );
  const held: HeldResource[] = [];
  for (const batch of batches) {
    const result = await connection.query(heldSql(tables, batch));
    const ids = stringColumn(result, 'id');
    const parentsOf = resultColumn(result, 'parent');
    ids.forEach((id, i) => {
      const parent = parentsOf[i];
      held.push({ id, parent: typeof parent === 'string' ? parent : null });
    });
  }
  return held;
}

/** The sync's question: what the warehouse holds at `level`. */
export async function heldResources(
  level: Level,
  parents?: readonly string[],
): Promise<HeldResource[]> {
  const database = await getDatabase();
  return database.use('load', async (connection) => {
    const tables = levelTables(await readStoredSchema(connection), level);
    return heldOn(connection, tables, parents);
  });
}

/** Where a sync would start, or null: no load has read the change log. */
export interface SyncReadiness {
  start: SyncStart;
  /** The resources the sync refreshes. */
  resources: string[];
}

export async function readSyncStart(): Promise<SyncReadiness | null> {
  const database = await getDatabase();
  return database.use('load', async (connection) => {
    const previous = await readPipelineState(connection);
    const source = previous?.state.sources.orthanc;
    const since = source?.resources.changes?.incremental.Seq.last_value;
    if (source === undefined || since === undefined) return null;

    const cursors: Record<string, number> = {};
    for (const [name, state] of Object.entries(source.resources)) {
      if (name !== 'changes') cursors[name] = state.incremental.Seq.last_value;
    }
    const stored = await readStoredSchema(connection);
    const known = new Set(RESOURCES.map((r) => r.name));
    const names = (source.sync_resources ?? []).filter((n) => known.has(n));
    // a warehouse from before the state said: what its tables hold
    const resources =
      names.length > 0
        ? names
        : selectResources()
            .filter((r) => stored?.tables.some((t) => t.name === r.table))
            .map((r) => r.name);

    const held: SyncStart['held'] = {};
    for (const level of LEVELS) {
      const tables = levelTables(stored, level);
      if (!tables.detail && !tables.list) continue;
      const result = await connection.query(heldCountSql(tables));
      held[level] = Number(resultColumn(result, 'n')[0] ?? 0);
    }
    return { start: { since, held, cursors }, resources };
  });
}
