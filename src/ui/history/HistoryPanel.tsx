// Every load and sync the warehouse has seen, newest first, as dlt's load
// info tells them: when, how long, how it ended, what it cost in
// requests, and the rows it added, changed and removed, table by table
// once a row is opened. The list is read again when a load ends (its id
// and status are in the key) and whenever the warehouse changes.

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { useAppStore } from '../../store/appStore';
import { readLoadHistory } from '../../warehouse/loadHistory';
import type { LoadHistoryEntry } from '../../warehouse/loadHistory';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
} from '../common/format';
import { LoadTablesRow } from './LoadTablesRow';

const COLUMNS = [
  'Load',
  'Kind',
  'Started',
  'Duration',
  'Status',
  'Requests',
  'Bytes',
  'Retries',
  'Added',
  'Changed',
  'Removed',
  'Errors',
  'Message',
];
/** The columns that hold numbers, right-aligned. */
const NUMBERS = new Set([3, 5, 6, 7, 8, 9, 10, 11]);

export function HistoryPanel() {
  const version = useAppStore((s) => s.warehouseVersion);
  const loadId = useAppStore((s) => s.load.loadId);
  const status = useAppStore((s) => s.load.status);
  const history = useQuery({
    queryKey: ['loadHistory', version, loadId, status],
    queryFn: readLoadHistory,
  });
  const loads = history.data ?? [];

  return (
    <div className="history">
      <p className="muted">
        Every load and sync, completed, failed or cancelled; also in SQL as{' '}
        <code>orthanc_history.loads</code> and{' '}
        <code>orthanc_history.load_tables</code>.
      </p>
      {history.isPending && <p className="muted">Opening the warehouse…</p>}
      {history.error && (
        <p role="alert" className="error-text">
          {history.error.message}
        </p>
      )}
      {history.isSuccess && loads.length === 0 && (
        <p className="muted">No load yet.</p>
      )}
      {loads.length > 0 && (
        <div className="history-scroll">
          <table className="compact history-table" aria-label="Load history">
            <thead>
              <tr>
                <th scope="col" aria-label="Tables" />
                {COLUMNS.map((name, i) => (
                  <th
                    key={name}
                    scope="col"
                    className={NUMBERS.has(i) ? 'number' : undefined}
                  >
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {loads.map((load) => (
                <HistoryRow key={load.loadId} load={load} version={version} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function HistoryRow({
  load,
  version,
}: {
  load: LoadHistoryEntry;
  version: number;
}) {
  const [open, setOpen] = useState(false);
  const cells = [
    load.kind,
    formatDateTime(load.startedAt),
    formatDuration(load.durationMs),
    load.status,
    formatCount(load.requests),
    formatBytes(load.bytes),
    formatCount(load.retries),
    formatCount(load.added),
    formatCount(load.changed),
    formatCount(load.removed),
    formatCount(load.crawlErrors),
    load.message ?? '',
  ];
  return (
    <>
      <tr className="history-load" data-status={load.status}>
        <td>
          <button
            type="button"
            className="history-toggle"
            aria-expanded={open}
            aria-label={`Tables of load ${load.loadId}`}
            onClick={() => {
              setOpen(!open);
            }}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <td>
          <code>{load.loadId}</code>
        </td>
        {cells.map((cell, i) => (
          <td key={i} className={NUMBERS.has(i + 1) ? 'number' : undefined}>
            {cell}
          </td>
        ))}
      </tr>
      {open && (
        <LoadTablesRow
          loadId={load.loadId}
          completed={load.status === 'completed'}
          span={COLUMNS.length + 1}
          version={version}
        />
      )}
    </>
  );
}
