// The columns of one table: name, DuckDB type, the JSON keys the values
// came from, and a mark where the name is not what those keys alone would
// give: a variant column, or a name made distinct because another key had
// it first. Names, keys and types are data: text nodes only.

import type { SchemaColumn } from '../../warehouse/warehouseSchema';

/** How a reader sees a key path: `MainDicomTags › StudyDate`. */
export function keyPath(source: readonly string[]): string {
  return source.join(' › ');
}

function KeysCell({ column }: { column: SchemaColumn }) {
  if (column.source !== null) return <>{keyPath(column.source)}</>;
  const own = column.name.startsWith('_dlt_');
  return (
    <span className="muted">{own ? 'added by the load' : 'not recorded'}</span>
  );
}

function Marks({
  column,
  columns,
}: {
  column: SchemaColumn;
  columns: readonly SchemaColumn[];
}) {
  const holder = columns.find((c) => c.name === column.plainName);
  const sameKeys = (c: SchemaColumn) =>
    c.source !== null && keyPath(c.source) === keyPath(column.source ?? []);
  const base = columns.find((c) => !c.variant && sameKeys(c));
  return (
    <>
      {column.variant && (
        <span className="schema-mark">
          variant: the {column.type} values
          {base ? `, the others are in ${base.name}` : ''}
        </span>
      )}
      {column.renamed && (
        <span className="schema-mark schema-mark-renamed">
          renamed: {column.plainName} was taken
          {holder?.source ? ` by ${keyPath(holder.source)}` : ''}
        </span>
      )}
    </>
  );
}

export function ColumnsTable({
  table,
  columns,
}: {
  table: string;
  columns: readonly SchemaColumn[];
}) {
  return (
    <div className="grid-scroll">
      <table className="grid schema-columns" aria-label={`Columns of ${table}`}>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">JSON keys</th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((column) => (
            <tr key={column.name}>
              <td>{column.name}</td>
              <td>{column.type}</td>
              <td>
                <KeysCell column={column} />
              </td>
              <td className="schema-notes">
                <Marks column={column} columns={columns} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
