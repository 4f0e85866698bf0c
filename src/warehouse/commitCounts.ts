// What a commit did to each table, read from the counts its statements
// return: DuckDB answers an INSERT or a DELETE with the number of rows it
// touched, and commitPlan.ts tags the steps whose number matters. The
// load history keeps it per table as dlt's load info does:
// - a replaced table: added = rows written, removed = rows it held before;
// - a merged table: changed = staged rows whose key the dataset already
//   held (a child row as its root), added = the other rows written;
// - removed also counts the rows a sync's removals took out.

import type { CommitStep } from './commitPlan';
import { identKey } from './sql';

export interface TableChange {
  added: number;
  changed: number;
  removed: number;
}

export interface CommitCounts {
  /** Rows written per table, 0 for a declared table that got none. */
  rows: Record<string, number>;
  /** Rows a sync's removals took out, per table. */
  removed: Record<string, number>;
  /** What the commit did to every table it declared or touched. */
  tables: Record<string, TableChange>;
}

/**
 * Runs `steps` in order through `execute`, which answers the number in
 * the first column of the first row of a statement's result.
 */
export async function commitCounts(
  steps: readonly CommitStep[],
  execute: (sql: string) => Promise<number>,
  declared: readonly string[] = [],
): Promise<CommitCounts> {
  const rows: Record<string, number> = {};
  const removed: Record<string, number> = {};
  const names = new Map<string, string>();
  const written = new Map<string, number>();
  const changed = new Map<string, number>();
  const gone = new Map<string, number>();
  const touch = (table: string): string => {
    const key = identKey(table);
    if (!names.has(key)) names.set(key, table);
    return key;
  };
  const add = (counts: Map<string, number>, table: string, n: number) => {
    const key = touch(table);
    counts.set(key, (counts.get(key) ?? 0) + n);
  };
  for (const table of declared) {
    rows[table] = 0;
    touch(table);
  }

  for (const step of steps) {
    const count = await execute(step.sql);
    if (step.insertsInto !== undefined) {
      rows[step.insertsInto] = count;
      add(written, step.insertsInto, count);
    }
    if (step.countsChanged !== undefined) {
      add(changed, step.countsChanged, count);
    }
    if (step.replaces !== undefined) add(gone, step.replaces, count);
    if (step.removesFrom !== undefined) {
      removed[step.removesFrom] = (removed[step.removesFrom] ?? 0) + count;
      add(gone, step.removesFrom, count);
    }
  }

  const tables: Record<string, TableChange> = {};
  for (const [key, name] of names) {
    const replacing = changed.get(key) ?? 0;
    tables[name] = {
      added: (written.get(key) ?? 0) - replacing,
      changed: replacing,
      removed: gone.get(key) ?? 0,
    };
  }
  return { rows, removed, tables };
}
