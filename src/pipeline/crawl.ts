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
// are read after the levels, each on its own (see readServerResource.ts).

import { cancelledError } from '../lib/backoff';
import type { BackoffOptions } from '../lib/backoff';
import { WarehouseError } from '../lib/errors';
import { type Logger, silentLogger } from '../lib/logger';
import type { Connection } from '../orthanc/connection';
import { type Endpoint, endpointOf } from '../orthanc/endpoint';
import {
  expectIdList,
  expectResource,
  expectResourceList,
  type JsonObject,
} from '../orthanc/guards';
import {
  type GetOptions,
  newRequestStats,
  orthancGet,
  orthancGetText,
} from '../orthanc/orthancGet';
import { OrthancError } from '../orthanc/orthancError';
import { getStatistics } from '../orthanc/statistics';
import type { CrawlEvent, CrawlNote, CrawlResult } from './crawlEvents';
import { DeclaredLists } from './declaredLists';
import { advanceCursor, emptyCrawlState, statisticsState } from './crawlState';
import { NamingConvention } from './naming';
import { RelationalNormalizer, type RootSpec } from './normalize';
import { mapOrdered } from './orderedPool';
import { readServerResource, resourcePath } from './readServerResource';
import {
  CRAWL_ERRORS,
  isLevelResource,
  type Level,
  type LevelResource,
  type Resource,
  selectResources,
  type ServerResource,
} from './resources';
import { planTasks, type Task, taskPath, taskStage } from './crawlPlan';
import { TableBuffers } from './tableBuffers';
import type { StoredSchema } from './schema';
import { TableRegistry } from './tableRegistry';

export interface CrawlOptions {
  loadId: string;
  /** Resource names; all declared resources when absent. */
  resources?: readonly string[];
  pageSize: number;
  concurrency: number;
  batchRows?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retries?: number;
  backoff?: BackoffOptions;
  log?: Logger;
  naming?: NamingConvention;
  /** IDs the pages missed are fetched one by one up to this many. */
  maxRefetch?: number;
  /** The schema earlier loads left: names and types carry on. */
  schema?: StoredSchema;
}

/** Failures after which going on cannot help. */
const FATAL = new Set(['unauthorized', 'not_orthanc', 'cancelled', 'internal']);
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

function spec(resource: Resource): RootSpec {
  const out: RootSpec = {
    name: resource.table,
    disposition: resource.disposition,
    primaryKey: resource.primaryKey,
    columns: resource.columns,
  };
  if (resource.maxNesting !== undefined) out.maxNesting = resource.maxNesting;
  return out;
}

class CrawlRun {
  private readonly endpoint: Endpoint;
  private readonly options: CrawlOptions;
  private readonly signal: AbortSignal;
  private readonly log: Logger;
  private readonly stats = newRequestStats();
  private readonly getOptions: GetOptions;
  private readonly pageSize: number;
  private readonly resources: Resource[];
  private readonly levels: LevelResource[];
  private readonly others: ServerResource[];
  private readonly normalizer: RelationalNormalizer;
  private readonly buffers: TableBuffers;
  private readonly lists: DeclaredLists;

  /** IDs read from the pages, per level. */
  private readonly seen = new Map<Level, Set<string>>();
  /** IDs of the unpaged lists, per level, read after the pages. */
  private readonly listed = new Map<Level, Set<string>>();
  private readonly duplicates = new Map<string, number>();
  private readonly notes: CrawlNote[] = [];
  private readonly state = emptyCrawlState();
  private failuresInARow = 0;
  private skipped = 0;

  constructor(
    connection: Connection,
    options: CrawlOptions,
    signal: AbortSignal,
  ) {
    this.endpoint = endpointOf(connection);
    this.options = options;
    this.signal = signal;
    this.log = options.log ?? silentLogger;
    this.pageSize = Math.max(1, Math.floor(options.pageSize));
    this.resources = selectResources(options.resources);
    this.levels = this.resources.filter(isLevelResource);
    this.others = this.resources.filter(
      (r): r is ServerResource => !isLevelResource(r),
    );

    const getOptions: GetOptions = { signal, stats: this.stats, log: this.log };
    if (options.fetch) getOptions.fetch = options.fetch;
    if (options.timeoutMs !== undefined)
      getOptions.timeoutMs = options.timeoutMs;
    if (options.retries !== undefined) getOptions.retries = options.retries;
    if (options.backoff) getOptions.backoff = options.backoff;
    this.getOptions = getOptions;

    const registry = new TableRegistry(
      options.naming ?? new NamingConvention(),
      options.schema,
    );
    this.normalizer = new RelationalNormalizer(registry, options.loadId);
    this.buffers = new TableBuffers(registry, options.batchRows);
    this.lists = new DeclaredLists(registry, this.resources);
  }

  async *events(): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
    yield this.progress('Reading the server totals');
    const totals = await getStatistics(this.endpoint, this.getOptions);
    this.state.statistics = statisticsState(totals);

    // every table of the load exists from the start, rows or not
    for (const table of [...this.resources.map(spec), CRAWL_ERRORS]) {
      this.normalizer.registry.root(table);
      this.buffers.rowCounts[table.name] ??= 0;
      yield* this.buffers.schemaIfChanged(table.name);
    }
    for (const table of this.lists.tables) {
      this.buffers.rowCounts[table] ??= 0;
      yield* this.buffers.schemaIfChanged(table);
    }

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
    return {
      requests: this.stats.requests,
      bytes: this.stats.bytes,
      rows: { ...this.buffers.rowCounts },
      notes: this.notes,
      resources: this.resources.map((r) => r.name),
      state: this.state,
    };
  }

  /** One request; never rejects, so that the pool keeps its order. */
  private async fetch(task: Task): Promise<Fetched> {
    const path = taskPath(task, this.pageSize);
    try {
      const body = await orthancGet(this.endpoint, path, this.getOptions);
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
    return false;
  }

  private record(resource: Resource, path: string, error: unknown): void {
    const data =
      error instanceof WarehouseError
        ? error
        : new WarehouseError('internal', String(error));
    this.skipped++;
    this.log.warn(`Skipped ${path}: ${data.message}`);
    const status = error instanceof OrthancError ? error.status : null;
    this.buffers.add(
      this.normalizer.normalize(
        {
          resource: resource.name,
          path,
          status,
          code: data.code,
          message: data.message,
        },
        CRAWL_ERRORS,
      ),
    );
  }

  /**
   * One of the server's other resources. A 404 (an older Orthanc, or a
   * feature switched off) leaves its table empty with a note; another
   * failure that the load can live with is recorded in _crawl_errors.
   */
  private async *readOther(
    resource: ServerResource,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const table = resource.table;
    yield this.progress(`${table}: reading`);
    let rows = 0;
    const isLog = resource.yields === 'log';
    const context = {
      getJson: (path: string) =>
        orthancGet(this.endpoint, path, this.getOptions),
      getText: (path: string) =>
        orthancGetText(this.endpoint, path, this.getOptions),
      note: (note: string) => {
        this.note(table, note);
      },
      pageSize: this.pageSize,
      concurrency: Math.max(1, Math.floor(this.options.concurrency)),
      listed: this.listed,
      skip: (path: string, error: unknown) => {
        if (!(error instanceof WarehouseError) || FATAL.has(error.code))
          throw error;
        this.record(resource, path, error);
      },
    };
    try {
      for await (const items of readServerResource(resource, context)) {
        if (this.signal.aborted) throw cancelledError();
        for (const item of items) {
          this.buffers.add(this.normalizer.normalize(item, spec(resource)));
          if (isLog) advanceCursor(this.state, resource.name, item);
        }
        rows += items.length;
        yield* this.buffers.drain(false);
        yield this.progress(`${table}: ${rows} rows`);
      }
    } catch (error) {
      if (!(error instanceof WarehouseError) || FATAL.has(error.code)) {
        throw error;
      }
      const path =
        error instanceof OrthancError ? error.path : resourcePath(resource);
      if (error.code === 'not_found' && rows === 0) {
        this.note(
          table,
          `The server has no ${path} (404: an older Orthanc, or switched ` +
            'off); the table is empty.',
        );
        return;
      }
      this.record(resource, path, error);
      this.note(
        table,
        `Reading ${path} failed (${error.message}); the table holds the ` +
          `${rows} rows read before.`,
      );
      return;
    }
    if (isLog) this.state.cursors[resource.name] ??= 0;
    if (rows === 0) this.note(table, resource.emptyNote);
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
      this.buffers.add(this.normalizer.normalize(item, spec(resource)));
    }
    return added;
  }

  private addIds(resource: LevelResource, ids: string[]): void {
    const listed = this.levelSet(this.listed, resource.level);
    for (const id of ids) {
      if (listed.has(id)) continue;
      listed.add(id);
      this.buffers.add(this.normalizer.normalize(id, spec(resource)));
    }
  }

  /**
   * Compares the pages with the ID lists read after them: resources the
   * shifting pages skipped are fetched one by one; resources deleted
   * during the load are counted.
   */
  private async *reconcile(): AsyncGenerator<CrawlEvent, void, undefined> {
    for (const resource of this.levels) {
      const listed = this.listed.get(resource.level);
      if (resource.paging !== 'offset' || !listed) continue;
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

  private note(table: string, note: string): void {
    this.notes.push({ table, note });
    this.log.info(`${table}: ${note}`);
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
    if (this.skipped > 0) {
      this.note(
        CRAWL_ERRORS.name,
        `${this.skipped} requests failed and were skipped; see ${CRAWL_ERRORS.name}.`,
      );
    }
  }

  private progress(stage: string): CrawlEvent {
    return {
      type: 'progress',
      progress: {
        requests: this.stats.requests,
        bytes: this.stats.bytes,
        rows: this.buffers.totalRows,
        stage,
      },
    };
  }
}

/**
 * Crawls the connection's Orthanc. Yields schemas, row batches and
 * progress; returns the totals. Cancelling through `signal` ends it with a
 * `cancelled` WarehouseError and stops the requests still in flight.
 */
export async function* crawl(
  connection: Connection,
  options: CrawlOptions,
): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort();
  };
  const cancelled = () => controller.signal.aborted;
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    if (cancelled()) throw cancelledError();
    const events = new CrawlRun(
      connection,
      options,
      controller.signal,
    ).events();
    for (let next = await events.next(); ; next = await events.next()) {
      if (next.done) return next.value;
      yield next.value;
      // a consumer may cancel while it holds an event
      if (cancelled()) throw cancelledError();
    }
  } finally {
    controller.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
