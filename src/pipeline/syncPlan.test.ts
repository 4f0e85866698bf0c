// The sync's decisions on answers captured from real servers: a first
// load, then 8 new instances (one in an existing series, the rest a new
// patient), a deleted series and a metadata change (see
// scripts/captureSyncFixtures.ts).

import { describe, expect, it } from 'vitest';

import type { JsonObject } from '../orthanc/guards';
import {
  bodyOf,
  loadSyncFixtures,
  SYNC_VERSIONS,
} from './fixtures/loadSyncFixtures';
import {
  diffListing,
  type HeldResource,
  needsListing,
  planRefetch,
} from './syncPlan';

interface LogPage {
  Changes: JsonObject[];
  Last: number;
}

interface Stats {
  CountPatients: number;
  CountStudies: number;
  CountSeries: number;
  CountInstances: number;
}

type Fixtures = ReturnType<typeof loadSyncFixtures>;

/** The entries after the first load's last one, read as a sync does. */
function changesAfter(before: Fixtures, after: Fixtures) {
  const since = (bodyOf(before, '/changes?last') as LogPage).Last;
  const stop = (bodyOf(after, '/changes?last') as LogPage).Last;
  const entries = new Map<number, JsonObject>();
  for (let next = since; next < stop;) {
    const page = bodyOf(after, `/changes?since=${next}&limit=5`) as LogPage;
    for (const entry of page.Changes) entries.set(entry.Seq as number, entry);
    next = Math.max(...page.Changes.map((entry) => entry.Seq as number));
  }
  return { since, stop, changes: [...entries.values()] };
}

function diff(before: string[], after: string[]) {
  return {
    added: after.filter((id) => !before.includes(id)).sort(),
    gone: before.filter((id) => !after.includes(id)).sort(),
  };
}

describe.each(SYNC_VERSIONS)('sync plan, Orthanc %s', (version) => {
  const before = loadSyncFixtures(version, 'before');
  const after = loadSyncFixtures(version, 'after');
  const ids = (phase: typeof before, level: string) =>
    bodyOf(phase, `/${level}`) as string[];

  it('refetches what the log names and climbs from what it created', () => {
    const { since, stop, changes } = changesAfter(before, after);
    expect(stop).toBeGreaterThan(since);
    const plan = planRefetch(changes);

    const instances = diff(ids(before, 'instances'), ids(after, 'instances'));
    const series = diff(ids(before, 'series'), ids(after, 'series'));
    const studies = diff(ids(before, 'studies'), ids(after, 'studies'));
    const patients = diff(ids(before, 'patients'), ids(after, 'patients'));
    expect(instances.added).toHaveLength(8);
    expect(series.added).toHaveLength(3);
    expect(series.gone).toHaveLength(1);

    // what the log created is exactly what appeared
    expect([...plan.created.instances].sort()).toEqual(instances.added);
    expect([...plan.created.series].sort()).toEqual(series.added);
    expect([...plan.created.studies].sort()).toEqual(studies.added);
    expect([...plan.created.patients].sort()).toEqual(patients.added);
    // a deleted resource leaves nothing in the log
    for (const id of series.gone) {
      expect(plan.refetch.series.has(id)).toBe(false);
    }

    // new instances, series and studies climb; a new patient has no parent
    for (const id of [...instances.added, ...series.added, ...studies.added]) {
      expect(plan.climb.has(id)).toBe(true);
    }
    for (const id of patients.added) expect(plan.climb.has(id)).toBe(false);

    // the study whose metadata changed is read again, without climbing
    const metadata = changes.filter((c) => c.ChangeType === 'UpdatedMetadata');
    expect(metadata).toHaveLength(1);
    const study = String(metadata[0]?.ID);
    expect(plan.refetch.studies.has(study)).toBe(true);
    expect(studies.added).not.toContain(study);

    // tags: the new series, and the series of every new instance
    expect([...plan.tagSeries].sort()).toEqual(series.added);
    expect([...plan.tagInstances].sort()).toEqual(instances.added);
    expect(plan.byType.NewInstance).toBe(8);
    expect(plan.byType.UpdatedMetadata).toBe(1);
  });

  it('lists only the level whose count the log does not explain', () => {
    const { changes } = changesAfter(before, after);
    const plan = planRefetch(changes);
    const held = bodyOf(before, '/statistics') as Stats;
    const server = bodyOf(after, '/statistics') as Stats;
    const level = (
      key: keyof Stats,
      created: Set<string>,
      removed: number,
    ) => ({
      held: held[key],
      server: server[key],
      created: created.size,
      removed,
    });

    expect(needsListing(level('CountPatients', plan.created.patients, 0))).toBe(
      false,
    );
    expect(needsListing(level('CountStudies', plan.created.studies, 0))).toBe(
      false,
    );
    // a series went without a trace in the log: only a listing finds it
    expect(needsListing(level('CountSeries', plan.created.series, 0))).toBe(
      true,
    );
    // its two instances are known gone with it: no listing of instances
    expect(
      needsListing(level('CountInstances', plan.created.instances, 2)),
    ).toBe(false);
    expect(
      needsListing(level('CountInstances', plan.created.instances, 0)),
    ).toBe(true);
  });

  it('tells the deleted series from the listing', () => {
    const held: HeldResource[] = (
      bodyOf(before, '/series?expand&since=0&limit=5') as JsonObject[]
    )
      .concat(bodyOf(before, '/series?expand&since=5&limit=5') as JsonObject[])
      .map((s) => ({ id: String(s.ID), parent: String(s.ParentStudy) }));
    const listed = new Set(ids(after, 'series'));
    const created = new Set(diff(ids(before, 'series'), [...listed]).added);

    const result = diffListing(held, listed, created);
    expect(result.vanished).toEqual(
      diff(ids(before, 'series'), ids(after, 'series')).gone,
    );
    expect(result.missing).toEqual([]);
    // a listed series neither held nor announced is to be fetched
    const partial = diffListing(held, listed, new Set());
    expect(partial.missing.sort()).toEqual([...created].sort());
  });
});
