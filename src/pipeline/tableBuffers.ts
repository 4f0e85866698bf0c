// Rows wait here per table until there are enough for a batch. Before a
// table's rows leave, its schema leaves too if it is new or has grown since
// it was last sent, so the warehouse always knows every column of a batch.

import type { CrawlEvent } from './crawlEvents';
import type { Row, TableRow } from './rows';
import type { TableRegistry } from './tableRegistry';

export const DEFAULT_BATCH_ROWS = 2000;

export class TableBuffers {
  private readonly registry: TableRegistry;
  private readonly batchRows: number;
  private readonly pending = new Map<string, Row[]>();
  private readonly sentVersion = new Map<string, number>();
  readonly rowCounts: Record<string, number> = {};

  constructor(registry: TableRegistry, batchRows = DEFAULT_BATCH_ROWS) {
    this.registry = registry;
    this.batchRows = Math.max(1, batchRows);
  }

  /** Rows normalized so far: sent in batches or waiting for one. */
  get totalRows(): number {
    let total = Object.values(this.rowCounts).reduce((a, b) => a + b, 0);
    for (const rows of this.pending.values()) total += rows.length;
    return total;
  }

  add(rows: readonly TableRow[]): void {
    for (const { table, row } of rows) {
      let list = this.pending.get(table);
      if (!list) {
        list = [];
        this.pending.set(table, list);
      }
      list.push(row);
    }
  }

  /** The schema of `table`, if the warehouse has not seen it as it is. */
  *schemaIfChanged(table: string): Generator<CrawlEvent> {
    const state = this.registry.get(table);
    if (!state || this.sentVersion.get(table) === state.version) return;
    this.sentVersion.set(table, state.version);
    yield { type: 'table', schema: this.registry.snapshot(table) };
  }

  /** Full batches; with `all`, everything that is left. */
  *drain(all: boolean): Generator<CrawlEvent> {
    for (const [table, rows] of this.pending) {
      while (rows.length >= this.batchRows || (all && rows.length > 0)) {
        const batch = rows.splice(0, this.batchRows);
        yield* this.schemaIfChanged(table);
        this.rowCounts[table] = (this.rowCounts[table] ?? 0) + batch.length;
        yield {
          type: 'rows',
          table,
          rows: batch,
          schema: this.registry.snapshot(table),
        };
      }
    }
    if (all) {
      // a table an earlier load left and this one never touched stays
      // as it is: it is not sent again
      for (const state of this.registry.all()) {
        const name = state.schema.name;
        if (state.stored && !this.sentVersion.has(name)) continue;
        yield* this.schemaIfChanged(name);
      }
    }
  }
}
