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
// the other resources) is in loadRun.ts. Every few batches' worth of
// rows, at a page's end, and after each resource's pages, the crawl hands
// out a checkpoint, from which a load that failed resumes (see
// crawlCheckpoint.ts); the pages since the last one are read again then.
// The benchmark's naive strategy (see crawlPlan.ts) plans no pages, so
// that reconciling fetches every resource of the ID lists one by one.

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
import { getStatistics, type Statistics } from '../orthanc/statistics';
import {
  checkpointTotals,
  type CrawlCheckpoint,
  type CrawlResume,
  pageKey,
  pagedTables,
  pagePlan,
  remainingTasks,
} from './crawlCheckpoint';
import type { CrawlEvent, CrawlNote, CrawlResult } from './crawlEvents';
import { statisticsState } from './crawlState';
import {
  type CrawlOptions,
  FATAL,
  LoadRun,
  rootSpec,
  runEvents,
} from './loadRun';
import { mapOrdered } from './orderedPool';
import { DEFAULT_BATCH_ROWS } from './tableBuffers';
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
/** Batches' worth of rows between two checkpoints, by default. */
const CHECKPOINT_BATCHES = 4;

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
  /** Pages whose rows are all handed out (pageKey). */
  private readonly pagesDone: string[] = [];
  private plan: Record<string, number> = {};
  /** Rows normalized when the last checkpoint was handed out. */
  private rowsAtCheckpoint = 0;
  private pagesAtCheckpoint = 0;
  /** The notes of the pages, once they are all read. */
  private pageNotes: CrawlNote[] | null = null;
  private readonly checkpointRows: number;
  /** Every resource on its own, after its ID list (crawlPlan.ts). */
  private readonly naive: boolean;

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
    this.checkpointRows =
      options.checkpointRows ??
      CHECKPOINT_BATCHES * (options.batchRows ?? DEFAULT_BATCH_ROWS);
    this.naive = options.strategy === 'naive';
  }

  async *events(): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
    const resume = this.options.resume;
    let totals: Statistics;
    if (resume) {
      totals = this.resumeFrom(resume);
    } else {
      yield this.progress('Reading the server totals');
      totals = await getStatistics(this.endpoint, this.getOptions);
      this.state.statistics = statisticsState(totals);
      const changes = this.others.find((r) => r.name === 'changes');
      if (changes) await this.takeLogEnd(changes);
    }

    yield* this.declareTables();

    const planned = planTasks(
      this.resources,
      totals,
      this.pageSize,
      this.options.strategy,
    );
    this.plan = pagePlan(planned);
    const tasks = resume
      ? remainingTasks(planned, resume.checkpoint.pages)
      : planned;
    const concurrency = Math.max(1, Math.floor(this.options.concurrency));
    for await (const settled of mapOrdered(tasks, concurrency, (t) =>
      this.fetch(t),
    )) {
      if (this.signal.aborted) throw cancelledError();
      if (!settled.ok) throw settled.error;
      const { task } = settled.value;
      // the pages end: what they brought is kept before the ID lists
      if (task.kind !== 'page') yield* this.checkpointPages();
      const complete = yield* this.handle(settled.value);
      if (complete && task.kind === 'page') {
        this.pagesDone.push(pageKey(task.resource.name, task.since));
        const rows = this.buffers.totalRows - this.rowsAtCheckpoint;
        if (task.probe || rows >= this.checkpointRows) {
          yield* this.checkpoint();
        }
      }
    }

    yield* this.checkpointPages();
    this.pageNotes = [...this.notes];
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

  /** Handles an answer; true when all it asked for was read. */
  private async *handle(
    fetched: Fetched,
  ): AsyncGenerator<CrawlEvent, boolean, undefined> {
    const { task } = fetched;
    let complete = false;
    if (this.accept(fetched)) {
      if (task.kind === 'list') {
        const ids = this.parse(fetched, expectIdList);
        if (ids) this.addIds(task.resource, ids);
        complete = ids !== null;
      } else if (task.kind === 'item') {
        const item = this.parse(fetched, expectResource);
        if (item) this.addResources(task.resource, [item]);
        complete = item !== null;
      } else {
        const items = this.parse(fetched, expectResourceList);
        const added = items ? this.addResources(task.resource, items) : 0;
        complete = items !== null;
        if (task.probe && added > 0) {
          complete = yield* this.readOn(task, task.since);
        }
      }
    }
    yield* this.buffers.drain(false);
    yield this.progress(taskStage(task));
    return complete;
  }

  /**
   * Hands out every row held, then where the crawl stands: what the
   * warehouse keeps of a load that stops, to resume from.
   */
  private *checkpoint(): Generator<CrawlEvent> {
    yield* this.buffers.drain(true);
    this.rowsAtCheckpoint = this.buffers.totalRows;
    this.pagesAtCheckpoint = this.pagesDone.length;
    const statistics = this.state.statistics;
    if (statistics === null) return;
    const logEnds: Record<string, number> = {};
    for (const [name, range] of this.logRanges) {
      if (range.stop !== undefined) logEnds[name] = range.stop;
    }
    const registry = this.normalizer.registry;
    const checkpoint: CrawlCheckpoint = {
      pages: [...this.pagesDone],
      plan: { ...this.plan },
      pagedTables: pagedTables(this.levels),
      schema: {
        name: 'orthanc',
        version: this.options.schema?.version ?? 0,
        tables: registry.all().map((t) => registry.snapshot(t.schema.name)),
      },
      statistics: { ...statistics },
      logEnds,
      // what reconciling notes is noted again when a load resumes
      notes: [...(this.pageNotes ?? this.notes)],
      duplicates: Object.fromEntries(this.duplicates),
      rows: { ...this.buffers.rowCounts },
      lists: this.lists.counts(),
    };
    yield { type: 'checkpoint', checkpoint };
  }

  /** A checkpoint, if pages were done since the last one. */
  private *checkpointPages(): Generator<CrawlEvent> {
    if (this.pagesDone.length > this.pagesAtCheckpoint) {
      yield* this.checkpoint();
    }
  }

  /**
   * Takes up a load that stopped where its checkpoint says: its totals,
   * log ends, notes and counters, and the IDs its pages brought. The
   * rows of the tables that are read again from the start (ID lists,
   * other resources, _crawl_errors) are not counted: the warehouse
   * empties those.
   */
  private resumeFrom(resume: CrawlResume): Statistics {
    const { checkpoint } = resume;
    this.state.statistics = { ...checkpoint.statistics };
    for (const [name, stop] of Object.entries(checkpoint.logEnds)) {
      this.logRanges.set(name, { since: 0, stop });
    }
    this.notes.push(...checkpoint.notes);
    for (const [table, count] of Object.entries(checkpoint.duplicates)) {
      this.duplicates.set(table, count);
    }
    const kept = new Set(checkpoint.pagedTables);
    const registry = this.normalizer.registry;
    for (const [table, rows] of Object.entries(checkpoint.rows)) {
      const schema = registry.get(table)?.schema;
      if (kept.has(schema?.parent ?? table)) {
        this.buffers.rowCounts[table] = rows;
      }
    }
    this.lists.restore(checkpoint.lists);
    for (const [level, ids] of Object.entries(resume.seen)) {
      const seen = this.levelSet(this.seen, level as Level);
      for (const id of ids) seen.add(id);
    }
    this.pagesDone.push(...checkpoint.pages);
    this.pagesAtCheckpoint = this.pagesDone.length;
    return checkpointTotals(checkpoint);
  }

  private noteResumed(checkpoint: CrawlCheckpoint): void {
    for (const resource of this.levels) {
      if (resource.paging !== 'offset') continue;
      const planned = this.plan[resource.name];
      if (planned === undefined) continue;
      const done = checkpoint.pages.filter((key) =>
        key.startsWith(`${resource.name}@`),
      ).length;
      this.note(
        resource.table,
        `Resumed: ${done} of ${planned} pages were staged before the load ` +
          'stopped and were not requested again.',
      );
    }
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
  ): AsyncGenerator<CrawlEvent, boolean, undefined> {
    const end = 2 * since + READ_ON_MIN_PAGES * this.pageSize;
    for (let next = since + this.pageSize; ; next += this.pageSize) {
      if (next > end) {
        this.note(
          task.resource.table,
          `The server kept receiving ${task.resource.level} during the ` +
            'load; those that came last are left for the next load.',
        );
        return true;
      }
      const fetched = await this.fetch({ ...task, since: next });
      if (this.signal.aborted) throw cancelledError();
      if (!this.accept(fetched)) return false;

      const items = this.parse(fetched, expectResourceList);
      const added = items ? this.addResources(task.resource, items) : 0;
      yield* this.buffers.drain(false);
      yield this.progress(`${task.resource.table}: reading on past ${next}`);
      if (items === null) return false;
      if (added === 0) return true;
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
      const limit = this.naive
        ? Infinity
        : (this.options.maxRefetch ?? DEFAULT_MAX_REFETCH);
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
        if (!this.naive) {
          this.note(
            resource.table,
            `${missing.length - vanished} ${resource.level} missing from the pages were fetched one by one${vanished ? `; ${vanished} had been deleted meanwhile` : ''}.`,
          );
        }
      }

      // Resources on a page but gone from the final list were deleted
      // while the crawl ran: their rows (some perhaps still buffered) are
      // taken back, so the load holds what the server holds at its end.
      const deleted = [...seen].filter((id) => !listed.has(id));
      if (deleted.length > 0) {
        // the rows taken back are staged first, and kept with the rest
        yield* this.checkpoint();
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
   * The naive strategy, which reads no pages, always needs it.
   */
  private async listAfterFailedPage(
    resource: LevelResource,
  ): Promise<Set<string> | undefined> {
    if (!this.pagesFailed.has(resource.level) && !this.naive) {
      return undefined;
    }
    const fetched = await this.fetch({ kind: 'list', resource });
    if (this.signal.aborted) throw cancelledError();
    if (!this.accept(fetched)) return undefined;
    const ids = this.parse(fetched, expectIdList);
    return ids ? new Set(ids) : undefined;
  }

  private summarize(): void {
    const resume = this.options.resume;
    if (resume) this.noteResumed(resume.checkpoint);
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
