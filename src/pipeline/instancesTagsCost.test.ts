import { describe, expect, it } from 'vitest';
import type { CapturedResponse } from '../orthanc/replayFetch';
import { loadFixtures } from './fixtures/loadFixtures';
import { instancesTagsCost } from './instancesTagsCost';

describe('instancesTagsCost', () => {
  it('counts one request per series of /statistics', () => {
    const fixtures = loadFixtures('1.12.7');
    const statistics = fixtures.find((f) => f.request === '/statistics');
    const body = statistics?.body as Record<string, number>;
    const cost = instancesTagsCost({
      series: body.CountSeries ?? -1,
      instances: body.CountInstances ?? -1,
    });
    const tagRequests = fixtures.filter((f: CapturedResponse) =>
      /^\/series\/[^/]+\/instances-tags\?full$/.test(f.request),
    );
    // the tag cases' series is captured after the totals
    expect(cost.requests).toBe(tagRequests.length - 1);
    expect(cost.requests).toBe(9);
  });

  it('sizes the answers by the number of instances', () => {
    expect(instancesTagsCost({ series: 168, instances: 427 })).toEqual({
      requests: 168,
      bytes: 4_953_200,
    });
    expect(instancesTagsCost({ series: 0, instances: 0 })).toEqual({
      requests: 0,
      bytes: 0,
    });
  });
});
