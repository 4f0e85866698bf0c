// The crawl of one Orthanc: reads the totals, fetches every page of the
// expanded lists and the plain ID lists with a bounded number of requests
// in flight, normalizes what comes back and hands out schemas and batches
// of rows. It knows nothing of workers or of the warehouse, so it runs in
// Node as well (the tests replay captured answers through it).
//
// Orthanc's `since` is an offset into a list whose order is not promised,
// and resources added or deleted during the crawl shift the pages. So a
// short page is not taken as the end: after the pages the total asks for,
// the crawl reads on until a page comes back empty. Resources are kept
// once by ID; the ID lists, read last, show which ones the pages missed
// (fetched one by one) and which ones were deleted meanwhile (noted).
// The server's other resources (modalities, logs, query answers, metrics)
// are read after the levels, each on its own (see readServerResource.ts);
// the end of the change log is taken before the levels, so that a sync
// going on from it misses nothing that changed while they were read.
// What a crawl shares with a sync (options, normalizing, notes, errors,
// the other resources) is in loadRun.ts.

import { cancelledError } from '../lib/backoff';
import { WarehouseError } from '../lib/errors';
import type { Connection } from '../orthanc/connection';
import {
  expectIdList,
  expectResource,
  expectResourceList,
  type JsonObject,
} from '../orthanc/guards';
import { orthancGet } from '../orthanc/orthancGet';
import { OrthancError } from '../orthanc/orthancError';
import { getStatistics } from '../orthanc/statistics';
import type { CrawlEvent, CrawlResult } from './crawlEvents';
import { statisticsState } from './crawlState';
import {
  type CrawlOptions,
  FATAL,
  LoadRun,
  rootSpec,
  runEvents,
} from './loadRun';
import { mapOrdered } from './orderedPool';
import {
  isLevelResource,
  type Level,
  type LevelResource,
  selectResources,
  type ServerResource,
} from './resources';
import { planTasks, type Task, taskPath, taskStage } from './crawlPlan';

export type { CrawlOptions };

/** Failed requests in a row that end the load: the server is gone. */
const MAX_FAILURES_IN_A_ROW = 3;
const DEFAULT_MAX_REFETCH = 5000;
/** Pages read past the total at least, before giving up on the end. */
const READ_ON_MIN_PAGES = 4;

interface Fetched {
  task: Task;
  path: string;
  ok: boolean;
  body?: unknown;
  error?: unknown;
}

class CrawlRun extends LoadRun {
  private readonly levels: LevelResource[];
  private readonly others: ServerResource[];

  /** IDs read from the pages, per level. */
  private readonly seen = new Map<Level, Set<string>>();
  private readonly duplicates = new Map<string, number>();
  private failuresInARow = 0;
  /** Levels with a page that failed for good. */
  private readonly pagesFailed = new Set<Level>();

  constructor(
    connection: Connection,
    options: CrawlOptions,
    controller: AbortController,
  ) {
    super(connection, options, controller, selectResources(options.resources));
    this.levels = this.resources.filter(isLevelResource);
    this.others = this.resources.filter(
      (r): r is ServerResource => !isLevelResource(r),
    );
  }

  async *events(): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
    yield this.progress('Reading the server totals');
    const totals = await getStatistics(this.endpoint, this.getOptions);
    this.state.statistics = statisticsState(totals);
    const changes = this.others.find((r) => r.name === 'changes');
    if (changes) await this.takeLogEnd(changes);

    yield* this.declareTables();

    const tasks = planTasks(this.resources, totals, this.pageSize);
    const concurrency = Math.max(1, Math.floor(this.options.concurrency));
    for await (const settled of mapOrdered(tasks, concurrency, (t) =>
      this.fetch(t),
    )) {
      if (this.signal.aborted) throw cancelledError();
      if (!settled.ok) throw settled.error;
      yield* this.handle(settled.value);
    }

    yield* this.reconcile();
    for (const resource of this.others) yield* this.readOther(resource);
    yield* this.buffers.drain(true);
    this.summarize();
    return this.result();
  }

  /** One request; never rejects, so that the pool keeps its order. */
  private async fetch(task: Task): Promise<Fetched> {
    const path = taskPath(task, this.pageSize);
    try {
      const body = await this.guard(
        orthancGet(this.endpoint, path, this.getOptions),
      );
      return { task, path, ok: true, body };
    } catch (error) {
      return { task, path, ok: false, error };
    }
  }

  private async *handle(
    fetched: Fetched,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const { task } = fetched;
    if (this.accept(fetched)) {
      if (task.kind === 'list') {
        const ids = this.parse(fetched, expectIdList);
        if (ids) this.addIds(task.resource, ids);
      } else if (task.kind === 'item') {
        const item = this.parse(fetched, expectResource);
        if (item) this.addResources(task.resource, [item]);
      } else {
        const items = this.parse(fetched, expectResourceList);
        const added = items ? this.addResources(task.resource, items) : 0;
        if (task.probe && added > 0) yield* this.readOn(task, task.since);
      }
    }
    yield* this.buffers.drain(false);
    yield this.progress(taskStage(task));
  }

  /**
   * Pages past the total, one at a time, until one brings nothing new.
   * A server that keeps receiving resources could keep this going for
   * ever, so it stops after as many pages again as the total asked for
   * (at least a few): what arrives later is for the next load.
   */
  private async *readOn(
    task: Task & { kind: 'page' },
    since: number,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const end = 2 * since + READ_ON_MIN_PAGES * this.pageSize;
    for (let next = since + this.pageSize; ; next += this.pageSize) {
      if (next > end) {
        this.note(
          task.resource.table,
          `The server kept receiving ${task.resource.level} during the ` +
            'load; those that came last are left for the next load.',
        );
        return;
      }
      const fetched = await this.fetch({ ...task, since: next });
      if (this.signal.aborted) throw cancelledError();
      if (!this.accept(fetched)) return;

      const items = this.parse(fetched, expectResourceList);
      const added = items ? this.addResources(task.resource, items) : 0;
      yield* this.buffers.drain(false);
      yield this.progress(`${task.resource.table}: reading on past ${next}`);
      if (added === 0) return;
    }
  }

  /** The checked body, or null when it had another shape (recorded). */
  private parse<T>(
    fetched: Fetched,
    check: (body: unknown, path: string) => T,
  ): T | null {
    try {
      return check(fetched.body, fetched.path);
    } catch (error) {
      if (!(error instanceof WarehouseError) || error.code !== 'bad_response') {
        throw error;
      }
      this.record(fetched.task.resource, fetched.path, error);
      return null;
    }
  }

  /** True for an answer; records a failure that the load can live with. */
  private accept(fetched: Fetched): boolean {
    if (fetched.ok) {
      this.failuresInARow = 0;
      return true;
    }
    const { error } = fetched;
    if (!(error instanceof WarehouseError) || FATAL.has(error.code))
      throw error;
    if (++this.failuresInARow >= MAX_FAILURES_IN_A_ROW) throw error;
    this.record(fetched.task.resource, fetched.path, error);
    const { task } = fetched;
    if (task.kind === 'page') this.pagesFailed.add(task.resource.level);
    return false;
  }

  private levelSet(map: Map<Level, Set<string>>, level: Level): Set<string> {
    let set = map.get(level);
    if (!set) {
      set = new Set();
      map.set(level, set);
    }
    return set;
  }

  /** Normalizes the resources not seen before; returns how many. */
  private addResources(resource: LevelResource, items: JsonObject[]): number {
    const seen = this.levelSet(this.seen, resource.level);
    let added = 0;
    for (const item of items) {
      const id = item.ID as string;
      if (seen.has(id)) {
        this.duplicates.set(
          resource.table,
          (this.duplicates.get(resource.table) ?? 0) + 1,
        );
        continue;
      }
      seen.add(id);
      added++;
      this.lists.observe(resource, item);
      this.buffers.add(this.normalizer.normalize(item, rootSpec(resource)));
    }
    return added;
  }

  private addIds(resource: LevelResource, ids: string[]): void {
    const listed = this.levelSet(this.listed, resource.level);
    for (const id of ids) {
      if (listed.has(id)) continue;
      listed.add(id);
      this.buffers.add(this.normalizer.normalize(id, rootSpec(resource)));
    }
  }

  /**
   * Compares the pages with the ID lists read after them: resources the
   * shifting pages skipped are fetched one by one; resources deleted
   * during the load are counted.
   */
  private async *reconcile(): AsyncGenerator<CrawlEvent, void, undefined> {
    for (const resource of this.levels) {
      if (resource.paging !== 'offset') continue;
      const listed =
        this.listed.get(resource.level) ??
        (await this.listAfterFailedPage(resource));
      if (!listed) continue;
      const seen = this.levelSet(this.seen, resource.level);

      const missing = [...listed].filter((id) => !seen.has(id));
      const limit = this.options.maxRefetch ?? DEFAULT_MAX_REFETCH;
      if (missing.length > limit) {
        this.note(
          resource.table,
          `${missing.length} ${resource.level} were listed but not on any page, more than the ${limit} fetched one by one; load again to get them.`,
        );
      } else if (missing.length > 0) {
        let vanished = 0;
        const tasks = missing.map((id): Task => ({
          kind: 'item',
          resource,
          id,
        }));
        const concurrency = Math.max(1, Math.floor(this.options.concurrency));
        for await (const settled of mapOrdered(tasks, concurrency, (t) =>
          this.fetch(t),
        )) {
          if (this.signal.aborted) throw cancelledError();
          if (!settled.ok) throw settled.error;
          const fetched = settled.value;
          const error = fetched.error;
          if (error instanceof OrthancError && error.code === 'not_found') {
            vanished++;
            continue;
          }
          yield* this.handle(fetched);
        }
        this.note(
          resource.table,
          `${missing.length - vanished} ${resource.level} missing from the pages were fetched one by one${vanished ? `; ${vanished} had been deleted meanwhile` : ''}.`,
        );
      }

      // Resources on a page but gone from the final list were deleted
      // while the crawl ran: their rows (some perhaps still buffered) are
      // taken back, so the load holds what the server holds at its end.
      const deleted = [...seen].filter((id) => !listed.has(id));
      if (deleted.length > 0) {
        yield* this.buffers.drain(true);
        yield { type: 'retract', table: resource.table, ids: deleted };
        this.note(
          resource.table,
          `${deleted.length} ${resource.level} were deleted during the load and left out.`,
        );
      }
    }
  }

  /**
   * The level's ID list, when this load does not read it but a page of
   * the level failed: with it, the resources of that page are fetched one
   * by one like those the shifting pages missed, instead of left out.
   */
  private async listAfterFailedPage(
    resource: LevelResource,
  ): Promise<Set<string> | undefined> {
    if (!this.pagesFailed.has(resource.level)) return undefined;
    const fetched = await this.fetch({ kind: 'list', resource });
    if (this.signal.aborted) throw cancelledError();
    if (!this.accept(fetched)) return undefined;
    const ids = this.parse(fetched, expectIdList);
    return ids ? new Set(ids) : undefined;
  }

  private summarize(): void {
    for (const { table, note } of this.lists.notes(this.buffers.rowCounts)) {
      this.note(table, note);
    }
    for (const [table, count] of this.duplicates) {
      this.note(
        table,
        `${count} resources came twice in the pages (the server changed during the load) and were kept once.`,
      );
    }
    this.noteSkipped();
  }
}

/**
 * Crawls the connection's Orthanc. Yields schemas, row batches and
 * progress; returns the totals. Cancelling through `signal` ends it with a
 * `cancelled` WarehouseError and stops the requests still in flight.
 */
export function crawl(
  connection: Connection,
  options: CrawlOptions,
): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
  return runEvents(options.signal, (controller) => {
    const run = new CrawlRun(connection, options, controller);
    return { run, events: run.events() };
  });
}
