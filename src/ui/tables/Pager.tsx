// Page navigation under a table view.

import { formatCount } from '../common/format';

export function Pager(props: {
  pageIndex: number;
  pageCount: number;
  rowCount: number;
  canPrevious: boolean;
  canNext: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
  onLast: () => void;
}) {
  const pages = Math.max(1, props.pageCount);
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        onClick={props.onFirst}
        disabled={!props.canPrevious}
        aria-label="First page"
      >
        «
      </button>
      <button
        type="button"
        onClick={props.onPrevious}
        disabled={!props.canPrevious}
        aria-label="Previous page"
      >
        ‹
      </button>
      <span className="pager-position">
        Page {formatCount(props.pageIndex + 1)} of {formatCount(pages)} ·{' '}
        {formatCount(props.rowCount)} rows
      </span>
      <button
        type="button"
        onClick={props.onNext}
        disabled={!props.canNext}
        aria-label="Next page"
      >
        ›
      </button>
      <button
        type="button"
        onClick={props.onLast}
        disabled={!props.canNext}
        aria-label="Last page"
      >
        »
      </button>
    </nav>
  );
}
