// One view of the dataset: a query over the tables, so it has columns and
// their DuckDB types but no keys, rows of its own or load to write it.

import type { SchemaView } from '../../warehouse/warehouseSchema';

export function ViewDetails({ view }: { view: SchemaView }) {
  return (
    <section className="schema-details" aria-labelledby="schema-view-heading">
      <header className="table-view-header">
        <h3 id="schema-view-heading">{view.name}</h3>
        <span className="muted">view</span>
      </header>
      <div className="grid-scroll">
        <table
          className="grid schema-columns"
          aria-label={`Columns of ${view.name}`}
        >
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {view.columns.map((column) => (
              <tr key={column.name}>
                <td>{column.name}</td>
                <td>{column.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
