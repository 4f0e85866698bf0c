// What a finished load brought: rows per table as the warehouse took
// them, and the notes the crawl left (skipped resources, empty logs...).

import { RESOURCES } from '../../pipeline/resources';
import type { LoadState } from '../../store/loadSlice';
import { formatBytes, formatCount, formatDuration } from '../common/format';

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

  return (
    <div className="load-summary">
      <p>
        Load <code>{summary.loadId}</code>: {formatCount(total)} rows in{' '}
        {rows.length} tables from {formatCount(summary.requests)} requests (
        {formatBytes(summary.bytes)}) in {formatDuration(summary.elapsedMs)}.
      </p>
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
