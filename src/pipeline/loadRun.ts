// What every run against one Orthanc shares, a full crawl (crawl.ts) as
// well as an incremental sync (sync.ts): the request options and their
// counters, the normalizer and the row buffers, the notes for the
// summary, the skipped requests recorded in _crawl_errors, the state left
// for the next load, and the reading of the server's other resources
// (modalities, logs, query answers, metrics, tags; readServerResource.ts).

import { cancelledError } from '../lib/backoff';
import type { BackoffOptions } from '../lib/backoff';
import { WarehouseError } from '../lib/errors';
import { type Logger, silentLogger } from '../lib/logger';
import type { Connection } from '../orthanc/connection';
import { type Endpoint, endpointOf } from '../orthanc/endpoint';
import {
  type GetOptions,
  newRequestStats,
  orthancGet,
  orthancGetText,
  type RequestStats,
} from '../orthanc/orthancGet';
import { expectLogPage } from '../orthanc/guards';
import { OrthancError } from '../orthanc/orthancError';
import type { CrawlResume } from './crawlCheckpoint';
import type { CrawlStrategy } from './crawlPlan';
import type { CrawlEvent, CrawlNote, CrawlResult } from './crawlEvents';
import { advanceCursor, emptyCrawlState } from './crawlState';
import { DeclaredLists } from './declaredLists';
import { NamingConvention } from './naming';
import { RelationalNormalizer, type RootSpec } from './normalize';
import {
  type LogRange,
  type ReadContext,
  readServerResource,
  resourcePath,
} from './readServerResource';
import {
  CRAWL_ERRORS,
  type Level,
  type Resource,
  type ServerResource,
} from './resources';
import type { StoredSchema } from './schema';
import { TableBuffers } from './tableBuffers';
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
  /** Set to go on with a full load that stopped (see crawlCheckpoint.ts);
   *  `schema` is then the checkpoint's. */
  resume?: CrawlResume;
  /** Rows normalized between two checkpoints at most, as far as pages
   *  allow; four batches when absent. */
  checkpointRows?: number;
  /** The counters to count requests into; the caller can then read them
   *  even when the run ends in a failure. */
  stats?: RequestStats;
  /** How the levels' detail is read; `paged` when absent. */
  strategy?: CrawlStrategy;
}

/** Failures after which going on cannot help. */
export const FATAL = new Set([
  'unauthorized',
  'not_orthanc',
  'cancelled',
  'internal',
]);

/** The normalizer's description of a resource's root table. */
export function rootSpec(resource: Resource): RootSpec {
  const out: RootSpec = {
    name: resource.table,
    disposition: resource.disposition,
    primaryKey: resource.primaryKey,
    columns: resource.columns,
  };
  if (resource.maxNesting !== undefined) out.maxNesting = resource.maxNesting;
  return out;
}

export abstract class LoadRun {
  protected readonly endpoint: Endpoint;
  protected readonly options: CrawlOptions;
  protected readonly signal: AbortSignal;
  protected readonly log: Logger;
  protected readonly stats: RequestStats;
  protected readonly getOptions: GetOptions;
  protected readonly pageSize: number;
  protected readonly concurrency: number;
  protected readonly resources: Resource[];
  protected readonly normalizer: RelationalNormalizer;
  protected readonly buffers: TableBuffers;
  protected readonly lists: DeclaredLists;
  /** IDs of a level's complete list, when the run has read one. */
  protected readonly listed = new Map<Level, Set<string>>();
  /** Where each log is read from and up to, when not the whole log. */
  protected readonly logRanges = new Map<string, LogRange>();
  protected readonly notes: CrawlNote[] = [];
  protected readonly state = emptyCrawlState();
  protected skipped = 0;
  private readonly controller: AbortController;
  /** The failure that ended the run early, if one did (see guard). */
  fatal: unknown;

  constructor(
    connection: Connection,
    options: CrawlOptions,
    controller: AbortController,
    resources: Resource[],
  ) {
    this.endpoint = endpointOf(connection);
    this.options = options;
    this.controller = controller;
    this.signal = controller.signal;
    this.log = options.log ?? silentLogger;
    this.stats = options.stats ?? newRequestStats();
    this.pageSize = Math.max(1, Math.floor(options.pageSize));
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.resources = resources;

    const getOptions: GetOptions = {
      signal: this.signal,
      stats: this.stats,
      log: this.log,
    };
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

  /** One GET of JSON, through guard(). */
  protected get(path: string): Promise<unknown> {
    return this.guard(orthancGet(this.endpoint, path, this.getOptions));
  }

  /**
   * A failure that no retry or skip gets past (credentials refused, not
   * an Orthanc) ends the run at once: the requests in flight or waiting
   * for a retry are aborted, instead of the pool waiting for them to
   * settle in their turn.
   */
  protected async guard<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      if (
        error instanceof WarehouseError &&
        FATAL.has(error.code) &&
        error.code !== 'cancelled'
      ) {
        this.fatal ??= error;
        this.controller.abort();
      }
      throw error;
    }
  }

  /**
   * Takes where a log ends now, so that it is read up to there and no
   * further: the change log then covers exactly what the levels, read
   * after, may have missed. A failure here is left for the log's own read
   * to meet and report.
   */
  protected async takeLogEnd(resource: ServerResource): Promise<void> {
    const path = `${resource.path}?last`;
    try {
      const key = resource.entriesKey ?? '';
      const end = expectLogPage(await this.get(path), path, key);
      const stop = end.entries.length > 0 ? end.last : 0;
      this.logRanges.set(resource.name, { since: 0, stop });
    } catch (error) {
      if (!(error instanceof WarehouseError) || FATAL.has(error.code)) {
        throw error;
      }
    }
  }

  /** Every table of the run exists from the start, rows or not. */
  protected *declareTables(): Generator<CrawlEvent> {
    for (const table of [...this.resources.map(rootSpec), CRAWL_ERRORS]) {
      this.normalizer.registry.root(table);
      this.buffers.rowCounts[table.name] ??= 0;
      yield* this.buffers.schemaIfChanged(table.name);
    }
    for (const table of this.lists.tables) {
      this.buffers.rowCounts[table] ??= 0;
      yield* this.buffers.schemaIfChanged(table);
    }
  }

  /** A request the run can live without, as a row of _crawl_errors. */
  protected record(resource: Resource, path: string, error: unknown): void {
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

  /** The context a reader of readServerResource.ts works in. */
  protected readContext(resource: ServerResource): ReadContext {
    const table = resource.table;
    const context: ReadContext = {
      getJson: (path: string) => this.get(path),
      getText: (path: string) =>
        this.guard(orthancGetText(this.endpoint, path, this.getOptions)),
      note: (note: string) => {
        this.note(table, note);
      },
      pageSize: this.pageSize,
      concurrency: this.concurrency,
      listed: this.listed,
      skip: (path: string, error: unknown) => {
        if (!(error instanceof WarehouseError) || FATAL.has(error.code))
          throw error;
        this.record(resource, path, error);
      },
    };
    const range = this.logRanges.get(resource.name);
    if (range) context.range = range;
    return context;
  }

  /**
   * One of the server's other resources. A 404 (an older Orthanc, or a
   * feature switched off) leaves its table empty with a note; another
   * failure that the load can live with is recorded in _crawl_errors.
   */
  protected async *readOther(
    resource: ServerResource,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const table = resource.table;
    yield this.progress(`${table}: reading`);
    let rows = 0;
    const isLog = resource.yields === 'log';
    const since = this.logRanges.get(resource.name)?.since ?? 0;
    try {
      const context = this.readContext(resource);
      for await (const items of readServerResource(resource, context)) {
        if (this.signal.aborted) throw cancelledError();
        for (const item of items) {
          this.buffers.add(this.normalizer.normalize(item, rootSpec(resource)));
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
    // a log read from a cursor keeps that cursor when nothing was new
    if (isLog) this.state.cursors[resource.name] ??= since;
    if (rows === 0 && since === 0) this.note(table, resource.emptyNote);
  }

  protected note(table: string, note: string): void {
    this.notes.push({ table, note });
    this.log.info(`${table}: ${note}`);
  }

  protected noteSkipped(): void {
    if (this.skipped > 0) {
      this.note(
        CRAWL_ERRORS.name,
        `${this.skipped} requests failed and were skipped; see ${CRAWL_ERRORS.name}.`,
      );
    }
  }

  /** What the run hands back at its end. */
  protected result(): CrawlResult {
    this.state.resources = this.resources.map((r) => r.name);
    return {
      requests: this.stats.requests,
      bytes: this.stats.bytes,
      retries: this.stats.retries,
      rows: { ...this.buffers.rowCounts },
      notes: this.notes,
      resources: this.resources.map((r) => r.name),
      state: this.state,
    };
  }

  protected progress(stage: string): CrawlEvent {
    return {
      type: 'progress',
      progress: {
        requests: this.stats.requests,
        bytes: this.stats.bytes,
        retries: this.stats.retries,
        rows: this.buffers.totalRows,
        stage,
      },
    };
  }
}

/**
 * Runs `start(controller)`'s events until they end; cancelling through
 * `signal` ends it with a `cancelled` WarehouseError and stops the
 * requests still in flight. A fatal failure aborts the rest, which then
 * ends as cancelled: the fatal one is what is thrown.
 */
export async function* runEvents(
  signal: AbortSignal | undefined,
  start: (controller: AbortController) => {
    run: { fatal: unknown };
    events: AsyncGenerator<CrawlEvent, CrawlResult, undefined>;
  },
): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort();
  };
  const cancelled = () => controller.signal.aborted;
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) controller.abort();
  let run: { fatal: unknown } | undefined;
  try {
    if (cancelled()) throw cancelledError();
    const started = start(controller);
    run = started.run;
    const { events } = started;
    for (let next = await events.next(); ; next = await events.next()) {
      if (next.done) return next.value;
      yield next.value;
      // a consumer may cancel while it holds an event
      if (cancelled()) throw cancelledError();
    }
  } catch (error) {
    throw run?.fatal ?? error;
  } finally {
    controller.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}
