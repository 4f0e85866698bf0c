// One table of the schema: how many rows, how a load writes it, what
// identifies a row, how a child row finds its parent, and its columns.
// What only the stored schema knows says so when there is none.

import type { SchemaTable } from '../../warehouse/warehouseSchema';
import { formatCount } from '../common/format';
import { ColumnsTable, keyPath } from './ColumnsTable';

const NOT_RECORDED = 'not recorded';

function ParentLink({ table }: { table: SchemaTable }) {
  const has = (name: string) => table.columns.some((c) => c.name === name);
  if (table.parent === null) return null;
  return (
    <>
      <dt>Parent</dt>
      <dd>
        <code>{table.parent}</code>
        {table.listPath !== null && (
          <>, the list {keyPath(table.listPath)} of each row</>
        )}
      </dd>
      <dt>Parent link</dt>
      <dd>
        <ul className="schema-links">
          {has('_dlt_parent_id') && (
            <li>
              <code>_dlt_parent_id</code> = <code>{table.parent}._dlt_id</code>
            </li>
          )}
          {has('_dlt_list_idx') && (
            <li>
              <code>_dlt_list_idx</code>: the position in the list
            </li>
          )}
          {has('_dlt_root_id') && (
            <li>
              <code>_dlt_root_id</code> = <code>{table.root}._dlt_id</code>
            </li>
          )}
        </ul>
      </dd>
    </>
  );
}

export function TableDetails({
  table,
  onOpen,
}: {
  table: SchemaTable;
  onOpen: (name: string) => void;
}) {
  const primaryKey =
    table.primaryKey === null
      ? NOT_RECORDED
      : table.primaryKey.length === 0
        ? 'none'
        : table.primaryKey.join(', ');
  return (
    <section className="schema-details" aria-labelledby="schema-table-heading">
      <header className="table-view-header">
        <h3 id="schema-table-heading">{table.name}</h3>
        <button
          type="button"
          onClick={() => {
            onOpen(table.name);
          }}
        >
          Open in Tables
        </button>
      </header>
      <dl className="schema-facts">
        <dt>Rows</dt>
        <dd>{formatCount(table.rowCount)}</dd>
        <dt>Write disposition</dt>
        <dd>{table.disposition ?? NOT_RECORDED}</dd>
        <dt>Primary key</dt>
        <dd>{primaryKey}</dd>
        <ParentLink table={table} />
      </dl>
      <ColumnsTable table={table.name} columns={table.columns} />
    </section>
  );
}
