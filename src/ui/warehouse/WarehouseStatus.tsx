// Where the warehouse lives, in the page's header: saved in this browser
// (with its size), in memory (and why), or not open at all because
// another tab holds it or it could not be restored, with what the user
// can do about it. "Clear warehouse" lives here too.

import { useEffect, useState } from 'react';

import { useAppStore } from '../../store/appStore';
import type { WarehouseStatus as Status } from '../../store/warehouseSlice';
import { OTHER_TAB_MESSAGE } from '../../warehouse/database';
import { formatBytes } from '../common/format';
import { ClearWarehouseDialog } from './ClearWarehouseDialog';

function statusText(status: Status): string {
  switch (status.kind) {
    case 'opening':
      return 'Opening the warehouse…';
    case 'saved':
      return status.bytes === null
        ? 'Saved in this browser'
        : `Saved in this browser · ${formatBytes(status.bytes)}`;
    case 'unsaved':
      return `Not saved: ${status.reason}`;
    case 'memory':
      return `In memory: not saved. ${status.reason}`;
    case 'other-tab':
      return OTHER_TAB_MESSAGE;
    case 'restore-failed':
      return (
        `The saved warehouse could not be restored: ${status.detail}. ` +
        'Press "Clear warehouse" to delete it, then load again.'
      );
    case 'failed':
      return `The warehouse could not start: ${status.message}`;
  }
}

/** States in which the page has no usable warehouse until the user acts. */
const BLOCKED = new Set<Status['kind']>([
  'other-tab',
  'restore-failed',
  'failed',
]);

export function WarehouseStatus() {
  const status = useAppStore((s) => s.warehouseStorage);
  const loading = useAppStore((s) => s.load.status === 'running');
  const { openWarehouse, chooseMemoryWarehouse, retryWarehouse } =
    useAppStore.getState();
  const [confirming, setConfirming] = useState(false);
  const [retried, setRetried] = useState(false);

  useEffect(() => {
    openWarehouse();
  }, [openWarehouse]);

  const blocked = BLOCKED.has(status.kind);
  const canClear =
    status.kind !== 'other-tab' &&
    status.kind !== 'failed' &&
    status.kind !== 'opening';

  return (
    <section
      className={`storage-status${blocked ? ' storage-blocked' : ''}`}
      aria-label="Warehouse storage"
    >
      <p
        role={blocked ? 'alert' : 'status'}
        aria-label="Warehouse storage status"
        data-storage={status.kind}
      >
        {statusText(status)}
        {status.kind === 'other-tab' && retried && ' It is still open there.'}
      </p>
      <div className="actions">
        {status.kind === 'other-tab' && (
          <button
            type="button"
            onClick={() => {
              void chooseMemoryWarehouse();
            }}
          >
            Work here in memory
          </button>
        )}
        {(status.kind === 'other-tab' || status.kind === 'failed') && (
          <button
            type="button"
            onClick={() => {
              setRetried(true);
              void retryWarehouse();
            }}
          >
            Retry
          </button>
        )}
        {canClear && (
          <button
            type="button"
            disabled={loading}
            title={loading ? 'Wait for the load to finish.' : undefined}
            onClick={() => {
              setConfirming(true);
            }}
          >
            Clear warehouse
          </button>
        )}
      </div>
      <ClearWarehouseDialog
        open={confirming}
        saved={status.kind !== 'memory'}
        disabled={loading}
        onCancel={() => {
          setConfirming(false);
        }}
        onConfirm={() => {
          setConfirming(false);
          void useAppStore.getState().clearWarehouse();
        }}
      />
    </section>
  );
}
