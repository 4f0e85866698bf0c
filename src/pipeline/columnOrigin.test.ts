import { describe, expect, it } from 'vitest';

import { plainColumnName, wasRenamed } from './columnOrigin';
import { NamingConvention } from './naming';
import { RelationalNormalizer } from './normalize';
import type { ColumnSchema } from './schema';
import { TableRegistry } from './tableRegistry';

const naming = new NamingConvention();
const longKey = `Private${'Creator'.repeat(20)}`;

/**
 * Normalizes two studies whose keys collide, change type and run past the
 * length limit, and finds each key's column by the value it wrote.
 */
function normalizedColumns(): Map<string, ColumnSchema> {
  const registry = new TableRegistry(naming);
  const normalizer = new RelationalNormalizer(registry, '1733241600.1');
  const spec = {
    name: 'studies_detail',
    disposition: 'merge' as const,
    primaryKey: ['id'],
  };
  const rows = [
    {
      ID: 's1',
      PatientID: 'key-PatientID',
      patient_id: 'key-patient_id',
      MainDicomTags: { StudyDate: 'key-StudyDate' },
      [longKey]: 'key-long',
    },
    { ID: 's2', MainDicomTags: { StudyDate: 20240102 } },
  ].flatMap((item) => normalizer.normalize(item, spec).map((r) => r.row));

  const sources: Record<string, string[]> = {
    'key-PatientID': ['PatientID'],
    'key-patient_id': ['patient_id'],
    'key-StudyDate': ['MainDicomTags', 'StudyDate'],
    'key-long': [longKey],
    '20240102': ['MainDicomTags', 'StudyDate'],
  };
  const byName = new Map<string, ColumnSchema>();
  for (const column of registry.snapshot('studies_detail').columns) {
    const value = rows.map((row) => row.get(column.name)).find(Boolean);
    const source = sources[String(value)];
    const variant = column.name.includes('__v_');
    byName.set(column.name, {
      ...column,
      ...(source ? { source } : {}),
      ...(variant ? { variant } : {}),
    });
  }
  return byName;
}

describe('plainColumnName', () => {
  const columns = normalizedColumns();
  const find = (key: string) =>
    [...columns.values()].find((c) => c.source?.join('.') === key);

  it('names nested keys as the normalizer does', () => {
    const studyDate = find('MainDicomTags.StudyDate');
    expect(studyDate?.name).toBe('main_dicom_tags__study_date');
    expect(studyDate && plainColumnName(studyDate, naming)).toBe(
      'main_dicom_tags__study_date',
    );
    expect(studyDate && wasRenamed(studyDate, naming)).toBe(false);
  });

  it('marks the second of two keys that collide, not the first', () => {
    const first = find('PatientID');
    const second = find('patient_id');
    expect(first?.name).toBe('patient_id');
    expect(first && wasRenamed(first, naming)).toBe(false);
    expect(second?.name).toMatch(/^patient_id_[a-z0-9]{6}$/);
    expect(second && plainColumnName(second, naming)).toBe('patient_id');
    expect(second && wasRenamed(second, naming)).toBe(true);
  });

  it('leaves variant and shortened columns unmarked', () => {
    const variant = columns.get('main_dicom_tags__study_date__v_bigint');
    expect(variant?.source).toEqual(['MainDicomTags', 'StudyDate']);
    expect(variant && wasRenamed(variant, naming)).toBe(false);

    const long = find(longKey);
    expect(long?.name.length).toBe(127);
    expect(long && wasRenamed(long, naming)).toBe(false);
  });

  it('knows no plain name without keys', () => {
    const own = columns.get('_dlt_id');
    expect(own && plainColumnName(own, naming)).toBeNull();
    expect(own && wasRenamed(own, naming)).toBe(false);
  });
});
