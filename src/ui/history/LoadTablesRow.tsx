// One load of the history, opened: the rows it added, changed and removed
// in each table, read when the row is opened rather than for every load.

import { useQuery } from '@tanstack/react-query';

import { readLoadTables } from '../../warehouse/loadHistory';
import { formatCount } from '../common/format';

export function LoadTablesRow({
  loadId,
  completed,
  span,
  version,
}: {
  loadId: string;
  completed: boolean;
  span: number;
  version: number;
}) {
  const tables = useQuery({
    queryKey: ['loadTables', version, loadId],
    queryFn: () => readLoadTables(loadId),
    enabled: completed,
  });

  let content;
  if (!completed) {
    content = <p className="muted">Nothing from this load was kept.</p>;
  } else if (tables.error) {
    content = (
      <p role="alert" className="error-text">
        {tables.error.message}
      </p>
    );
  } else if (tables.data === undefined) {
    content = <p className="muted">Reading…</p>;
  } else {
    content = (
      <table className="compact" aria-label={`Tables of load ${loadId}`}>
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col" className="number">
              Added
            </th>
            <th scope="col" className="number">
              Changed
            </th>
            <th scope="col" className="number">
              Removed
            </th>
          </tr>
        </thead>
        <tbody>
          {tables.data.map((table) => (
            <tr key={table.table}>
              <td>{table.table}</td>
              <td className="number">{formatCount(table.added)}</td>
              <td className="number">{formatCount(table.changed)}</td>
              <td className="number">{formatCount(table.removed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <tr className="history-tables">
      <td />
      <td colSpan={span - 1}>{content}</td>
    </tr>
  );
}
