// One table, 50 rows at a time. TanStack Table holds the sorting and
// paging state and the header and row models; the rows themselves come
// from SQL (ORDER BY ... LIMIT ... OFFSET), fetched through react-query,
// so sorting applies to the whole table and not just the page shown.

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  createColumnHelper,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import type { PaginationState, SortingState } from '@tanstack/react-table';
import { useMemo, useState } from 'react';

import type { DisplayValue } from '../../warehouse/displayValue';
import { exportTable } from '../../warehouse/exportParquet';
import { STABLE_COLUMN, tablePage } from '../../warehouse/queries';
import type { ColumnInfo } from '../../warehouse/queries';
import { DownloadParquetButton } from '../common/DownloadParquetButton';
import { ValueText } from '../common/ValueText';
import { Pager } from './Pager';
import './tableView.css';

const PAGE_SIZE = 50;

const features = tableFeatures({ rowSortingFeature, rowPaginationFeature });
const define = createColumnHelper<typeof features, DisplayValue[]>();
const noRows: DisplayValue[][] = [];
const noColumns: ColumnInfo[] = [];

function columnsFor(columns: ColumnInfo[]) {
  return define.columns(
    columns.map((column, index) =>
      define.accessor((row) => row[index] ?? null, {
        id: column.name,
        header: column.name,
        cell: (context) => <ValueText value={context.getValue()} />,
      }),
    ),
  );
}

const UNSTABLE_ROW =
  'Not stable yet: Orthanc may still be receiving instances of it.';

/**
 * Orthanc calls a resource stable once no instance has arrived for it
 * during StableAge (60 s by default): until then its children, counts and
 * LastUpdate may still change, and what the warehouse holds of it is a
 * snapshot (C06).
 */
function unstableNote(unstable: number, rows: number): string {
  const which = unstable === rows ? 'All' : `${unstable} of ${rows}`;
  return (
    `${which} rows are not stable yet (marked): Orthanc may still be ` +
    'receiving their instances, so their children and counts can change. ' +
    'Load or sync again once they are stable.'
  );
}

export function TableView({
  table,
  version,
}: {
  table: string;
  version: number;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const [pagination, setPagination] = useState<PaginationState>({
    pageIndex: 0,
    pageSize: PAGE_SIZE,
  });
  const sort = sorting[0];

  const page = useQuery({
    queryKey: ['table-page', table, version, pagination, sort],
    queryFn: () =>
      tablePage({
        table,
        pageIndex: pagination.pageIndex,
        pageSize: pagination.pageSize,
        sort: sort && { column: sort.id, desc: sort.desc },
      }),
    placeholderData: keepPreviousData,
  });

  const columnInfo = page.data?.columns ?? noColumns;
  const columns = useMemo(() => columnsFor(columnInfo), [columnInfo]);
  const types = useMemo(
    () => new Map(columnInfo.map((c) => [c.name, c.type])),
    [columnInfo],
  );
  const stableIndex = columnInfo.findIndex(
    (c) => c.name === STABLE_COLUMN && c.type === 'BOOLEAN',
  );
  const unstable = page.data?.unstableCount ?? 0;

  const view = useTable({
    features,
    columns,
    data: page.data?.rows ?? noRows,
    rowCount: page.data?.rowCount ?? 0,
    state: { sorting, pagination },
    onSortingChange: (updater) => {
      setSorting(updater);
      // A new order starts again at its first page.
      setPagination((p) => ({ ...p, pageIndex: 0 }));
    },
    onPaginationChange: setPagination,
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    sortDescFirst: false,
  });

  return (
    <section className="table-view" aria-labelledby="table-view-heading">
      <header className="table-view-header">
        <h3 id="table-view-heading">{table}</h3>
        <DownloadParquetButton write={() => exportTable(table)} />
      </header>
      {page.error && (
        <p role="alert" className="error-text">
          {page.error.message}
        </p>
      )}
      {unstable > 0 && (
        <p className="table-note" role="note">
          {unstableNote(unstable, page.data?.rowCount ?? 0)}
        </p>
      )}
      <div className="grid-scroll" aria-busy={page.isFetching}>
        <table className="grid" aria-label={`Rows of ${table}`}>
          <thead>
            {view.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const toggle = header.column.getToggleSortingHandler();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={
                        sorted === 'asc'
                          ? 'ascending'
                          : sorted === 'desc'
                            ? 'descending'
                            : undefined
                      }
                    >
                      <button
                        type="button"
                        className="sort-button"
                        title={`Sort by ${header.column.id}`}
                        onClick={toggle}
                      >
                        <view.FlexRender header={header} />
                        <span className="sort-mark" aria-hidden="true">
                          {sorted === 'asc'
                            ? '▲'
                            : sorted === 'desc'
                              ? '▼'
                              : ''}
                        </span>
                      </button>
                      <span className="column-type">
                        {types.get(header.column.id)}
                      </span>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {view.getRowModel().rows.map((row) => (
              <tr
                key={row.id}
                {...(stableIndex >= 0 &&
                  row.original[stableIndex] === 'false' && {
                    className: 'row-unstable',
                    title: UNSTABLE_ROW,
                  })}
              >
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <view.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        pageIndex={pagination.pageIndex}
        pageCount={view.getPageCount()}
        rowCount={page.data?.rowCount ?? 0}
        canPrevious={view.getCanPreviousPage()}
        canNext={view.getCanNextPage()}
        onFirst={() => {
          view.firstPage();
        }}
        onPrevious={() => {
          view.previousPage();
        }}
        onNext={() => {
          view.nextPage();
        }}
        onLast={() => {
          view.lastPage();
        }}
      />
    </section>
  );
}
