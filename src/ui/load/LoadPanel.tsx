// Starting, following and cancelling a load, or a sync of what the last
// load read. The progress bar has no end while the crawl runs (how many
// rows a server yields is only known once it has been read), so it shows
// activity, and the line under it counts. Sync is offered once the
// warehouse holds a load that read the change log.

import { useQuery } from '@tanstack/react-query';

import { useAppStore } from '../../store/appStore';
import type { LoadState } from '../../store/loadSlice';
import { readSyncStart } from '../../warehouse/heldResources';
import { formatCount, formatDuration, formatRate } from '../common/format';
import { LoadSummaryView } from './LoadSummaryView';
import { ResourcePicker } from './ResourcePicker';
import { StagedLoadNotice } from './StagedLoadNotice';

/** `held`: the warehouse holds loads from before this page opened. */
function statusText(load: LoadState, held: boolean): string {
  switch (load.status) {
    case 'idle':
      return held
        ? 'Nothing running; the warehouse holds earlier loads (see History).'
        : 'No load yet.';
    case 'running':
      return load.progress
        ? `Running: ${load.progress.stage}`
        : 'Running: starting…';
    case 'done':
      return `Done: the warehouse holds this ${load.kind}.`;
    case 'failed':
      if (load.staged) {
        return 'Failed: the tables are as before; what it fetched is staged for Resume.';
      }
      return load.kind === 'sync'
        ? 'Failed: nothing from this sync was kept; run Sync again.'
        : `Failed: nothing from this ${load.kind} was kept.`;
    case 'cancelled':
      return `Cancelled: nothing from this ${load.kind} was kept.`;
  }
}

export function LoadPanel() {
  const load = useAppStore((s) => s.load);
  const connected = useAppStore((s) => s.serverInfo !== null);
  const picked = useAppStore((s) => s.selectedResources.length > 0);
  const version = useAppStore((s) => s.warehouseVersion);
  const { startLoad, startSync, cancelLoad } = useAppStore.getState();
  const running = load.status === 'running';
  const progress = load.progress;
  const syncStart = useQuery({
    queryKey: ['syncStart', version],
    queryFn: readSyncStart,
  });
  const canSync = syncStart.data != null;

  return (
    <section className="card" aria-labelledby="load-heading">
      <h2 id="load-heading">Load</h2>
      <p className="muted">
        Reads the resources picked below from the server into the in-browser
        warehouse (schema <code>orthanc_data</code>).
      </p>
      <ResourcePicker disabled={running} />
      {!picked && (
        <p role="alert" className="error-text">
          Pick at least one resource to load.
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!connected || running || !picked}
          onClick={() => {
            void startLoad();
          }}
        >
          Load
        </button>
        <button
          type="button"
          disabled={!connected || running || !canSync}
          title={
            canSync
              ? 'Reads what changed on the server since the last load'
              : 'Needs a load that read the change log first'
          }
          onClick={() => {
            void startSync();
          }}
        >
          Sync
        </button>
        {running && (
          <button
            type="button"
            title="Stops, and discards what was fetched"
            onClick={cancelLoad}
          >
            Cancel
          </button>
        )}
      </div>
      <StagedLoadNotice />
      {!connected && load.status === 'idle' && (
        <p className="muted">Test the connection first.</p>
      )}
      {syncStart.data && (
        <p className="muted sync-resources">
          Sync reads the change log after Seq{' '}
          {formatCount(syncStart.data.start.since)} and refreshes{' '}
          {syncStart.data.resources.join(', ')}.
        </p>
      )}

      <div className="load-progress">
        <progress
          aria-label="Load progress"
          {...(running ? {} : { value: load.status === 'done' ? 1 : 0 })}
          max={1}
        />
        <p role="status" aria-label="Load status" className="load-status">
          {statusText(load, canSync)}
        </p>
        {progress && (
          <p className="load-counts">
            {formatCount(progress.requests)} requests ·{' '}
            {formatCount(progress.rows)} rows ·{' '}
            {formatRate(progress.rows, progress.elapsedMs)} rows/s ·{' '}
            {formatDuration(progress.elapsedMs)}
          </p>
        )}
      </div>

      {load.status === 'failed' && load.error !== null && (
        <p role="alert" className="error-text">
          {load.error}
        </p>
      )}
      {load.status === 'done' && <LoadSummaryView load={load} />}
      {load.warnings.length > 0 && (
        <details className="warnings">
          <summary>
            {load.warnings.length === 1
              ? '1 warning'
              : `${load.warnings.length} warnings`}
          </summary>
          <ul>
            {load.warnings.map((warning, i) => (
              <li key={i}>{warning}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
