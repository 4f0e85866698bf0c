// The warehouse's shape, as dlt's schema explorer shows a dataset: every
// table with its row count, child tables under their parents, the system
// tables after the data, the views apart; and the columns of the one the
// user picks. Read through react-query under the warehouse version, so a
// finished load shows at once.

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { useAppStore } from '../../store/appStore';
import { readWarehouseSchema } from '../../warehouse/readWarehouseSchema';
import type { WarehouseSchema } from '../../warehouse/warehouseSchema';
import { formatCount } from '../common/format';
import { SchemaTree } from './SchemaTree';
import type { TreeEntry } from './SchemaTree';
import { TableDetails } from './TableDetails';
import { ViewDetails } from './ViewDetails';
import './schemaView.css';

const SYSTEM_GROUP = 'System tables';

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function tableEntries(schema: WarehouseSchema): TreeEntry[] {
  return schema.tables.map((table) => ({
    id: table.name,
    parent: table.parent,
    children: table.children,
    depth: table.depth,
    detail: plural(table.rowCount, 'row', 'rows'),
    ...(table.system ? { group: SYSTEM_GROUP } : {}),
  }));
}

function viewEntries(schema: WarehouseSchema): TreeEntry[] {
  return schema.views.map((view) => ({
    id: view.name,
    parent: null,
    children: [],
    depth: 0,
    detail: plural(view.columns.length, 'column', 'columns'),
  }));
}

export function SchemaPanel({
  onOpenTable,
}: {
  onOpenTable: (name: string) => void;
}) {
  const version = useAppStore((s) => s.warehouseVersion);
  const [selected, setSelected] = useState<string | null>(null);
  const schema = useQuery({
    queryKey: ['schema', version],
    queryFn: readWarehouseSchema,
  });

  if (schema.isPending) return <p className="muted">Opening the warehouse…</p>;
  if (schema.isError) {
    return (
      <p role="alert" className="error-text">
        {schema.error.message}
      </p>
    );
  }
  const data = schema.data;
  if (data.tables.length === 0 && data.views.length === 0) {
    return (
      <p className="muted">
        The warehouse is empty. Test the connection, then press Load: the tables
        it fills, their columns and the JSON keys behind them show here.
      </p>
    );
  }

  const table = data.tables.find((t) => t.name === selected);
  const view = data.views.find((v) => v.name === selected);
  return (
    <div className="tables-layout">
      <nav className="schema-nav" aria-label="Schema of orthanc_data">
        <p className="muted table-count">
          {plural(data.tables.length, 'table', 'tables')} and{' '}
          {plural(data.views.length, 'view', 'views')} in{' '}
          <code>orthanc_data</code>
        </p>
        <SchemaTree
          label="Tables in orthanc_data"
          entries={tableEntries(data)}
          selected={table ? selected : null}
          onSelect={setSelected}
        />
        {data.views.length > 0 && (
          <>
            <h4 className="schema-heading">Views</h4>
            <SchemaTree
              label="Views in orthanc_data"
              entries={viewEntries(data)}
              selected={view ? selected : null}
              onSelect={setSelected}
            />
          </>
        )}
      </nav>
      <div className="table-pane">
        {data.storedProblem !== null && (
          <p className="error-text">{data.storedProblem}</p>
        )}
        {data.storedVersion === null && data.storedProblem === null && (
          <p className="muted">
            No stored schema in <code>_dlt_version</code> yet: the JSON keys,
            write dispositions and primary keys show once a load records them.
          </p>
        )}
        {table && <TableDetails table={table} onOpen={onOpenTable} />}
        {view && <ViewDetails view={view} />}
        {!table && !view && (
          <p className="muted">Select a table to see its columns.</p>
        )}
      </div>
    </div>
  );
}
