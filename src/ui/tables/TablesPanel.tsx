// The warehouse's tables, and the one the user opened (kept by the page,
// so that it stays open across tabs and other views can open one).

import { useQuery } from '@tanstack/react-query';

import { useAppStore } from '../../store/appStore';
import { listTables } from '../../warehouse/queries';
import { formatCount } from '../common/format';
import { TableView } from './TableView';

export function TablesPanel({
  selected,
  onSelect,
}: {
  selected: string | null;
  onSelect: (name: string) => void;
}) {
  const version = useAppStore((s) => s.warehouseVersion);
  const tables = useQuery({
    queryKey: ['tables', version],
    queryFn: listTables,
  });

  const list = tables.data ?? [];
  const open = list.some((t) => t.name === selected) ? selected : null;

  return (
    <div className="tables-layout">
      <nav className="table-list" aria-label="Warehouse tables">
        {tables.isSuccess && list.length > 0 && (
          <p className="muted table-count">
            {list.length} {list.length === 1 ? 'table' : 'tables'} in{' '}
            <code>orthanc_data</code>
          </p>
        )}
        {tables.isPending && <p className="muted">Opening the warehouse…</p>}
        {tables.error && (
          <p role="alert" className="error-text">
            {tables.error.message}
          </p>
        )}
        {tables.isSuccess && list.length === 0 && (
          <p className="muted">
            The warehouse is empty. Test the connection, then press Load.
          </p>
        )}
        <ul>
          {list.map((table) => (
            <li key={table.name}>
              <button
                type="button"
                className="table-button"
                aria-current={table.name === open ? 'true' : undefined}
                onClick={() => {
                  onSelect(table.name);
                }}
              >
                <span className="table-name">{table.name}</span>{' '}
                <span className="table-rows">
                  {formatCount(table.rowCount)}{' '}
                  {table.rowCount === 1 ? 'row' : 'rows'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="table-pane">
        {open === null ? (
          list.length > 0 && (
            <p className="muted">Select a table to see its rows.</p>
          )
        ) : (
          <TableView key={open} table={open} version={version} />
        )}
      </div>
    </div>
  );
}
