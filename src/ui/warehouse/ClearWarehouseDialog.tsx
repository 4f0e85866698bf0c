// Asks before the warehouse is deleted, in a modal dialog of the page:
// the browser's own confirm() would block the tab and DuckDB's worker
// with it. Escape or "Cancel" keep everything.

import { useEffect, useId, useRef } from 'react';

export function ClearWarehouseDialog({
  open,
  saved,
  disabled,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  /** Whether a copy saved in this browser is deleted too. */
  saved: boolean;
  /** While a load runs the warehouse is not cleared. */
  disabled: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={headingId}
      onClose={onCancel}
    >
      <h2 id={headingId}>Clear the warehouse?</h2>
      <p>
        Every table in <code>orthanc_data</code> is deleted
        {saved
          ? ', with the copy saved in this browser: a reload stays empty.'
          : ' from this tab.'}{' '}
        The Orthanc server is not touched; load again to fill it.
      </p>
      <div className="actions">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={disabled}
          onClick={onConfirm}
        >
          Delete all tables
        </button>
      </div>
    </dialog>
  );
}
