import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WarehouseError } from '../lib/errors';
import type { CapturedResponse } from '../orthanc/replayFetch';
import { seriesTagsRows, tagKey } from './fullTags';
import { NamingConvention } from './naming';
import { RelationalNormalizer, type RootSpec } from './normalize';
import { RESOURCES } from './resources';
import type { Row, TableRow } from './rows';
import { TableRegistry } from './tableRegistry';

type Json = Record<string, unknown>;

function captured(version: string, file: string): CapturedResponse {
  const url = new URL(`./fixtures/orthanc-${version}/${file}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as CapturedResponse;
}

/** The captured answers of /series/{id}/instances-tags, the cases last. */
function tagAnswers(version: string): CapturedResponse[] {
  const dir = new URL(`./fixtures/orthanc-${version}/`, import.meta.url);
  const series = readdirSync(dir)
    .filter((file) => /^series-.*-instances-tags-full\.json$/.test(file))
    .sort();
  return [...series, 'tag-cases-instances-tags-full.json'].map((file) =>
    captured(version, file),
  );
}

const resource = RESOURCES.find((r) => r.name === 'instances_tags');
if (!resource) throw new Error('instances_tags is not declared');
const spec: RootSpec = {
  name: resource.table,
  disposition: resource.disposition,
  primaryKey: resource.primaryKey,
  columns: resource.columns,
  ...(resource.maxNesting === undefined
    ? {}
    : { maxNesting: resource.maxNesting }),
};

function normalizeAnswers(answers: CapturedResponse[]) {
  const registry = new TableRegistry(new NamingConvention());
  const normalizer = new RelationalNormalizer(registry, 'load-1');
  const rows: TableRow[] = answers.flatMap((answer) => {
    const seriesId = /^\/series\/([^/]+)\//.exec(answer.request)?.[1] ?? '';
    return seriesTagsRows(seriesId, answer.body, answer.request).flatMap(
      (document) => normalizer.normalize(document, spec),
    );
  });
  const table = (name: string): Row[] =>
    rows.filter((r) => r.table === name).map((r) => r.row);
  const columns = (name: string) =>
    Object.fromEntries(
      registry.snapshot(name).columns.map((c) => [c.name, c.type]),
    );
  return { registry, rows, table, columns };
}

/** The tag cases' instance with this InstanceNumber (tagCases.ts). */
function tagCase(rows: Row[], instanceNumber: number): Row {
  const row = rows.find(
    (r) => r.get('instance_number') === `${instanceNumber}`,
  );
  if (!row) throw new Error(`no tag case ${instanceNumber}`);
  return row;
}

describe('tagKey', () => {
  it('names public tags, numbers private and unknown ones', () => {
    const none = new Set<string>();
    expect(tagKey('0010,0010', 'PatientName', none)).toBe('PatientName');
    // Orthanc names some private tags from vendors' dictionaries
    expect(tagKey('0009,10E6', 'GenesisVersionNow', none)).toBe(
      'private_0009_10e6',
    );
    expect(tagKey('0009,0010', 'PrivateCreator', none)).toBe(
      'private_0009_0010',
    );
    expect(tagKey('0012,0099', 'Unknown Tag & Data', none)).toBe(
      'tag_0012_0099',
    );
    expect(tagKey('0012,0099', undefined, none)).toBe('tag_0012_0099');
    expect(
      tagKey('0008,1030', 'StudyDescription', new Set(['StudyDescription'])),
    ).toBe('tag_0008_1030');
  });
});

for (const version of ['1.10.1', '1.12.7']) {
  describe(`the full tags of a real Orthanc ${version}`, () => {
    const answers = tagAnswers(version);
    const { registry, rows, table, columns } = normalizeAnswers(answers);
    const instances = table('instances_tags');
    const cases = instances.filter(
      (r) => r.get('patient_id') === 'WH-TAG-CASES',
    );

    it('has one row per instance, named after the tags, with its series', () => {
      const details = readdirSync(
        new URL(`./fixtures/orthanc-${version}/`, import.meta.url),
      )
        .filter((file) => file.startsWith('instances-expand-since-'))
        .flatMap((file) => captured(version, file).body as Json[]);
      expect(instances).toHaveLength(details.length + 5);

      for (const detail of details) {
        const row = instances.find((r) => r.get('id') === detail.ID);
        const tags = detail.MainDicomTags as Json;
        expect(row?.get('parent_series')).toBe(detail.ParentSeries);
        expect(row?.get('sop_instance_uid')).toBe(tags.SOPInstanceUID);
        expect(row?.get('instance_number')).toBe(tags.InstanceNumber);
      }
      const names = Object.keys(columns('instances_tags'));
      expect(names.slice(0, 2)).toEqual(['id', 'parent_series']);
      expect(names).toEqual(
        expect.arrayContaining([
          'specific_character_set',
          'patient_name',
          'sop_instance_uid',
          'image_comments',
          'private_0009_0010',
          'private_0009_1001',
          'tag_0012_0099',
        ]),
      );
      expect(names).not.toContain('private_creator');
      expect(names.filter((n) => n.includes('unknown'))).toEqual([]);
      expect(tagCase(cases, 1).get('private_0009_0010')).toBe(
        'WAREHOUSE TAG CASES',
      );
      expect(tagCase(cases, 4).get('tag_0012_0099')).toBe(
        'not in the dictionary',
      );
    });

    it('keeps a value past the length limit as NULL, flagged (C18)', () => {
      const types = columns('instances_tags');
      expect(types.image_comments).toBe('text');
      expect(types.image_comments__too_long).toBe('bool');
      for (const number of [1, 2]) {
        expect(tagCase(cases, number).has('image_comments')).toBe(false);
        expect(tagCase(cases, number).get('image_comments__too_long')).toBe(
          true,
        );
      }
      expect(tagCase(cases, 3).get('image_comments')).toBe('A short comment');
      expect(tagCase(cases, 3).has('image_comments__too_long')).toBe(false);
      // empty is a value, not an absent tag
      expect(tagCase(cases, 4).get('image_comments')).toBe('');
    });

    it('takes a tag that changes type between instances (C20)', () => {
      const tag = 'private_0009_1001';
      const sequence = tagCase(cases, 1);
      expect(tagCase(cases, 2).has(tag)).toBe(false);
      expect(tagCase(cases, 2).get(`${tag}__type`)).toBe('Null');
      expect(tagCase(cases, 3).get(`${tag}__too_long`)).toBe(true);
      expect(tagCase(cases, 4).get(tag)).toBe('A short private value');
      expect(columns('instances_tags')[tag]).toBe('text');

      const items = table(`instances_tags__${tag}`);
      expect(items).toHaveLength(1);
      expect(items[0]?.get('study_description')).toBe('in a private item');
      expect(items[0]?.get('_dlt_parent_id')).toBe(sequence.get('_dlt_id'));

      // pixel data comes as Null too, from the real files
      const pixels = instances.filter((r) => r.has('pixel_data__type'));
      expect(pixels.length).toBeGreaterThan(0);
      expect(new Set(pixels.map((r) => r.get('pixel_data__type')))).toEqual(
        new Set(['Null']),
      );
      const values = rows.flatMap((r) => [...r.row.values()]);
      expect(values).not.toContain('TooLong');
      expect(values.filter((v) => String(v).includes('[object'))).toEqual([]);
    });

    it('makes child tables down to the nesting limit, then JSON (C21)', () => {
      const nested = tagCase(cases, 5);
      const chain = registry
        .all()
        .map((t) => t.schema)
        .filter((s) => s.name.includes('referenced_study_sequence'));
      expect(chain).toHaveLength(5);
      expect(resource.maxNesting).toBe(5);

      let parentIds = new Set([nested.get('_dlt_id')]);
      chain.forEach((schema, depth) => {
        expect(schema.parent).toBe('instances_tags');
        expect(schema.name.length).toBeLessThanOrEqual(127);
        const levelRows = table(schema.name);
        expect(levelRows.map((r) => r.get('study_description'))).toEqual([
          `L${depth + 1}`,
        ]);
        for (const row of levelRows) {
          expect(parentIds.has(row.get('_dlt_parent_id'))).toBe(true);
          expect(row.get('_dlt_list_idx')).toBe(0n);
          expect(row.get('_dlt_root_id')).toBe(nested.get('_dlt_id'));
        }
        parentIds = new Set(levelRows.map((r) => r.get('_dlt_id')));
      });
      expect(new Set(chain.map((s) => s.name)).size).toBe(5);
      expect(chain[0]?.name).toBe('instances_tags__referenced_study_sequence');

      // below the fifth level, the rest is kept whole, as JSON text
      const deepest = chain[4];
      const json =
        deepest && table(deepest.name)[0]?.get('referenced_study_sequence');
      expect(deepest?.columns).toContainEqual({
        source: ['ReferencedStudySequence'],
        name: 'referenced_study_sequence',
        type: 'json',
      });
      expect(JSON.parse(String(json))).toEqual([
        {
          StudyDescription: 'L6',
          ReferencedStudySequence: [
            {
              StudyDescription: 'L7',
              ReferencedStudySequence: [{ StudyDescription: 'L8' }],
            },
          ],
        },
      ]);
    });

    it('gives the same names on every load', () => {
      const again = normalizeAnswers([...answers].reverse());
      const shape = (r: TableRegistry) =>
        r
          .all()
          .map((t) => [t.schema.name, t.schema.columns.map((c) => c.name)])
          .map(([name, cols]) => [name, [...(cols as string[])].sort()])
          .sort();
      expect(shape(again.registry)).toEqual(shape(registry));
    });
  });
}

describe('seriesTagsRows', () => {
  it('refuses an answer that is not in the full format', () => {
    const path = '/series/x/instances-tags?full';
    const short = { a: { '0010,0010': 'Name^Only' } };
    expect(() => seriesTagsRows('x', short, path)).toThrow(WarehouseError);
    expect(() => seriesTagsRows('x', [], path)).toThrow(/is not an object/);
    try {
      seriesTagsRows('x', short, path);
    } catch (error) {
      expect((error as WarehouseError).code).toBe('bad_response');
    }
  });
});
