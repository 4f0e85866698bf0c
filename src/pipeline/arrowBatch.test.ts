import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { CapturedResponse } from '../orthanc/replayFetch';
import { toArrowBatch } from './arrowBatch';
import { NamingConvention } from './naming';
import { RelationalNormalizer } from './normalize';
import { TableRegistry } from './tableRegistry';

function page(file: string): Record<string, unknown>[] {
  const url = new URL(
    `./fixtures/orthanc-1.10.1/${file}.json`,
    import.meta.url,
  );
  const captured = JSON.parse(readFileSync(url, 'utf8')) as CapturedResponse;
  return captured.body as Record<string, unknown>[];
}

function normalizeAll(items: Record<string, unknown>[], table: string) {
  const registry = new TableRegistry(new NamingConvention());
  const normalizer = new RelationalNormalizer(registry, 'load-1');
  const rows = items.flatMap((item) =>
    normalizer.normalize(item, {
      name: table,
      disposition: 'replace',
      primaryKey: ['id'],
    }),
  );
  return { registry, rows };
}

describe('toArrowBatch', () => {
  it('writes timestamps as UTC microseconds, exactly', () => {
    const { registry, rows } = normalizeAll(
      page('patients-expand-since-0-limit-2'),
      'patients_detail',
    );
    const schema = registry.snapshot('patients_detail');
    const detail = rows.filter((r) => r.table === 'patients_detail');
    const table = tableFromIPC(
      toArrowBatch(
        schema,
        detail.map((r) => r.row),
      ),
    );

    const column = table.getChild('last_update');
    expect(String(column?.type)).toBe('Timestamp<MICROSECOND, UTC>');
    const sent = detail.map((r) => r.row.get('last_update'));
    expect(sent.every((v) => typeof v === 'bigint')).toBe(true);
    const read = [0, 1].map((i) => BigInt(column?.get(i) as number) * 1000n);
    // Arrow JS hands timestamps back as milliseconds: whole seconds here
    expect(read).toEqual(sent);
  });

  it('writes IPC bytes that read back with the same columns and values', () => {
    const items = page('instances-expand-since-10-limit-2');
    const { registry, rows } = normalizeAll(items, 'instances_detail');
    const schema = registry.snapshot('instances_detail');
    const detail = rows.filter((r) => r.table === 'instances_detail');

    const table = tableFromIPC(
      toArrowBatch(
        schema,
        detail.map((r) => r.row),
      ),
    );

    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => f.name)).toEqual(
      schema.columns.map((c) => c.name),
    );
    expect(String(table.getChild('id')?.type)).toBe('Utf8');
    expect(String(table.getChild('file_size')?.type)).toBe('Int64');
    expect(table.getChild('file_size')?.get(0)).toBe(744n);
    expect(table.getChild('index_in_series')?.toArray()).toEqual(
      BigInt64Array.from([2n, 3n]),
    );
    expect(table.getChild('id')?.toArray()).toEqual(items.map((i) => i.ID));
    expect(table.getChild('_dlt_load_id')?.get(1)).toBe('load-1');
  });

  it('keeps non-ASCII names, booleans, and nulls for missing values', () => {
    const items = page('patients-expand-since-0-limit-2');
    const { registry, rows } = normalizeAll(items, 'patients_detail');
    const schema = registry.snapshot('patients_detail');
    // a column that only a later row has: null in the rows before it
    schema.columns.push({ name: 'labels_note', type: 'text' });
    const table = tableFromIPC(
      toArrowBatch(
        schema,
        rows.filter((r) => r.table === 'patients_detail').map((r) => r.row),
      ),
    );

    expect(table.getChild('main_dicom_tags__patient_name')?.toArray()).toEqual([
      'قباني^لنزار',
      'Äneas^Rüdiger',
    ]);
    expect(String(table.getChild('is_stable')?.type)).toBe('Bool');
    expect(table.getChild('is_stable')?.get(0)).toBe(true);
    expect(table.getChild('main_dicom_tags__patient_sex')?.get(0)).toBe('');
    expect(table.getChild('labels_note')?.get(0)).toBeNull();
    expect(table.getChild('labels_note')?.nullCount).toBe(2);
  });

  it('writes doubles, and an empty batch that still declares its columns', () => {
    const registry = new TableRegistry(new NamingConvention());
    const normalizer = new RelationalNormalizer(registry, 'load-1');
    const rows = normalizer
      .normalize(
        { ID: 'a', Ratio: 0.25 },
        {
          name: 'ratios',
          disposition: 'replace',
          primaryKey: ['id'],
        },
      )
      .map((r) => r.row);
    const schema = registry.snapshot('ratios');

    const table = tableFromIPC(toArrowBatch(schema, rows));
    expect(String(table.getChild('ratio')?.type)).toBe('Float64');
    expect(table.getChild('ratio')?.get(0)).toBe(0.25);

    const empty = tableFromIPC(toArrowBatch(schema, []));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual([
      'id',
      'ratio',
      '_dlt_load_id',
      '_dlt_id',
    ]);
  });

  it('keeps NaN and the infinities of metrics apart from a missing value', () => {
    const schema = {
      name: 'tools_metrics_prometheus',
      disposition: 'append' as const,
      primaryKey: [],
      columns: [
        { name: 'name', type: 'text' as const },
        { name: 'value', type: 'double' as const },
      ],
    };
    const rows = [
      ['ratio', NaN],
      ['upper', Infinity],
      ['lower', -Infinity],
      ['absent', undefined],
    ].map(([name, value]) => {
      const row = new Map<string, string | number>([['name', String(name)]]);
      if (typeof value === 'number') row.set('value', value);
      return row;
    });

    const value = tableFromIPC(toArrowBatch(schema, rows)).getChild('value');

    expect(value?.toArray()).toHaveLength(4);
    const values = [0, 1, 2, 3].map((i) => value?.get(i) as number | null);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Infinity, -Infinity, null]);
  });
});
