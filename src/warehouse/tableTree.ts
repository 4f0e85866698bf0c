// The tables of the dataset as a tree: each child table under the table
// one level up, in the order a reader walks it (a root, then its children
// depth first), data tables before the system tables of dlt and the load.
//
// The stored schema says which table a list lives in (`listOf`). A table
// it does not know is placed by dlt's naming convention, `<parent>__<field>`,
// under the longest table name it extends. Only a table with a
// `_dlt_parent_id` column is a child: a root name may hold `__` too. A
// child whose name was shortened past the length limit may no longer
// extend its parent's name; without a stored schema it stays at the top.

import type { StoredSchema } from '../pipeline/schema';
import { C_DLT_PARENT_ID } from '../pipeline/columnIdentity';
import { PATH_SEPARATOR } from '../pipeline/naming';

export interface TreeInput {
  name: string;
  columnNames: readonly string[];
}

export interface TreePlace {
  name: string;
  /** The table one level up; null for a root. */
  parent: string | null;
  root: string;
  depth: number;
  children: string[];
  system: boolean;
}

/** Tables kept by dlt (`_dlt_loads`, `_dlt_version`, ...) and the load. */
export function isSystemTable(name: string): boolean {
  return name.startsWith('_dlt_') || name === '_crawl_errors';
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function conventionParent(
  table: TreeInput,
  names: ReadonlySet<string>,
): string | null {
  if (!table.columnNames.includes(C_DLT_PARENT_ID)) return null;
  let parent: string | null = null;
  for (const name of names) {
    const extends_ = table.name.startsWith(name + PATH_SEPARATOR);
    if (extends_ && name.length > (parent?.length ?? 0)) parent = name;
  }
  return parent;
}

/** The tables in reading order, each with its place in the tree. */
export function tableTree(
  tables: readonly TreeInput[],
  stored: StoredSchema | null,
): TreePlace[] {
  const names = new Set(tables.map((table) => table.name));
  const listOf = new Map(
    (stored?.tables ?? []).map((t) => [t.name, t.listOf?.table]),
  );
  const parentOf = new Map<string, string | null>();
  for (const table of tables) {
    const recorded = listOf.get(table.name);
    parentOf.set(
      table.name,
      recorded !== undefined && names.has(recorded)
        ? recorded
        : conventionParent(table, names),
    );
  }

  const childrenOf = new Map<string, string[]>();
  for (const [name, parent] of parentOf) {
    if (parent === null) continue;
    const children = childrenOf.get(parent) ?? [];
    children.push(name);
    childrenOf.set(parent, children);
  }

  const places: TreePlace[] = [];
  const placed = new Set<string>();
  const depthOf = new Map<string, number>();
  const visit = (name: string, parent: string | null, root: string) => {
    if (placed.has(name)) return;
    placed.add(name);
    const children = (childrenOf.get(name) ?? [])
      .filter((child) => !placed.has(child))
      .sort(byName);
    const depth = parent === null ? 0 : (depthOf.get(parent) ?? 0) + 1;
    depthOf.set(name, depth);
    const system = isSystemTable(root);
    places.push({ name, parent, root, depth, children, system });
    for (const child of children) visit(child, name, root);
  };

  // Roots first; then anything a broken stored schema left in a cycle,
  // so that every table is listed once.
  const systemLast = (a: string, b: string) =>
    Number(isSystemTable(a)) - Number(isSystemTable(b)) || byName(a, b);
  const roots = [...names].filter((name) => parentOf.get(name) === null);
  for (const root of roots.sort(systemLast)) visit(root, null, root);
  for (const name of [...names].sort(systemLast)) visit(name, null, name);
  return places;
}
