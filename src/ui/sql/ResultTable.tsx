// A query result as a plain HTML table: at most a thousand rows, already
// turned into display strings by the warehouse.

import type { SqlResult } from '../../warehouse/queries';
import { ValueText } from '../common/ValueText';

export function ResultTable({ result }: { result: SqlResult }) {
  return (
    <div className="grid-scroll">
      <table className="grid" aria-label="Query result">
        <thead>
          <tr>
            {result.columns.map((column, i) => (
              <th key={i} scope="col">
                {column.name}
                <span className="column-type">{column.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, r) => (
            <tr key={r}>
              {row.map((value, c) => (
                <td key={c}>
                  <ValueText value={value} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
