// An incremental sync: brings a warehouse that a load filled up to date by
// reading Orthanc's change log from the cursor that load left, instead of
// every page of every level. It is a load like any other (its own load id,
// staged, committed whole), whose tables merge by Orthanc ID: the detail
// tables and the ID lists by `id` and `value`, the logs by `Seq`, the tags
// by instance. In order:
//
// 1. /statistics, then `/changes?last`, whose Seq the sync stops at, so
//    that a log that keeps growing cannot keep it going (case C05). A log
//    that now ends below the cursor was reset (a new database): a full
//    load runs instead, saying so.
// 2. The log from the cursor; what each change means for the details is
//    decided in syncPlan.ts.
// 3. The deletions, which the log never shows (syncRemovals.ts).
// 4. The changed resources, what is new read whole through its study or
//    series, then the parents whose details changed with them
//    (syncFetch.ts).
// 5. The tags of the changed series, the new entries of the export log,
//    and the server's small resources (modalities, query answers,
//    metrics), read whole as in a full load.
//
// The cost follows the changes: a few requests per new study or series,
// one per other changed resource and per parent it changed, and a listing
// of the levels where something was deleted.
//
// What a sync cannot see: a change of labels alone (Orthanc logs none),
// and a warehouse loaded from another server than the one it syncs with
// (nothing in Orthanc's answers names its database; a shorter change log
// gives a reset away, a longer one does not).

import { WarehouseError } from '../lib/errors';
import type { Connection } from '../orthanc/connection';
import { expectLogPage, type JsonObject } from '../orthanc/guards';
import { getStatistics } from '../orthanc/statistics';
import { crawl } from './crawl';
import type { CrawlEvent, CrawlResult, SyncReport } from './crawlEvents';
import { statisticsState } from './crawlState';
import {
  type CrawlOptions,
  FATAL,
  LoadRun,
  rootSpec,
  runEvents,
} from './loadRun';
import { readServerResource } from './readServerResource';
import {
  isLevelResource,
  type Level,
  type LevelResource,
  RESOURCES,
  selectResources,
  type ServerResource,
} from './resources';
import { ResourceFetcher } from './syncFetch';
import {
  LEVELS,
  type LevelSets,
  parentLevel,
  planRefetch,
  type RefetchPlan,
} from './syncPlan';
import {
  confirmGone,
  findRemovals,
  listIds,
  type Removals,
  removeSubtree,
  type WarehouseReader,
} from './syncRemovals';
import { CHANGES, idListOf, merged, ownedRows } from './syncTables';

const SINGULAR: Record<Level, string> = {
  patients: 'patient',
  studies: 'study',
  series: 'series',
  instances: 'instance',
};

/** "1 study", "3 studies": the notes read as the summary's sentences. */
function resourceCount(count: number, level: Level): string {
  return `${count} ${count === 1 ? SINGULAR[level] : level}`;
}

export type { WarehouseReader };

/** Where a sync starts: what the warehouse holds, read by the page. */
export interface SyncStart {
  /** The change log's Seq the warehouse is up to date with. */
  since: number;
  /** Resources the warehouse holds, per level it has tables for. */
  held: Partial<Record<Level, number>>;
  /** Where the other logs were read up to (`exports`). */
  cursors: Record<string, number>;
}

export interface SyncOptions extends CrawlOptions {
  start: SyncStart;
  warehouse: WarehouseReader;
}

class SyncRun extends LoadRun {
  private readonly connection: Connection;
  private readonly start: SyncStart;
  private readonly warehouse: WarehouseReader;
  private readonly details = new Map<Level, LevelResource>();
  private readonly idLists = new Map<Level, LevelResource>();
  private readonly others: ServerResource[];
  private readonly report: SyncReport;

  constructor(
    connection: Connection,
    options: SyncOptions,
    controller: AbortController,
  ) {
    super(
      connection,
      options,
      controller,
      selectResources(options.resources).map(merged),
    );
    this.connection = connection;
    this.start = options.start;
    this.warehouse = options.warehouse;
    for (const resource of this.resources) {
      if (!isLevelResource(resource)) continue;
      const byLevel = resource.expand ? this.details : this.idLists;
      byLevel.set(resource.level, resource);
    }
    this.others = this.resources.filter(
      (r): r is ServerResource => !isLevelResource(r) && r.name !== CHANGES,
    );
    // the other logs go on from where the last load left them
    for (const resource of this.others) {
      if (resource.yields !== 'log') continue;
      const since = options.start.cursors[resource.name] ?? 0;
      this.logRanges.set(resource.name, { since });
    }
    const since = options.start.since;
    this.report = {
      from: since,
      to: since,
      changes: 0,
      arrived: 0,
      refetched: 0,
      removed: 0,
      listed: [],
      reset: false,
    };
  }

  async *events(): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
    yield this.progress('Reading the server totals');
    const totals = await this.guard(
      getStatistics(this.endpoint, this.getOptions),
    );
    this.state.statistics = statisticsState(totals);
    const lastPath = '/changes?last';
    const last = expectLogPage(await this.get(lastPath), lastPath, 'Changes');
    if (last.last < this.start.since) return yield* this.fullLoad(last.last);
    this.report.to = last.last;

    yield* this.declareTables();
    const changes = yield* this.readChanges(last.last);
    const plan = planRefetch(changes);

    yield this.progress('Looking for deleted resources');
    const server = {
      get: (path: string) => this.get(path),
      pageSize: this.pageSize,
      concurrency: this.concurrency,
      skip: (level: Level, path: string, error: unknown) => {
        this.skip(level, path, error);
      },
    };
    const removals = await findRemovals(plan, {
      warehouse: this.warehouse,
      held: this.start.held,
      server: totals,
      listIds: (level) => listIds(server, level),
      confirmGone: (level, ids) => confirmGone(server, level, ids),
    });
    this.report.listed = removals.listed;

    const fetcher = new ResourceFetcher({
      get: (path) => this.get(path),
      concurrency: this.concurrency,
      skip: (level, path, error) => {
        this.skip(level, path, error);
      },
    });
    yield* this.refetch(plan, removals, fetcher);
    yield* this.store(fetcher);
    for (const level of LEVELS) {
      const gone = [...fetcher.gone[level]];
      await removeSubtree(removals, this.warehouse, level, gone);
    }
    yield* this.remove(removals.removed);

    for (const resource of this.others) {
      if (resource.yields === 'tags') {
        yield* this.readTags(resource, plan, removals, fetcher);
      } else {
        yield* this.readOther(resource);
      }
    }
    yield* this.buffers.drain(true);
    this.noteSkipped();
    return { ...this.result(), sync: this.report };
  }

  /** After a reset of the change log: the whole server, as a load. */
  private async *fullLoad(
    last: number,
  ): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
    const message =
      `The change log was reset: it ends at Seq ${last}, below the ` +
      `${this.start.since} this warehouse was read up to (a new or ` +
      'restored Orthanc database). A full load ran instead of a sync.';
    this.log.warn(message);
    // the load counts into this sync's counters: one count for the run
    const options: CrawlOptions = {
      ...this.options,
      signal: this.signal,
      stats: this.stats,
    };
    const result = yield* crawl(this.connection, options);
    return {
      ...result,
      notes: [{ table: CHANGES, note: message }, ...result.notes],
      sync: { ...this.report, to: last, reset: true },
    };
  }

  /** The log after the cursor, up to `stop`; its rows if selected. */
  private async *readChanges(
    stop: number,
  ): AsyncGenerator<CrawlEvent, JsonObject[], undefined> {
    yield this.progress(`changes: reading after Seq ${this.start.since}`);
    const resource =
      this.resources.find((r) => r.name === CHANGES) ??
      RESOURCES.find((r) => r.name === CHANGES);
    if (resource === undefined || isLevelResource(resource)) return [];
    const keep = this.resources.includes(resource);

    this.logRanges.set(CHANGES, {
      since: this.start.since,
      stop,
      arrived: (count) => {
        this.report.arrived = count;
      },
    });
    const changes: JsonObject[] = [];
    const context = this.readContext(resource);
    for await (const entries of readServerResource(resource, context)) {
      changes.push(...entries);
      for (const entry of entries) {
        if (keep) {
          this.buffers.add(
            this.normalizer.normalize(entry, rootSpec(resource)),
          );
        }
      }
      yield* this.buffers.drain(false);
      yield this.progress(`changes: ${changes.length} read`);
    }

    this.state.cursors[CHANGES] = changes.reduce(
      (cursor, change) => Math.max(cursor, change.Seq as number),
      this.start.since,
    );
    this.report.changes = changes.length;
    this.note(
      CHANGES,
      `Sync after Seq ${this.start.since} up to ${stop}: ` +
        `${changes.length} changes read.`,
    );
    if (this.report.arrived > 0) {
      this.note(
        CHANGES,
        `${this.report.arrived} changes arrived during the sync; the ` +
          'next sync reads them.',
      );
    }
    return changes;
  }

  /**
   * The changed resources (see syncFetch.ts for how they are grouped),
   * then the parents whose details changed with them.
   */
  private async *refetch(
    plan: RefetchPlan,
    removals: Removals,
    fetcher: ResourceFetcher,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const kept = (level: Level, ...sources: Iterable<string>[]) =>
      sources
        .flatMap((source) => [...source])
        .filter((id) => !removals.removed[level].has(id));
    const climbing = new Set(plan.climb);
    for (const level of LEVELS) {
      for (const id of removals.remaining[level]) climbing.add(id);
      for (const id of removals.missing[level]) climbing.add(id);
    }

    // what is new, whole: created, or listed by the server but not held
    for (const level of ['studies', 'series'] as const) {
      const ids = kept(level, plan.created[level], removals.missing[level]);
      if (ids.length === 0) continue;
      yield this.progress(`${level}: reading ${ids.length} new, whole`);
      await fetcher.fetchSubtrees(level, ids);
    }
    const instances = kept(
      'instances',
      [...plan.refetch.instances].filter((id) => plan.climb.has(id)),
      removals.missing.instances,
    );
    if (instances.length > 0) {
      yield this.progress(`instances: reading ${instances.length} new`);
      await fetcher.fetchThroughSeries(instances);
    }

    // every other change, on its own
    for (const level of LEVELS) {
      const ids = kept(
        level,
        plan.refetch[level],
        removals.remaining[level],
        removals.missing[level],
      ).filter((id) => !fetcher.tried(level, id));
      if (ids.length === 0) continue;
      yield this.progress(`${level}: fetching ${ids.length} changed`);
      await fetcher.fetchLevel(level, ids);
    }

    // up from the instances: each parent of a climbing resource, once
    for (const level of [...LEVELS].reverse()) {
      const up = parentLevel(level);
      if (up === null) continue;
      const parents = fetcher.parentsOf(level, climbing);
      for (const parent of parents) climbing.add(parent);
      const todo = [...parents].filter(
        (id) => !removals.removed[up].has(id) && !fetcher.tried(up, id),
      );
      if (todo.length === 0) continue;
      yield this.progress(`${up}: fetching ${todo.length} parents`);
      await fetcher.fetchLevel(up, todo);
    }
  }

  /** The refetched resources, as rows of the detail and ID tables. */
  private *store(fetcher: ResourceFetcher): Generator<CrawlEvent> {
    const { resources, leftOut } = fetcher.kept();
    this.report.refetched = fetcher.fetched.size;
    const counts = emptyCounts();
    for (const { level, item } of resources) {
      const detail = this.details.get(level);
      const idList = this.idLists.get(level);
      if (detail) {
        this.lists.observe(detail, item);
        this.buffers.add(this.normalizer.normalize(item, rootSpec(detail)));
      }
      if (idList) {
        this.buffers.add(this.normalizer.normalize(item.ID, rootSpec(idList)));
      }
      counts[level]++;
    }
    yield* this.buffers.drain(false);

    for (const level of LEVELS) {
      const table = this.details.get(level)?.table ?? level;
      if (counts[level] > 0) {
        this.note(table, `${resourceCount(counts[level], level)} read again.`);
      }
      if (leftOut[level] > 0) {
        this.note(
          table,
          `${resourceCount(leftOut[level], level)} left out: one above them was refused ` +
            'or gone (see _crawl_errors).',
        );
      }
    }
  }

  /** The rows of deleted resources go, in every table that has them. */
  private *remove(removed: LevelSets): Generator<CrawlEvent> {
    for (const level of LEVELS) {
      const ids = [...removed[level]];
      if (ids.length === 0) continue;
      this.report.removed += ids.length;
      for (const { table, column } of ownedRows(level)) {
        yield { type: 'remove', table, column, ids };
      }
      const table = this.details.get(level)?.table ?? level;
      this.note(
        table,
        `${resourceCount(ids.length, level)} deleted on the server ` +
          `${ids.length === 1 ? 'was' : 'were'} removed.`,
      );
    }
  }

  /** The tags of the series whose instances changed. */
  private async *readTags(
    resource: ServerResource,
    plan: RefetchPlan,
    removals: Removals,
    fetcher: ResourceFetcher,
  ): AsyncGenerator<CrawlEvent, void, undefined> {
    const series = new Set(plan.tagSeries);
    for (const id of fetcher.parentsOf('instances', plan.tagInstances)) {
      series.add(id);
    }
    const { resources } = fetcher.kept();
    const kept = new Set(resources.map((r) => r.item.ID as string));
    const changed = [...series].filter(
      (id) =>
        !removals.removed.series.has(id) &&
        (kept.has(id) || !fetcher.tried('series', id)),
    );
    if (changed.length === 0) return;
    this.listed.set('series', new Set(changed));
    this.note(resource.table, `Tags of ${changed.length} series read again.`);
    yield* this.readOther(resource);
  }

  private skip(level: Level, path: string, error: unknown): void {
    if (!(error instanceof WarehouseError) || FATAL.has(error.code)) {
      throw error;
    }
    const resource =
      this.details.get(level) ?? this.idLists.get(level) ?? idListOf(level);
    this.record(resource, path, error);
  }
}

function emptyCounts(): Record<Level, number> {
  return { patients: 0, studies: 0, series: 0, instances: 0 };
}

/**
 * Syncs the warehouse described by `options.start` with the connection's
 * Orthanc. Yields schemas, row batches, removals and progress; returns
 * the totals with what the sync did.
 */
export function sync(
  connection: Connection,
  options: SyncOptions,
): AsyncGenerator<CrawlEvent, CrawlResult, undefined> {
  return runEvents(options.signal, (controller) => {
    const run = new SyncRun(connection, options, controller);
    return { run, events: run.events() };
  });
}
