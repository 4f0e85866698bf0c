// What the Load panel says of a load that stopped and can be resumed.

import { checkpointProgress } from '../../pipeline/crawlCheckpoint';
import type { StagedLoad } from '../../warehouse/stagedLoad';
import { formatCount } from '../common/format';

function plural(n: number, one: string): string {
  return `${formatCount(n)} ${n === 1 ? one : `${one}s`}`;
}

/** The time of day, with the date when it was not `now`'s day. */
function when(iso: string, now: Date): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
  });
  if (at.toDateString() === now.toDateString()) return time;
  return `${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
}

/** "A load stopped at 14:02 after 2 of 13 resources (…), N rows staged." */
export function stagedLoadText(
  record: StagedLoad,
  rows: number,
  now = new Date(),
): string {
  const progress = checkpointProgress(record.checkpoint);
  return (
    `A load stopped at ${when(record.stoppedAt ?? record.savedAt, now)} ` +
    `after ${formatCount(progress.resourcesDone)} of ` +
    `${plural(record.resources.length, 'resource')} ` +
    `(${formatCount(progress.pagesDone)} of ` +
    `${plural(progress.pagesPlanned, 'page')}), ` +
    `${plural(rows, 'row')} staged.`
  );
}
