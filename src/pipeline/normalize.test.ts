import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOrthancJson } from '../orthanc/parseOrthancJson';
import type { CapturedResponse } from '../orthanc/replayFetch';
import { NamingConvention } from './naming';
import { RelationalNormalizer, type RootSpec } from './normalize';
import type { Row, TableRow } from './rows';
import { TableRegistry } from './tableRegistry';

type Json = Record<string, unknown>;

function loadPages(version: string, level: string): Json[] {
  const dir = new URL(`./fixtures/orthanc-${version}/`, import.meta.url);
  const since = (file: string) => Number(/since-(\d+)/.exec(file)?.[1]);
  return readdirSync(dir)
    .filter((file) => file.startsWith(`${level}-expand-since-`))
    .sort((a, b) => since(a) - since(b))
    .flatMap((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      return (JSON.parse(text) as CapturedResponse).body as Json[];
    });
}

/** dlt's digest128, computed by Node's own SHAKE128 as a check. */
function dltDigest(text: string): string {
  return createHash('shake128', { outputLength: 10 })
    .update(text, 'utf8')
    .digest('base64')
    .replace(/=+$/, '');
}

function setup(loadId = '1733241600.123456') {
  const registry = new TableRegistry(new NamingConvention());
  return { registry, normalizer: new RelationalNormalizer(registry, loadId) };
}

function spec(name: string, maxNesting?: number): RootSpec {
  const out: RootSpec = { name, disposition: 'replace', primaryKey: ['id'] };
  if (maxNesting !== undefined) out.maxNesting = maxNesting;
  return out;
}

function rowsOf(rows: TableRow[], table: string): Row[] {
  return rows.filter((r) => r.table === table).map((r) => r.row);
}

function columnNames(registry: TableRegistry, table: string): string[] {
  return registry.snapshot(table).columns.map((c) => c.name);
}

describe('the relational normalizer on real Orthanc answers', () => {
  const patients = loadPages('1.10.1', 'patients');
  const studies = loadPages('1.10.1', 'studies');
  const series = loadPages('1.10.1', 'series');
  const instances = loadPages('1.10.1', 'instances');

  it('flattens patients into dlt column names, in document order', () => {
    const { registry, normalizer } = setup();
    const rows = patients.flatMap((p) =>
      normalizer.normalize(p, spec('patients_detail')),
    );

    expect(registry.snapshot('patients_detail').columns).toEqual([
      { name: 'id', type: 'text', source: ['ID'] },
      { name: 'is_stable', type: 'bool', source: ['IsStable'] },
      { name: 'last_update', type: 'timestamp', source: ['LastUpdate'] },
      {
        name: 'main_dicom_tags__patient_birth_date',
        type: 'text',
        source: ['MainDicomTags', 'PatientBirthDate'],
      },
      {
        name: 'main_dicom_tags__patient_id',
        type: 'text',
        source: ['MainDicomTags', 'PatientID'],
      },
      {
        name: 'main_dicom_tags__patient_name',
        type: 'text',
        source: ['MainDicomTags', 'PatientName'],
      },
      {
        name: 'main_dicom_tags__patient_sex',
        type: 'text',
        source: ['MainDicomTags', 'PatientSex'],
      },
      { name: 'type', type: 'text', source: ['Type'] },
      { name: '_dlt_load_id', type: 'text' },
      { name: '_dlt_id', type: 'text' },
    ]);
    const details = rowsOf(rows, 'patients_detail');
    expect(details).toHaveLength(7);
    expect(
      details.slice(0, 2).map((r) => r.get('main_dicom_tags__patient_name')),
    ).toEqual(['قباني^لنزار', 'Äneas^Rüdiger']);
    expect(details[0]?.get('is_stable')).toBe(true);
    // dlt's iso_timestamp detection: Orthanc's YYYYMMDDTHHMMSS, as UTC
    const lastUpdate = String(patients[0]?.LastUpdate).replace(
      /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)$/,
      '$1-$2-$3T$4:$5:$6Z',
    );
    expect(details[0]?.get('last_update')).toBe(
      BigInt(Date.parse(lastUpdate)) * 1000n,
    );
    // birth dates are dates, not timestamps: they stay text
    expect(typeof details[0]?.get('main_dicom_tags__patient_birth_date')).toBe(
      'string',
    );
    expect(details[0]?.get('_dlt_load_id')).toBe('1733241600.123456');
  });

  it('makes child tables of ID lists that join back to their parents', () => {
    const { registry, normalizer } = setup();
    const rows = series.flatMap((s) =>
      normalizer.normalize(s, spec('series_detail')),
    );

    expect(columnNames(registry, 'series_detail__instances')).toEqual([
      'value',
      '_dlt_root_id',
      '_dlt_parent_id',
      '_dlt_list_idx',
      '_dlt_id',
    ]);
    expect(registry.snapshot('series_detail__instances').parent).toBe(
      'series_detail',
    );

    // every instance ID of every series, at its place, under its series
    const parents = new Map(
      rowsOf(rows, 'series_detail').map((r) => [r.get('_dlt_id'), r]),
    );
    const children = rowsOf(rows, 'series_detail__instances');
    expect(children).toHaveLength(
      series.reduce((n, s) => n + (s.Instances as string[]).length, 0),
    );
    for (const child of children) {
      const parent = parents.get(child.get('_dlt_parent_id'));
      expect(parent).toBeDefined();
      expect(child.get('_dlt_root_id')).toBe(parent?.get('_dlt_id'));
      const source = series.find((s) => s.ID === parent?.get('id'));
      const index = Number(child.get('_dlt_list_idx'));
      expect(child.get('value')).toBe((source?.Instances as string[])[index]);
    }
    // the series' instance lists hold exactly the instances' IDs
    expect(new Set(children.map((c) => c.get('value')))).toEqual(
      new Set(instances.map((i) => i.ID)),
    );
  });

  it("makes dlt's ids: key hash for roots, parent digest for children", () => {
    const { normalizer } = setup();
    const rows = normalizer.normalize(studies[0], spec('studies_detail'));
    const root = rows[0]?.row;
    const id = studies[0]?.ID as string;
    expect(root?.get('_dlt_id')).toBe(dltDigest(`{"id":"${id}"}`));

    const child = rowsOf(rows, 'studies_detail__series')[0];
    expect(child?.get('_dlt_id')).toBe(
      dltDigest(`${String(root?.get('_dlt_id'))}_studies_detail__series_0`),
    );
    expect(child?.get('_dlt_list_idx')).toBe(0n);

    // the same resource loaded again gets the same ids
    const again = setup('another-load').normalizer.normalize(
      studies[0],
      spec('studies_detail'),
    );
    expect(again.map((r) => r.row.get('_dlt_id'))).toEqual(
      rows.map((r) => r.row.get('_dlt_id')),
    );
  });

  it('types instance numbers as bigint and leaves null values out', () => {
    const { registry, normalizer } = setup();
    const rows = instances.flatMap((i) =>
      normalizer.normalize(i, spec('instances_detail')),
    );
    const types = new Map(
      registry
        .snapshot('instances_detail')
        .columns.map((c) => [c.name, c.type]),
    );
    expect(types.get('file_size')).toBe('bigint');
    expect(types.get('index_in_series')).toBe('bigint');
    expect(types.get('main_dicom_tags__sop_instance_uid')).toBe('text');
    expect(rows[0]?.row.get('file_size')).toBeTypeOf('bigint');

    const seriesRegistry = setup();
    for (const s of series) {
      seriesRegistry.normalizer.normalize(s, spec('series_detail'));
    }
    // ExpectedNumberOfInstances is null in every captured series
    expect(columnNames(seriesRegistry.registry, 'series_detail')).not.toContain(
      'expected_number_of_instances',
    );
  });
});

describe('the relational normalizer on awkward shapes', () => {
  it('detects ISO timestamps as dlt does, into the column a key has', () => {
    const { registry, normalizer } = setup();
    const table = spec('changes');
    normalizer.normalize({ Seq: 1, Date: '20231203T185326' }, table);
    normalizer.normalize({ Seq: 2, Date: 'soon' }, table);
    const rows = normalizer.normalize(
      { Seq: 3, Note: 'free text', Later: '2023-12-03T18:53:26Z' },
      table,
    );

    const columns = registry.snapshot('changes').columns;
    expect(columns.map(({ name, type }) => ({ name, type }))).toEqual([
      { name: 'seq', type: 'bigint' },
      { name: 'date', type: 'timestamp' },
      { name: '_dlt_load_id', type: 'text' },
      { name: '_dlt_id', type: 'text' },
      // text that is no timestamp goes to a variant, as dlt's coercion
      // of it into the timestamp column fails
      { name: 'date__v_text', type: 'text' },
      { name: 'note', type: 'text' },
      { name: 'later', type: 'timestamp' },
    ]);
    expect(rows[0]?.row.get('later')).toBe(1_701_629_606_000_000n);
    // a column that holds text keeps a timestamp-like string as text
    const last = normalizer.normalize(
      { Seq: 5, Note: '2023-12-03T18:53:26Z' },
      table,
    );
    expect(last[0]?.row.get('note')).toBe('2023-12-03T18:53:26Z');
  });

  it('sends a value of another type to a dlt variant column', () => {
    const { registry, normalizer } = setup();
    const rows = [
      { ID: 'a', Size: 'large' },
      { ID: 'b', Size: 12 },
      { ID: 'c', Size: 2.5 },
      { ID: 'd', Size: null },
    ].flatMap((item) => normalizer.normalize(item, spec('things')));

    expect(registry.snapshot('things').columns).toEqual([
      { name: 'id', type: 'text', source: ['ID'] },
      { name: 'size', type: 'text', source: ['Size'] },
      { name: '_dlt_load_id', type: 'text' },
      { name: '_dlt_id', type: 'text' },
      {
        name: 'size__v_bigint',
        type: 'bigint',
        source: ['Size'],
        variant: true,
      },
      {
        name: 'size__v_double',
        type: 'double',
        source: ['Size'],
        variant: true,
      },
    ]);
    expect(rows.map((r) => r.row.get('size'))).toEqual([
      'large',
      undefined,
      undefined,
      undefined,
    ]);
    expect(rows[1]?.row.get('size__v_bigint')).toBe(12n);
    expect(rows[2]?.row.get('size__v_double')).toBe(2.5);
  });

  it('widens integers into a double column as dlt does', () => {
    const { registry, normalizer } = setup();
    normalizer.normalize({ ID: 'a', Ratio: 0.5 }, spec('ratios'));
    const rows = normalizer.normalize({ ID: 'b', Ratio: 2 }, spec('ratios'));
    expect(rows[0]?.row.get('ratio')).toBe(2);
    expect(columnNames(registry, 'ratios')).not.toContain('ratio__v_bigint');
  });

  it("never lets a data key take the normalizer's own columns", () => {
    const { registry, normalizer } = setup();
    const rows = normalizer.normalize(
      { ID: 'a', _dlt_id: 'forged', List: ['x'] },
      spec('hostile'),
    );
    const root = rows[0]?.row;
    const child = rows[1]?.row;
    expect(root?.get('_dlt_id')).not.toBe('forged');
    expect(child?.get('_dlt_parent_id')).toBe(root?.get('_dlt_id'));
    const forged = registry
      .snapshot('hostile')
      .columns.find((c) => c.name.startsWith('_dlt_id_'));
    expect(forged && root?.get(forged.name)).toBe('forged');
  });

  it('keeps integers beyond BIGINT as doubles rather than wrapping', () => {
    const { registry, normalizer } = setup();
    const item = JSON.parse(
      '{"ID":"a","Big":9223372036854775808,"Huge":1e300,"Max":-4096}',
    ) as Json;
    const rows = normalizer.normalize(item, spec('numbers'));
    expect(rows[0]?.row.get('big')).toBe(2 ** 63);
    expect(rows[0]?.row.get('huge')).toBe(1e300);
    expect(rows[0]?.row.get('max')).toBe(-4096n);
    const types = registry.snapshot('numbers').columns;
    expect(types.find((c) => c.name === 'big')?.type).toBe('double');
    expect(types.find((c) => c.name === 'max')?.type).toBe('bigint');
  });

  it('keeps exactly parsed integers exact, as text past BIGINT', () => {
    const { registry, normalizer } = setup();
    const item = parseOrthancJson(
      '{"ID":"a","Big":9223372036854775808,"Near":9007199254740993,' +
        '"Min":-9223372036854775808}',
    ) as Json;
    const [root] = normalizer.normalize(item, spec('exact'));
    expect(root?.row.get('big')).toBe('9223372036854775808');
    expect(root?.row.get('near')).toBe(9007199254740993n);
    expect(root?.row.get('min')).toBe(-9223372036854775808n);
    const types = registry.snapshot('exact').columns;
    expect(types.find((c) => c.name === 'big')?.type).toBe('text');
    expect(types.find((c) => c.name === 'near')?.type).toBe('bigint');
  });

  it('never writes "[object Object]" when one key holds several JSON types', () => {
    // the same tag as a sequence, as null and as text (case C20), with the
    // nesting limit reached so that the sequence is kept as JSON
    const { registry, normalizer } = setup();
    const items = [
      { ID: 'a', Value: [{ CodeValue: 'X1' }] },
      { ID: 'b', Value: null },
      { ID: 'c', Value: 'plain' },
    ];
    const rows = items.flatMap((item) =>
      normalizer.normalize(item, spec('tags', 1)),
    );
    const limited = setup();
    const shallow = items.flatMap((item) =>
      limited.normalizer.normalize(item, spec('tags', 0)),
    );

    // with room to nest: a child table and a text column
    expect(rowsOf(rows, 'tags__value')[0]?.get('code_value')).toBe('X1');
    expect(rows.find((r) => r.row.get('id') === 'c')?.row.get('value')).toBe(
      'plain',
    );
    // at the limit: JSON text, and the text value in a variant column
    expect(shallow[0]?.row.get('value')).toBe('[{"CodeValue":"X1"}]');
    expect(shallow[2]?.row.get('value__v_text')).toBe('plain');
    for (const { row } of [...rows, ...shallow]) {
      for (const value of row.values()) {
        expect(String(value)).not.toContain('[object Object]');
      }
    }
    expect(registry.get('tags')).toBeDefined();
  });

  it('keeps levels below max_nesting as JSON text, and every row joins up', () => {
    // a ReferencedStudySequence nested 8 levels deep (case C21)
    let sequence: Json = { StudyDescription: 'L8' };
    for (let level = 7; level >= 1; level--) {
      sequence = {
        StudyDescription: `L${level}`,
        ReferencedStudySequence: [sequence],
      };
    }
    const { registry, normalizer } = setup();
    const rows = normalizer.normalize(
      { ID: 'deep', ReferencedStudySequence: [sequence] },
      spec('instances_tags', 3),
    );

    const tables = [...new Set(rows.map((r) => r.table))];
    expect(tables).toEqual([
      'instances_tags',
      'instances_tags__referenced_study_sequence',
      'instances_tags__referenced_study_sequence__referenced_study_sequence',
      'instances_tags__referenced_study_sequence__referenced_study_sequence__referenced_study_sequence',
    ]);
    const deepest = rows.at(-1)?.row;
    expect(deepest?.get('study_description')).toBe('L3');
    const kept = JSON.parse(
      String(deepest?.get('referenced_study_sequence')),
    ) as Json[];
    expect(kept[0]?.StudyDescription).toBe('L4');
    expect(JSON.stringify(kept)).toContain('"L8"');

    const ids = new Set(rows.map((r) => r.row.get('_dlt_id')));
    for (const { row } of rows.slice(1)) {
      expect(ids.has(row.get('_dlt_parent_id'))).toBe(true);
      expect(row.get('_dlt_root_id')).toBe(rows[0]?.row.get('_dlt_id'));
    }
    for (const table of tables) expect(registry.get(table)).toBeDefined();
  });

  it('gives keys that collide after naming distinct, repeatable names', () => {
    const item = {
      ID: 'x',
      PatientID: 'A',
      patient_id: 'B',
      'Patient ID': 'C',
    };
    const first = setup();
    const row = first.normalizer.normalize(item, spec('collide'))[0]?.row;
    const names = columnNames(first.registry, 'collide').slice(1, 4);

    expect(names[0]).toBe('patient_id');
    expect(new Set(names).size).toBe(3);
    expect(names.map((n) => row?.get(n))).toEqual(['A', 'B', 'C']);

    const second = setup();
    second.normalizer.normalize(item, spec('collide'));
    expect(columnNames(second.registry, 'collide').slice(1, 4)).toEqual(names);
  });

  it('wraps a bare ID in a value column, as dlt wraps scalars', () => {
    const { registry, normalizer } = setup();
    const rows = normalizer.normalize('283a712b-cf0563ef', {
      name: 'patients',
      disposition: 'replace',
      primaryKey: ['value'],
    });
    expect(columnNames(registry, 'patients')).toEqual([
      'value',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    expect(rows[0]?.row.get('_dlt_id')).toBe(
      dltDigest('{"value":"283a712b-cf0563ef"}'),
    );
  });

  it('keeps a declared json column whole on every row, not only the first', () => {
    const { registry, normalizer } = setup();
    const metrics: RootSpec = {
      name: 'metrics',
      disposition: 'append',
      primaryKey: [],
      columns: [
        { name: 'name', type: 'text' },
        { name: 'labels', type: 'json' },
      ],
    };
    const rows = [
      { name: 'a', labels: { job: 'store' } },
      { name: 'b', labels: { job: 'find', code: '200' } },
    ].flatMap((item) => normalizer.normalize(item, metrics));

    expect(rows.map((r) => r.row.get('labels'))).toEqual([
      '{"job":"store"}',
      '{"job":"find","code":"200"}',
    ]);
    expect(columnNames(registry, 'metrics')).toEqual([
      'name',
      'labels',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    expect(registry.all().map((t) => t.schema.name)).toEqual(['metrics']);
  });
});
