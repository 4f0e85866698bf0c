// A full load that stopped (failed, or its tab closed) and left its rows
// staged: what it fetched, and Resume or Discard. Resume goes on under the
// same load id against the same server only; another server's staged
// load can only be discarded. Load and Sync discard it too.

import { useQuery, useQueryClient } from '@tanstack/react-query';

import { useAppStore } from '../../store/appStore';
import { resumeRefusal } from '../../warehouse/stagedLoad';
import {
  discardStagedLoad,
  stagedLoadInfo,
} from '../../warehouse/stagedLoadInfo';
import { stagedLoadText } from './stagedLoadText';

export function StagedLoadNotice() {
  const status = useAppStore((s) => s.load.status);
  const version = useAppStore((s) => s.warehouseVersion);
  const connected = useAppStore((s) => s.serverInfo !== null);
  // the URL as typed now: a staged load of another server is refused
  useAppStore((s) => s.url);
  const { connection, resumeLoad } = useAppStore.getState();
  const queryClient = useQueryClient();
  const running = status === 'running';
  const staged = useQuery({
    queryKey: ['stagedLoad', version, status],
    queryFn: stagedLoadInfo,
    enabled: !running,
  });
  if (running || !staged.data) return null;

  const { record, rows } = staged.data;
  const refusal = resumeRefusal(record, connection().baseUrl);
  const discard = async () => {
    await discardStagedLoad();
    await queryClient.invalidateQueries({ queryKey: ['stagedLoad'] });
  };

  return (
    <div className="staged-load" role="region" aria-label="Stopped load">
      <p>{stagedLoadText(record, rows)}</p>
      <p className="muted">
        {record.error === undefined
          ? 'The page was closed or reloaded while it ran.'
          : `It failed: ${record.error}`}{' '}
        The tables are as before it. Resume fetches only what is missing and
        commits the whole load; Load or Sync starts afresh and discards it.
      </p>
      {refusal !== null && (
        <p role="alert" className="error-text">
          {refusal}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={!connected || refusal !== null}
          title={connected ? undefined : 'Test the connection first'}
          onClick={() => {
            void resumeLoad(record);
          }}
        >
          Resume
        </button>
        <button
          type="button"
          onClick={() => {
            void discard();
          }}
        >
          Discard
        </button>
      </div>
    </div>
  );
}
