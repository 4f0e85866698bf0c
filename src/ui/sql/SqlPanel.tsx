// The SQL view: any statement DuckDB accepts, against the whole warehouse.
// The first rows of a result are shown (the page says when there are
// more); "Download Parquet" writes the whole result of the last query.

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { KeyboardEvent } from 'react';

import { useAppStore } from '../../store/appStore';
import { exportQuery } from '../../warehouse/exportParquet';
import { runSql } from '../../warehouse/queries';
import { DownloadParquetButton } from '../common/DownloadParquetButton';
import { formatCount, formatDuration } from '../common/format';
import { ResultTable } from './ResultTable';

const MAX_ROWS = 1000;

const EXAMPLE = `SELECT table_name, estimated_size
FROM duckdb_tables()
WHERE schema_name = 'orthanc_data'
ORDER BY table_name`;

/** Statements that only read; anything else may have changed tables. */
const READ_ONLY =
  /^\s*(select|with|from|values|table|describe|show|explain|summarize)\b/i;

export function SqlPanel() {
  const [sql, setSql] = useState(EXAMPLE);
  const warehouseChanged = useAppStore((s) => s.warehouseChanged);
  const run = useMutation({
    mutationFn: (text: string) => runSql(text, MAX_ROWS),
    onSuccess: (_result, text) => {
      if (!READ_ONLY.test(text)) warehouseChanged();
    },
  });
  const ranSql = run.variables;

  const submit = () => {
    if (sql.trim() !== '' && !run.isPending) run.mutate(sql);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <div className="sql-view">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span>SQL query</span>
          <textarea
            className="sql-input"
            rows={6}
            spellCheck={false}
            value={sql}
            onChange={(e) => {
              setSql(e.target.value);
            }}
            onKeyDown={onKeyDown}
          />
        </label>
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={run.isPending || sql.trim() === ''}
          >
            Run query
          </button>
          <span className="muted">Ctrl+Enter runs the query.</span>
          {run.isPending && <span className="muted">Running…</span>}
        </div>
      </form>

      {run.error && (
        <p role="alert" className="error-text sql-error">
          {run.error.message}
        </p>
      )}

      {run.data && ranSql !== undefined && (
        // data-run tells one run's result from the last one's, which
        // stays on screen until the new one is drawn
        <div className="sql-result" data-run={run.submittedAt}>
          <div className="result-bar">
            <span>
              {run.data.truncated
                ? `Showing the first ${formatCount(run.data.rows.length)} rows; the result has more.`
                : `${formatCount(run.data.rows.length)} ${run.data.rows.length === 1 ? 'row' : 'rows'}`}{' '}
              · {formatDuration(run.data.elapsedMs)}
            </span>
            {run.data.columns.length > 0 && (
              <DownloadParquetButton write={() => exportQuery(ranSql)} />
            )}
          </div>
          <ResultTable result={run.data} />
        </div>
      )}
    </div>
  );
}
