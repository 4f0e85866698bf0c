// The child tables a load declares before it has seen a row (see
// DeclaredList in resources.ts), and the note each empty one gets: a
// server that never sends the key is told apart from one whose lists are
// all empty.

import type { CrawlNote } from './crawlEvents';
import type { JsonObject } from '../orthanc/guards';
import type { Resource } from './resources';
import type { TableRegistry } from './tableRegistry';

/** How many items of a root had a declared list's key, of all seen. */
export interface ListCounts {
  items: number;
  withKey: number;
}

interface Declared {
  table: string;
  key: string;
  absentNote: string;
  emptyNote: string;
  /** Items of the root resource seen, and how many had the key. */
  items: number;
  withKey: number;
}

export class DeclaredLists {
  private readonly byResource = new Map<string, Declared[]>();

  /** Declares every list of `resources`; returns the child table names. */
  constructor(registry: TableRegistry, resources: readonly Resource[]) {
    for (const resource of resources) {
      const lists = resource.lists ?? [];
      if (lists.length === 0) continue;
      const root = registry.root({
        name: resource.table,
        disposition: resource.disposition,
        primaryKey: resource.primaryKey,
        columns: resource.columns,
      });
      this.byResource.set(
        resource.name,
        lists.map((list) => ({
          table: registry.declareChild(root, list.path, list.columns).schema
            .name,
          key: list.path[0] ?? '',
          absentNote: list.absentNote,
          emptyNote: list.emptyNote,
          items: 0,
          withKey: 0,
        })),
      );
    }
  }

  get tables(): string[] {
    return [...this.byResource.values()].flat().map((d) => d.table);
  }

  /** Counts whether an item of `resource` carries each declared key. */
  observe(resource: Resource, item: JsonObject): void {
    for (const declared of this.byResource.get(resource.name) ?? []) {
      declared.items++;
      if (Object.hasOwn(item, declared.key)) declared.withKey++;
    }
  }

  /** The counts so far, per child table, for a checkpoint. */
  counts(): Record<string, ListCounts> {
    const counts: Record<string, ListCounts> = {};
    for (const d of [...this.byResource.values()].flat()) {
      counts[d.table] = { items: d.items, withKey: d.withKey };
    }
    return counts;
  }

  /** Goes on from the counts of a checkpoint. */
  restore(counts: Readonly<Record<string, ListCounts>>): void {
    for (const d of [...this.byResource.values()].flat()) {
      d.items = counts[d.table]?.items ?? 0;
      d.withKey = counts[d.table]?.withKey ?? 0;
    }
  }

  /** A note for each declared table that got no rows. */
  notes(rows: Readonly<Record<string, number>>): CrawlNote[] {
    return [...this.byResource.values()]
      .flat()
      .filter((d) => (rows[d.table] ?? 0) === 0 && d.items > 0)
      .map((d) => ({
        table: d.table,
        note: d.withKey === 0 ? d.absentNote : d.emptyNote,
      }));
  }
}
