// The requests a sync makes for changed resources, grouped so that their
// number follows the studies and series that changed rather than the
// instances in them. Orthanc answers a resource's children as whole
// detail objects, the same as `/instances/{id}` (checked on 1.10.1 and
// 1.12.7):
//
// - a new study: `/studies/{id}`, then `/studies/{id}/series` and
//   `/studies/{id}/instances`, three requests whatever its size;
// - a new series: `/series/{id}` and `/series/{id}/instances`;
// - new instances elsewhere: `/instances/{id}/series` gives the series,
//   then `/series/{id}/instances` all its instances, the others that
//   changed among them included;
// - anything else, one request for the resource itself.
//
// The answers are kept until the end, not normalized at once: a resource
// is left out when one above it turned out refused (403) or gone (404),
// which is known only once the parents have been read. A resource refused
// or gone on its own request is recorded (cases C02, C04) and the sync
// goes on; nothing known to be under it is asked for. What is known comes
// from the answers: a resource's parent, and the child lists of a detail
// (`Series`, `Instances`). A new series under a refused new study is
// still asked for once, as its study shows only in its answer; its
// instances are not. A failure that says the server
// is in trouble ends the sync after a few in a row; what the caller
// cannot go on after (credentials refused, cancel) is thrown.

import { WarehouseError } from '../lib/errors';
import {
  expectResource,
  expectResourceList,
  type JsonObject,
} from '../orthanc/guards';
import { OrthancError } from '../orthanc/orthancError';
import { mapOrdered } from './orderedPool';
import type { Level } from './resources';
import { emptyLevelSets, LEVELS, type LevelSets, PARENT_KEY } from './syncPlan';

export interface FetchContext {
  get(path: string): Promise<unknown>;
  concurrency: number;
  /** Records a failure the sync can live with; throws if it cannot. */
  skip(level: Level, path: string, error: unknown): void;
}

export interface FetchedResource {
  level: Level;
  item: JsonObject;
  parent: string | null;
}

/** The request of one resource. */
export function resourcePathOf(level: Level, id: string): string {
  return `/${level}/${encodeURIComponent(id)}`;
}

/** The key of a detail's list of children. */
const CHILDREN_KEY: Partial<Record<Level, string>> = {
  patients: 'Studies',
  studies: 'Series',
  series: 'Instances',
};

/** Failed requests in a row, other than 403 and 404, that end a sync. */
const MAX_FAILURES_IN_A_ROW = 3;

interface Answer {
  id: string;
  path: string;
  body?: unknown;
  error?: unknown;
}

export class ResourceFetcher {
  /** Answers, by ID: Orthanc's IDs are unique across levels. */
  readonly fetched = new Map<string, FetchedResource>();
  /** Resources that answered 404 on their own request. */
  readonly gone: LevelSets = emptyLevelSets();
  /** Resources that answered 403. */
  readonly refused: LevelSets = emptyLevelSets();
  /** Resources whose request failed otherwise; they keep their rows. */
  private readonly failed = new Set<string>();
  /** Studies and series whose children were all read. */
  private readonly whole = new Set<string>();
  /** Refused or gone, whatever the level. */
  private readonly blocked = new Set<string>();
  /** Parents learnt from the child lists of the details read. */
  private readonly listedParent = new Map<string, string>();
  private failuresInARow = 0;

  constructor(private readonly context: FetchContext) {}

  /** Whether `id` was asked for already, whatever came back. */
  tried(level: Level, id: string): boolean {
    return (
      this.fetched.has(id) ||
      this.gone[level].has(id) ||
      this.refused[level].has(id) ||
      this.failed.has(id) ||
      this.underBlocked(id)
    );
  }

  /** Fetches the resources of `level` not asked for yet, one each. */
  async fetchLevel(level: Level, ids: Iterable<string>): Promise<void> {
    const todo = this.untried(level, ids);
    const paths = todo.map((id) => ({ id, path: resourcePathOf(level, id) }));
    for await (const answer of this.answers(paths)) {
      const { id, path, body, error } = answer;
      if (error !== undefined) {
        this.fail(level, id, path, error);
        continue;
      }
      try {
        this.keep(level, expectResource(body, path));
        this.failuresInARow = 0;
      } catch (bad) {
        this.fail(level, id, path, bad);
      }
    }
  }

  /** Each resource, then everything under it, a request per level. */
  async fetchSubtrees(
    level: 'studies' | 'series',
    ids: Iterable<string>,
  ): Promise<void> {
    const todo = this.untried(level, ids);
    await this.fetchLevel(level, todo);
    await this.fetchChildren(
      level,
      todo.filter((id) => this.fetched.has(id)),
    );
  }

  /**
   * Instances through their series: for a few at a time, the series
   * (`/instances/{id}/series`), then all of that series' instances. An
   * instance its series does not list is asked for on its own.
   */
  async fetchThroughSeries(ids: Iterable<string>): Promise<void> {
    let pending = this.untried('instances', ids);
    while (pending.length > 0) {
      const wave = pending.slice(0, this.context.concurrency);
      const series = new Set<string>();
      const paths = wave.map((id) => ({
        id,
        path: `${resourcePathOf('instances', id)}/series`,
      }));
      for await (const { id, path, body, error } of this.answers(paths)) {
        if (error !== undefined) {
          this.fail('instances', id, path, error);
          continue;
        }
        try {
          const item = expectResource(body, path);
          const seriesId = item.ID as string;
          if (!this.fetched.has(seriesId)) this.keep('series', item);
          if (!this.underBlocked(seriesId)) series.add(seriesId);
          this.failuresInARow = 0;
        } catch (bad) {
          this.fail('instances', id, path, bad);
        }
      }
      await this.fetchChildren('series', series);
      await this.fetchLevel('instances', this.untried('instances', wave));
      pending = this.untried('instances', pending);
    }
  }

  /** The parents of the resources of `level` among `ids`. */
  parentsOf(level: Level, ids: ReadonlySet<string>): Set<string> {
    const parents = new Set<string>();
    for (const [id, resource] of this.fetched) {
      if (resource.level !== level || !ids.has(id)) continue;
      if (resource.parent !== null) parents.add(resource.parent);
    }
    return parents;
  }

  /**
   * The resources to store: those with no refused or gone resource
   * above them, as far as this sync read the chain; and how many of each
   * level were left out for that reason.
   */
  kept(): { resources: FetchedResource[]; leftOut: Record<Level, number> } {
    const leftOut: Record<Level, number> = {
      patients: 0,
      studies: 0,
      series: 0,
      instances: 0,
    };
    const resources: FetchedResource[] = [];
    for (const level of LEVELS) {
      for (const [id, resource] of this.fetched) {
        if (resource.level !== level) continue;
        if (this.underBlocked(id)) leftOut[level]++;
        else resources.push(resource);
      }
    }
    return { resources, leftOut };
  }

  /** The children of each resource, every level below it. */
  private async fetchChildren(
    level: 'studies' | 'series',
    ids: Iterable<string>,
  ): Promise<void> {
    const below: Level[] =
      level === 'studies' ? ['series', 'instances'] : ['instances'];
    const todo = [...new Set(ids)].filter(
      (id) => !this.whole.has(id) && !this.underBlocked(id),
    );
    const paths = todo.flatMap((id) =>
      below.map((child) => ({
        id,
        path: `${resourcePathOf(level, id)}/${child}`,
      })),
    );
    for await (const { id, path, body, error } of this.answers(paths)) {
      this.whole.add(id);
      if (error !== undefined) {
        // the parent went between its own request and this one
        this.fetched.delete(id);
        this.fail(level, id, path, error);
        continue;
      }
      const child = path.endsWith('/series') ? 'series' : 'instances';
      try {
        for (const item of expectResourceList(body, path)) {
          this.keep(child, item);
        }
        this.failuresInARow = 0;
      } catch (bad) {
        this.fail(level, id, path, bad);
      }
    }
  }

  private untried(level: Level, ids: Iterable<string>): string[] {
    return [...new Set(ids)].filter((id) => !this.tried(level, id));
  }

  /** The answers to `paths`, a bounded number in flight, in order. */
  private async *answers(
    paths: { id: string; path: string }[],
  ): AsyncGenerator<Answer, void, undefined> {
    const read = async ({ id, path }: { id: string; path: string }) => {
      try {
        return { id, path, body: await this.context.get(path) };
      } catch (error) {
        return { id, path, error };
      }
    };
    for await (const settled of mapOrdered(
      paths,
      this.context.concurrency,
      read,
    )) {
      if (!settled.ok) throw settled.error;
      yield settled.value;
    }
  }

  /** Whether a resource above `id`, as far as known, is refused or gone. */
  private underBlocked(id: string): boolean {
    let parent = this.parentOf(id);
    for (let depth = 0; parent !== null && depth < LEVELS.length; depth++) {
      if (this.blocked.has(parent)) return true;
      parent = this.parentOf(parent);
    }
    return false;
  }

  private parentOf(id: string): string | null {
    return this.fetched.get(id)?.parent ?? this.listedParent.get(id) ?? null;
  }

  private keep(level: Level, item: JsonObject): void {
    const id = item.ID as string;
    const key = PARENT_KEY[level];
    const parent = key === null ? null : item[key];
    this.fetched.set(id, {
      level,
      item,
      parent: typeof parent === 'string' ? parent : null,
    });
    const children = item[CHILDREN_KEY[level] ?? ''];
    if (!Array.isArray(children)) return;
    for (const child of children) {
      if (typeof child === 'string') this.listedParent.set(child, id);
    }
  }

  private fail(level: Level, id: string, path: string, error: unknown): void {
    if (error instanceof OrthancError && error.code === 'not_found') {
      this.gone[level].add(id);
      this.blocked.add(id);
    } else if (error instanceof OrthancError && error.code === 'forbidden') {
      this.refused[level].add(id);
      this.blocked.add(id);
    } else {
      const serverTrouble =
        !(error instanceof WarehouseError) || error.code !== 'bad_response';
      if (serverTrouble && ++this.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        throw error;
      }
      this.failed.add(id);
    }
    this.context.skip(level, path, error);
  }
}
