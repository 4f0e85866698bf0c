// A load as the page runs it: the crawl worker's tables and batches go
// into the warehouse's staging as they arrive; when the crawl is done the
// load commits, and when it fails or is cancelled it is aborted, which
// leaves the warehouse exactly as it was. A sync runs the same way: it
// starts from where the warehouse stands (its change log cursor and what
// it holds), answers the worker's questions about the warehouse, and
// commits the rows of deleted resources' removal with the rest. A full
// load that fails keeps what it staged for Resume (resumeStart.ts); a
// cancelled one, or a sync, keeps nothing: a sync is simply run again.

import type {
  LoadHandle,
  LoadHandlers,
  LoadOptions,
  LoadProgress,
  LoadSummary,
} from '../crawl/protocol';
import { runLoad } from '../crawl/runLoad';
import { memoryLimitMessage, toErrorData } from '../lib/errors';
import { PAGE_SIZE } from '../pipeline/crawlPlan';
import { selectResources } from '../pipeline/resources';
import type { StoredSchema } from '../pipeline/schema';
import { heldResources, readSyncStart } from '../warehouse/heldResources';
import { recordUnfinishedLoad } from '../warehouse/loadHistory';
import { beginLoad, schemaForNextLoad } from '../warehouse/loadSession';
import type { LoadSession } from '../warehouse/loadSession';
import { resumeRefusal, type StagedLoad } from '../warehouse/stagedLoad';
import { benchStrategy } from './benchStrategy';
import { parseRequestSettings } from './requestSettings';
import { resumableLoad, resumeFrom } from './resumeStart';
import type { Slice } from './slice';

export type LoadStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** A load of the picked resources, or a sync of the last load's. */
export type LoadKind = 'load' | 'sync';

export interface LoadState {
  status: LoadStatus;
  kind: LoadKind;
  loadId: string | null;
  progress: LoadProgress | null;
  summary: LoadSummary | null;
  /** Rows the warehouse took from this load, per table. */
  committedRows: Record<string, number> | null;
  /** Rows a sync removed, per table: resources deleted on the server. */
  removedRows: Record<string, number> | null;
  error: string | null;
  /** Warnings the crawl logged, newest last. */
  warnings: string[];
  /** A failed load whose staging was kept for Resume. */
  staged: boolean;
}

export interface LoadSlice {
  load: LoadState;
  /** The resources the next load fetches, by name, in declaration order;
   *  the default selection at first. A load of none is refused. */
  selectedResources: string[];
  setSelectedResources: (names: readonly string[]) => void;
  startLoad: () => Promise<void>;
  /** Brings the warehouse up to date through the change log. */
  startSync: () => Promise<void>;
  /** Goes on with a full load that stopped, under its load id. */
  resumeLoad: (record: StagedLoad) => Promise<void>;
  cancelLoad: () => void;
}

/** Said when Sync is pressed before any load read the change log. */
export const NO_SYNC_MESSAGE =
  'Nothing to sync from: no load has read the change log yet. Load first, ' +
  'with "changes" among the resources.';

/** Progress repaints at most this often; the crawl reports more. */
const PROGRESS_INTERVAL_MS = 100;
const MAX_WARNINGS = 50;

const idle: LoadState = {
  status: 'idle',
  kind: 'load',
  loadId: null,
  progress: null,
  summary: null,
  committedRows: null,
  removedRows: null,
  error: null,
  warnings: [],
  staged: false,
};

/** dlt's load id: the start time in seconds, with a fraction. */
function newLoadId(): string {
  return (Date.now() / 1000).toFixed(6);
}

export const createLoadSlice: Slice<LoadSlice> = (set, get) => {
  let handle: LoadHandle | undefined;

  const update = (change: Partial<LoadState>) => {
    set((state) => ({ load: { ...state.load, ...change } }));
  };

  const run = async (kind: LoadKind, resume?: StagedLoad) => {
    if (get().load.status === 'running' || get().serverInfo === null) return;
    let resources = resume?.resources ?? get().selectedResources;
    if (kind === 'load' && resources.length === 0) return;
    const parsed = parseRequestSettings(get().requestSettings);
    if (!parsed.ok) {
      set({ load: { ...idle, status: 'failed', error: parsed.message } });
      return;
    }
    const { concurrency, timeoutSeconds, retries, memoryLimitMb } =
      parsed.settings;
    const options: LoadOptions = {
      pageSize: resume?.pageSize ?? PAGE_SIZE,
      concurrency,
      timeoutMs: Math.round(timeoutSeconds * 1000),
      retries,
    };
    const strategy = benchStrategy();
    if (strategy && kind === 'load' && !resume) options.strategy = strategy;
    const loadId = resume?.loadId ?? newLoadId();
    const connection = get().connection();
    const refusal = resume && resumeRefusal(resume, connection.baseUrl);
    if (refusal) {
      set({ load: { ...idle, status: 'failed', error: refusal } });
      return;
    }
    set({ load: { ...idle, status: 'running', kind, loadId } });

    // Names and types carry on from the schema earlier loads left; a
    // sync goes on from where the warehouse stands.
    let schema: StoredSchema | null;
    try {
      schema = resume?.checkpoint.schema ?? (await schemaForNextLoad());
      if (kind === 'sync') {
        const readiness = await readSyncStart();
        if (readiness === null) {
          update({ status: 'failed', error: NO_SYNC_MESSAGE });
          return;
        }
        options.sync = readiness.start;
        resources = readiness.resources;
      }
    } catch (error) {
      update({ status: 'failed', error: toErrorData(error).message });
      return;
    }

    // The warehouse may still be starting (its WebAssembly compiles for
    // a second or two after the page opens): the crawl starts at once
    // and its first rows wait for the staging instead.
    let session: LoadSession | undefined;
    const resumable =
      kind === 'load'
        ? resumableLoad(loadId, connection, resources, options.pageSize, resume)
        : null;
    const opening = beginLoad(loadId, memoryLimitMb, resumable).then(
      (opened) => {
        session = opened;
        return opened;
      },
    );
    opening.catch(() => undefined);
    const startedAt = Date.now();
    let shownAt = 0;
    // every report counts, shown or not: the history keeps the last
    const counted: { last?: LoadProgress } = {};
    try {
      const handlers: LoadHandlers = {
        onTable: async (schema) => {
          await (await opening).declareTable(schema);
        },
        onBatch: async (table, ipc, rowCount) => {
          await (await opening).ingest(table, ipc, rowCount);
        },
        onRetract: async (table, ids) => {
          await (await opening).retract(table, ids);
        },
        onCheckpoint: async (checkpoint) => {
          await (await opening).checkpoint(checkpoint);
        },
        onRemove: async (table, column, ids) => {
          await (await opening).remove(table, column, ids);
        },
        onHeld: (level, parents) => heldResources(level, parents),
        onProgress: (progress) => {
          counted.last = progress;
          const now = performance.now();
          if (now - shownAt < PROGRESS_INTERVAL_MS) return;
          shownAt = now;
          update({ progress });
        },
        onLog: (level, message) => {
          if (level !== 'warn' && level !== 'error') return;
          update({
            warnings: [...get().load.warnings, message].slice(-MAX_WARNINGS),
          });
        },
      };
      if (resume) options.resume = await resumeFrom(await opening, resume);
      const running = runLoad(
        loadId,
        connection,
        schema ? { ...options, resources, schema } : { ...options, resources },
        handlers,
      );
      handle = running;
      const summary = await running.done;
      update({ progress: progressOf(summary) });
      const { requests, bytes, retries: retried } = summary;
      const totals = { kind, startedAt, requests, bytes, retries: retried };
      const committed = await (await opening).commit(summary.state, totals);
      update({
        status: 'done',
        summary,
        committedRows: committed.rows,
        removedRows: committed.removed,
      });
      get().warehouseChanged();
      // newer than what Test connection showed, and read without a
      // request of its own
      if (summary.state.statistics) {
        get().showServerTotals(summary.state.statistics);
      }
    } catch (error) {
      await opening.catch(() => undefined);
      const failure = toErrorData(error);
      // a load that failed keeps its staging for Resume; cancelled, not
      const staged =
        failure.code !== 'cancelled' &&
        ((await session?.suspend(failure.message).catch(() => false)) ?? false);
      if (!staged) await session?.abort().catch(() => undefined);
      // recorded before the status changes, which refreshes the history,
      // with the message the page shows
      const { last } = counted;
      let message: string | null = failure.message;
      if (failure.code === 'cancelled') message = null;
      if (failure.code === 'memory_limit') {
        message = memoryLimitMessage(session?.stagedInstances() ?? 0, staged);
      }
      await recordUnfinishedLoad({
        loadId,
        kind,
        status: failure.code === 'cancelled' ? 'cancelled' : 'failed',
        startedAt,
        finishedAt: Date.now(),
        requests: last?.requests ?? 0,
        bytes: last?.bytes ?? 0,
        retries: last?.retries ?? 0,
        message,
        tables: {},
      }).catch(() => undefined);
      update({ staged });
      if (failure.code === 'cancelled') {
        update({ status: 'cancelled', error: null });
      } else if (failure.code === 'memory_limit') {
        // DuckDB's, the wasm heap's or the crawl worker's own words
        // are in the log; the user gets how far the load came
        update({
          status: 'failed',
          error: memoryLimitMessage(session?.stagedInstances() ?? 0, staged),
          warnings: [...get().load.warnings, failure.message].slice(
            -MAX_WARNINGS,
          ),
        });
      } else {
        update({ status: 'failed', error: failure.message });
      }
    } finally {
      handle = undefined;
    }
  };

  return {
    load: idle,
    selectedResources: selectResources().map((r) => r.name),

    setSelectedResources: (names) => {
      set({ selectedResources: selectResources(names).map((r) => r.name) });
    },

    startLoad: () => run('load'),
    startSync: () => run('sync'),
    resumeLoad: (record) => run('load', record),

    cancelLoad: () => {
      handle?.cancel();
    },
  };
};

/** The final numbers, in the shape of a progress report. */
function progressOf(summary: LoadSummary): LoadProgress {
  const rows = Object.values(summary.rows).reduce((sum, n) => sum + n, 0);
  return {
    requests: summary.requests,
    bytes: summary.bytes,
    retries: summary.retries,
    rows,
    elapsedMs: summary.elapsedMs,
    stage: 'committing',
  };
}
