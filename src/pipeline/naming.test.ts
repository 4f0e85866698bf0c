// Expected values come from dlt's own tests
// (tests/common/normalizers/test_naming_snake_case.py and test_naming.py)
// and from the Orthanc keys our users see in their dlt warehouses.
import { describe, expect, it } from 'vitest';
import {
  computeTag,
  NamingConvention,
  shortenIdentifier,
  trimAndTag,
} from './naming';

const unlimited = new NamingConvention(null);

describe('snake_case identifiers', () => {
  it('names Orthanc keys the way dlt does', () => {
    const cases: [string, string][] = [
      ['PatientID', 'patient_id'],
      ['StudyInstanceUID', 'study_instance_uid'],
      ['MainDicomTags', 'main_dicom_tags'],
      ['IsStable', 'is_stable'],
      ['ID', 'id'],
      ['ParentPatient', 'parent_patient'],
      ['PatientMainDicomTags', 'patient_main_dicom_tags'],
      ['ExpectedNumberOfInstances', 'expected_number_of_instances'],
      ['FileUuid', 'file_uuid'],
      ['TotalDiskSizeMB', 'total_disk_size_mb'],
      ['CountInstances', 'count_instances'],
      ['0008,0020', '_0008_0020'],
    ];
    for (const [raw, name] of cases) {
      expect(unlimited.normalizeIdentifier(raw)).toBe(name);
    }
  });

  it('matches dlt test_normalize_identifier', () => {
    const cases: [string, string][] = [
      ['event_value', 'event_value'],
      ['event value', 'event_value'],
      ['event-.!:*<>value', 'event_x_value'],
      ["1event_n'", '_1event_nx'],
      ["123event_n'", '_123event_nx'],
      ['123BaNaNa', '_123_ba_na_na'],
      ['BANANA', 'banana'],
      ['BAN_ANA', 'ban_ana'],
      ['BANaNA', 'ba_na_na'],
      ['Small Love Potion', 'small_love_potion'],
      [' Small Love Potion ', 'small_love_potion'],
      ['BANANA_', 'bananax'],
      ['BANANA____', 'bananaxxxx'],
      ['+-!$*@#=|:', 'x_xa_lx'],
      ['+1', 'x1'],
      ['-1', '_1'],
      ['+-*@|', 'x_xal'],
      ['event__value_value2____', 'event_value_value2xxxx'],
    ];
    for (const [raw, name] of cases) {
      expect(unlimited.normalizeIdentifier(raw)).toBe(name);
    }
  });

  it('keeps Unicode digits as digits, as Python regexes do', () => {
    expect(unlimited.normalizeIdentifier('٣abc')).toBe('_٣abc');
    expect(unlimited.normalizeIdentifier('Straße')).toBe('stra_e');
  });

  it('rejects empty identifiers and names empty keys _empty', () => {
    expect(() => unlimited.normalizeIdentifier('   \t\n ')).toThrow();
    expect(unlimited.normalizeKey('  ')).toBe('_empty');
    expect(unlimited.normalizeKey('__')).toBe('_empty');
  });
});

describe('paths', () => {
  it('matches dlt test_normalize_path', () => {
    const cases: [string, string][] = [
      ['small_love_potion', 'small_love_potion'],
      ['small__love__potion', 'small__love__potion'],
      ['Small_Love_Potion', 'small_love_potion'],
      ['Small__Love__Potion', 'small__love__potion'],
      ['Small Love Potion', 'small_love_potion'],
      ['Small  Love  Potion', 'small_love_potion'],
      ['e_vent__value_value2___', 'e_vent__value_value2__x'],
    ];
    for (const [raw, name] of cases) {
      expect(unlimited.normalizePath(raw)).toBe(name);
    }
  });

  it('breaks and makes paths like dlt', () => {
    expect(unlimited.breakPath('A__B__C')).toEqual(['A', 'B', 'C']);
    expect(unlimited.breakPath('_a___b__C___D')).toEqual([
      '_a',
      '_b',
      'C',
      '_D',
    ]);
    expect(unlimited.breakPath('_a_____b')).toEqual(['_a', '_b']);
    expect(unlimited.breakPath('_a____b')).toEqual(['_a', 'b']);
    expect(unlimited.breakPath('_a__  \t\r__b')).toEqual(['_a', 'b']);
    expect(unlimited.makePath('_A', '\t\n ', '_B')).toBe('_A___B');
  });
});

describe('shortening', () => {
  it('computes the tags of dlt test_tag_generation', () => {
    const fixture: [string, string][] = [
      [
        '3f17271231504b8cf65690bcdc379df8a3b8aabe12efe1ea82848ec5f497cb69',
        'gds0iw',
      ],
      [
        '58e5c351b53ffe1233e0656a532a721ae1d2ac7af71b6cfec8ceb64c63b10721',
        'uyboiq',
      ],
      [
        'e3f34629839cedcabba95354e48a78dc80b0cd35c02ddfbbf20196ba7f968866',
        '51wdcg',
      ],
      [
        '0d0de95c7c12ceee919d28d22c970285d80a36dea4fe32dbdd667a888ae6d47f',
        'doqcuq',
      ],
      [
        '4d4b99ff5d2a3d5cd076782c9cd088cd85d5c789d7de6bdc19c1d206b687d485',
        '2vvr5a',
      ],
    ];
    for (const [content, tag] of fixture) {
      expect(computeTag(content)).toBe(tag);
    }
  });

  it('places the tag as dlt test_tag_placement does', () => {
    const tag = '123456';
    expect(trimAndTag('DLTHUB_', tag, 6)).toBe(tag);
    expect(trimAndTag('DLT_HUB', tag, 6)).toBe(tag);
    expect(trimAndTag('prefDLT_HUBsuf', tag, 7)).toBe('p' + tag);
    expect(trimAndTag('DLT_HUB_x', tag, 8)).toBe('D' + tag + 'x');
    expect(trimAndTag('prefDLT_HUB_suf', tag, 8)).toBe('p' + tag + 'f');
    expect(() => trimAndTag('DLT', tag, 100)).toThrow();
  });

  it('shortens as dlt test_shorten_identifier expects', () => {
    const ident = 'she played cello well';
    expect(shortenIdentifier(ident, ident, 20)).toBe('she plauanpualo well');
    expect(shortenIdentifier('012345678', 'xxx012345678xxx', 10)).toBe(
      '012345678',
    );
  });

  it('keeps long nested paths unique and within the limit', () => {
    const naming = new NamingConvention(64);
    const levels = Array.from(
      { length: 8 },
      (_, i) => `ReferencedStudySequence${i}`,
    );
    const a = naming.normalizePath(levels.join('__'));
    const b = naming.normalizePath(levels.slice(0, 7).join('__') + '__Other');
    expect(a.length).toBe(64);
    expect(b.length).toBe(64);
    expect(a).not.toBe(b);
    // normalizing again changes nothing
    expect(naming.normalizePath(a)).toBe(a);
  });
});
