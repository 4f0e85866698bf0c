// One warehouse value on the page. Values from DICOM are data: they are
// rendered as text nodes (React escapes them), NULL is marked apart from
// an empty string, and a very long value is cut for display only; the
// warehouse and its exports keep it whole.

import type { DisplayValue } from '../../warehouse/displayValue';

const SHOWN_CHARS = 300;

export function ValueText({ value }: { value: DisplayValue }) {
  if (value === null) return <span className="value-null">NULL</span>;
  if (value.length <= SHOWN_CHARS) return <>{value}</>;
  return (
    <span title={`${value.length.toLocaleString('en-US')} characters`}>
      {value.slice(0, SHOWN_CHARS)}
      <span className="value-cut">…</span>
    </span>
  );
}
