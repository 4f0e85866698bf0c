// A registry seeded with the schema an earlier load left: names, types
// and owners carry over, so a later load only ever adds columns and
// tables, whatever order its keys arrive in.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { CapturedResponse } from '../orthanc/replayFetch';
import { NamingConvention } from './naming';
import { RelationalNormalizer, type RootSpec } from './normalize';
import type { Row, TableRow } from './rows';
import type { StoredSchema } from './schema';
import { TableBuffers } from './tableBuffers';
import { TableRegistry } from './tableRegistry';

type Json = Record<string, unknown>;

function studyPages(version: string): Json[] {
  const dir = new URL(`./fixtures/orthanc-${version}/`, import.meta.url);
  return readdirSync(dir)
    .filter((file) => file.startsWith('studies-expand-since-'))
    .flatMap((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      return (JSON.parse(text) as CapturedResponse).body as Json[];
    });
}

const studiesSpec: RootSpec = {
  name: 'studies_detail',
  disposition: 'replace',
  primaryKey: ['id'],
  columns: [{ name: 'id', type: 'text' }],
};
const thingsSpec: RootSpec = {
  name: 'things',
  disposition: 'merge',
  primaryKey: ['id'],
};

/** One load: its registry, seeded with `stored`, and the rows it made. */
function load(items: unknown[], spec: RootSpec, stored?: StoredSchema) {
  const registry = new TableRegistry(new NamingConvention(), stored);
  const normalizer = new RelationalNormalizer(registry, 'load');
  const rows = items.flatMap((item) => normalizer.normalize(item, spec));
  return { registry, rows };
}

/** What the warehouse keeps of a load's schema, through JSON text. */
function stored(registry: TableRegistry, version = 1): StoredSchema {
  const schema: StoredSchema = {
    name: 'orthanc',
    version,
    tables: registry.all().map((t) => registry.snapshot(t.schema.name)),
  };
  return JSON.parse(JSON.stringify(schema)) as StoredSchema;
}

function rowsOf(rows: TableRow[], table: string): Row[] {
  return rows.filter((r) => r.table === table).map((r) => r.row);
}

function columns(registry: TableRegistry, table: string) {
  return registry.snapshot(table).columns.map((c) => [c.name, c.type]);
}

describe('a registry restored from the stored schema', () => {
  it('hands out the stored tables unchanged, and adds nothing for the same data', () => {
    const studies = studyPages('1.12.7');
    const first = load(studies, studiesSpec);
    const schema = stored(first.registry);
    expect(schema.tables.map((t) => t.name)).toEqual([
      'studies_detail',
      'studies_detail__labels',
      'studies_detail__series',
    ]);

    const again = load(studies, studiesSpec, schema);
    expect(stored(again.registry)).toEqual(schema);
    expect(again.registry.all().map((t) => t.version)).toEqual([0, 0, 0]);
    expect(again.rows.map((r) => [...r.row.keys()])).toEqual(
      first.rows.map((r) => [...r.row.keys()]),
    );
  });

  it('keeps the keys behind each column and the list behind each child table', () => {
    const { registry } = load(studyPages('1.12.7'), studiesSpec);
    const schema = stored(registry);
    const root = schema.tables.find((t) => t.name === 'studies_detail');
    expect(
      root?.columns.find((c) => c.name === 'main_dicom_tags__study_date'),
    ).toEqual({
      name: 'main_dicom_tags__study_date',
      type: 'text',
      source: ['MainDicomTags', 'StudyDate'],
    });
    expect(root?.columns.find((c) => c.name === 'id')?.source).toEqual(['ID']);
    expect(
      schema.tables.find((t) => t.name === 'studies_detail__labels'),
    ).toMatchObject({
      parent: 'studies_detail',
      listOf: { table: 'studies_detail', path: ['Labels'] },
    });
  });

  it('sends a number where load 1 had text to a variant column', () => {
    const first = load([{ ID: 'a', Size: 'large' }], thingsSpec);
    const second = load(
      [{ ID: 'b', Size: 12 }],
      thingsSpec,
      stored(first.registry),
    );

    expect(columns(second.registry, 'things')).toEqual([
      ['id', 'text'],
      ['size', 'text'],
      ['_dlt_load_id', 'text'],
      ['_dlt_id', 'text'],
      ['size__v_bigint', 'bigint'],
    ]);
    const [row] = rowsOf(second.rows, 'things');
    expect(row?.get('size')).toBeUndefined();
    expect(row?.get('size__v_bigint')).toBe(12n);
    expect(second.registry.snapshot('things').columns.at(-1)).toEqual({
      name: 'size__v_bigint',
      type: 'bigint',
      source: ['Size'],
      variant: true,
    });
  });

  it('keeps the names of colliding keys when they arrive in the other order', () => {
    const first = load(
      [{ ID: 'a', PatientID: 'P', patient_id: 'p' }],
      thingsSpec,
    );
    const named = (registry: TableRegistry): Record<string, string> =>
      Object.fromEntries(
        registry
          .snapshot('things')
          .columns.filter((c) => c.source)
          .map((c) => [c.source?.join('.') ?? '', c.name]),
      );
    expect(named(first.registry)).toEqual({
      ID: 'id',
      PatientID: 'patient_id',
      patient_id: expect.stringMatching(/^patient_id_[a-z0-9]{6}$/) as string,
    });

    const second = load(
      [{ patient_id: 'q', PatientID: 'Q', ID: 'b' }],
      thingsSpec,
      stored(first.registry),
    );
    expect(named(second.registry)).toEqual(named(first.registry));
    const [row] = rowsOf(second.rows, 'things');
    expect(row?.get('patient_id')).toBe('Q');
    expect(row?.get(named(first.registry).patient_id ?? '')).toBe('q');
  });

  it('adds a column for a key that first appears in load 2', () => {
    const first = load([{ ID: 'a', Size: 'large' }], thingsSpec);
    const before = columns(first.registry, 'things');
    const second = load(
      [{ ID: 'b', Colour: 'red' }],
      thingsSpec,
      stored(first.registry),
    );

    expect(columns(second.registry, 'things')).toEqual([
      ...before,
      ['colour', 'text'],
    ]);
    const [row] = rowsOf(second.rows, 'things');
    expect(row?.get('size')).toBeUndefined();
    expect(row?.get('colour')).toBe('red');
  });

  it('makes the child table of a list that first appears in load 2', () => {
    // Orthanc 1.10 has no labels; after an upgrade to 1.12 they appear
    const first = load(studyPages('1.10.1'), studiesSpec);
    expect(first.registry.get('studies_detail__labels')).toBeUndefined();
    const before = columns(first.registry, 'studies_detail');

    const second = load(
      studyPages('1.12.7'),
      studiesSpec,
      stored(first.registry),
    );
    expect(second.registry.snapshot('studies_detail__labels')).toEqual({
      name: 'studies_detail__labels',
      parent: 'studies_detail',
      listOf: { table: 'studies_detail', path: ['Labels'] },
      disposition: 'replace',
      primaryKey: [],
      columns: [
        { name: 'value', type: 'text', source: ['value'] },
        { name: '_dlt_root_id', type: 'text' },
        { name: '_dlt_parent_id', type: 'text' },
        { name: '_dlt_list_idx', type: 'bigint' },
        { name: '_dlt_id', type: 'text' },
      ],
    });
    expect(
      new Set(
        rowsOf(second.rows, 'studies_detail__labels').map((r) =>
          r.get('value'),
        ),
      ),
    ).toEqual(new Set(['COVID_19', 'Covid-19', 'covid_19']));
    expect(
      columns(second.registry, 'studies_detail').slice(0, before.length),
    ).toEqual(before);
  });

  it('takes the disposition and declared columns this load declares', () => {
    const first = load([{ ID: 'a' }], thingsSpec);
    const declared: RootSpec = {
      ...thingsSpec,
      disposition: 'replace',
      columns: [
        { name: 'id', type: 'text' },
        { name: 'colour', type: 'text' },
      ],
    };
    const second = load(
      [{ ID: 'b', Colour: 'red' }],
      declared,
      stored(first.registry),
    );

    const schema = second.registry.snapshot('things');
    expect(schema.disposition).toBe('replace');
    expect(schema.columns.map((c) => [c.name, c.source])).toEqual([
      ['id', ['ID']],
      ['_dlt_load_id', undefined],
      ['_dlt_id', undefined],
      ['colour', ['Colour']],
    ]);
  });

  it('does not send again a stored table that this load leaves alone', () => {
    const first = load([{ ID: 'a', Parts: ['x'] }], thingsSpec);
    const other: RootSpec = { ...thingsSpec, name: 'others' };
    const registry = new TableRegistry(
      new NamingConvention(),
      stored(first.registry),
    );
    const buffers = new TableBuffers(registry);
    buffers.add(
      new RelationalNormalizer(registry, 'load').normalize({ ID: 'o' }, other),
    );

    const sent = [...buffers.drain(true)]
      .filter((event) => event.type === 'table')
      .map((event) => event.schema.name);
    expect(sent).toEqual(['others']);
    expect(registry.get('things__parts')?.version).toBe(0);
  });

  it('keeps the stored columns of a table this load touches', () => {
    const first = load([{ ID: 'a', Size: 'large' }], thingsSpec);
    const registry = new TableRegistry(
      new NamingConvention(),
      stored(first.registry),
    );
    const buffers = new TableBuffers(registry);
    buffers.add(
      new RelationalNormalizer(registry, 'load').normalize(
        { ID: 'b' },
        thingsSpec,
      ),
    );

    const [table] = [...buffers.drain(true)].filter((e) => e.type === 'table');
    expect(
      table?.type === 'table' && table.schema.columns.map((c) => c.name),
    ).toEqual(['id', 'size', '_dlt_load_id', '_dlt_id']);
  });
});
