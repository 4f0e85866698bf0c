import { describe, expect, it } from 'vitest';

import type { CrawlCheckpoint } from '../../pipeline/crawlCheckpoint';
import type { StagedLoad } from '../../warehouse/stagedLoad';
import { stagedLoadText } from './stagedLoadText';

/** A load of 13 resources that stopped after 6 of its 9 pages. */
function stopped(at: Date): StagedLoad {
  const checkpoint = {
    pages: [
      'patients_detail@0',
      'patients_detail@500',
      'studies_detail@0',
      'studies_detail@500',
      'series_detail@0',
      'series_detail@500',
    ],
    plan: {
      patients_detail: 2,
      studies_detail: 2,
      series_detail: 2,
      instances_detail: 3,
    },
  } as unknown as CrawlCheckpoint;
  return {
    version: 1,
    loadId: '1764856800.000000',
    server: 'https://pacs.example/orthanc',
    startedAt: at.toISOString(),
    savedAt: at.toISOString(),
    stoppedAt: at.toISOString(),
    resources: Array.from({ length: 13 }, (_, i) => `r${i}`),
    pageSize: 500,
    checkpoint,
    staged: [],
  };
}

describe('what the Load panel says of a stopped load', () => {
  it('says when it stopped, how far it came and what it staged', () => {
    const at = new Date(2026, 11, 4, 14, 2);
    expect(stagedLoadText(stopped(at), 12_400, at)).toBe(
      'A load stopped at 14:02 after 3 of 13 resources (6 of 9 pages), ' +
        '12,400 rows staged.',
    );
  });

  it('names the day of a load that stopped on another one', () => {
    const at = new Date(2026, 11, 4, 9, 5);
    // a closed tab: the time of the last progress recorded
    const record: StagedLoad = stopped(at);
    delete record.stoppedAt;
    expect(stagedLoadText(record, 1, new Date(2026, 11, 6, 10, 0))).toBe(
      'A load stopped at 4 Dec 09:05 after 3 of 13 resources (6 of 9 pages), ' +
        '1 row staged.',
    );
  });
});
