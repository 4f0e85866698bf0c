// What a finished load brought: rows per table as the warehouse took
// them, and the notes the crawl left (skipped resources, empty logs...);
// for a sync, also what it read, fetched again and removed.

import type { LoadSummary } from '../../crawl/protocol';
import { RESOURCES } from '../../pipeline/resources';
import type { LoadState } from '../../store/loadSlice';
import { formatBytes, formatCount, formatDuration } from '../common/format';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function SyncLine({
  sync,
  removedRows,
}: {
  sync: NonNullable<LoadSummary['sync']>;
  removedRows: number;
}) {
  if (sync.reset) {
    return (
      <p className="sync-report">
        The change log was reset (it ends at Seq {formatCount(sync.to)}, below
        the {formatCount(sync.from)} read before): a full load ran instead.
      </p>
    );
  }
  return (
    <p className="sync-report">
      Sync after Seq {formatCount(sync.from)} up to {formatCount(sync.to)}:{' '}
      {plural(sync.changes, 'change')} read,{' '}
      {plural(sync.refetched, 'resource')} fetched again,{' '}
      {plural(sync.removed, 'deleted resource')} removed (
      {plural(removedRows, 'row')}).
      {sync.listed.length > 0 && ` IDs listed for: ${sync.listed.join(', ')}.`}
      {sync.arrived > 0 &&
        ` ${plural(sync.arrived, 'change')} arrived during the sync.`}
    </p>
  );
}

export function LoadSummaryView({ load }: { load: LoadState }) {
  const summary = load.summary;
  const rows = Object.entries(load.committedRows ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  if (summary === null) return null;
  const left = RESOURCES.map((r) => r.name).filter(
    (name) => !summary.resources.includes(name),
  );
  const removedRows = Object.values(load.removedRows ?? {}).reduce(
    (sum, n) => sum + n,
    0,
  );
  const what = summary.sync && !summary.sync.reset ? 'Sync' : 'Load';

  return (
    <div className="load-summary">
      <p>
        {what} <code>{summary.loadId}</code>: {formatCount(total)} rows in{' '}
        {rows.length} tables from {formatCount(summary.requests)} requests (
        {formatBytes(summary.bytes)}
        {summary.retries > 0 &&
          `, ${plural(summary.retries, 'retry', 'retries')}`}
        ) in {formatDuration(summary.elapsedMs)}.
      </p>
      {summary.sync && (
        <SyncLine sync={summary.sync} removedRows={removedRows} />
      )}
      <p className="load-resources">
        Resources: {summary.resources.join(', ')}.
        {left.length > 0 &&
          ` Not in this load, their tables left as they were: ${left.join(', ')}.`}
      </p>
      <details>
        <summary>Rows per table</summary>
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col" className="number">
                Rows
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([table, n]) => (
              <tr key={table}>
                <td>{table}</td>
                <td className="number">{formatCount(n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {summary.notes.length > 0 && (
        <ul className="notes">
          {summary.notes.map((note, i) => (
            <li key={i}>
              <code>{note.table}</code>: {note.note}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
