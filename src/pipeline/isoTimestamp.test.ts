import { describe, expect, it } from 'vitest';

import { isoTimestampMicros } from './isoTimestamp';

/** The ISO string of a result, to compare with what Date says. */
function iso(text: string): string | null {
  const micros = isoTimestampMicros(text);
  if (micros === null) return null;
  const date = new Date(Number(micros / 1000n));
  const extra = String(micros % 1000n).padStart(3, '0');
  return `${date.toISOString().slice(0, -1)}${extra}Z`;
}

describe('isoTimestampMicros, as dlt detects iso_timestamp', () => {
  it("reads Orthanc's LastUpdate and change dates as UTC", () => {
    expect(iso('20170710T175954')).toBe('2017-07-10T17:59:54.000000Z');
    expect(iso('20231203T185326')).toBe('2023-12-03T18:53:26.000000Z');
  });

  it('reads the extended form, fractions and offsets', () => {
    expect(iso('2023-01-15T10:15:30.123456')).toBe(
      '2023-01-15T10:15:30.123456Z',
    );
    expect(iso('2023-01-15 10:15')).toBe('2023-01-15T10:15:00.000000Z');
    expect(iso('2023-01-15T10:15:30+02:00')).toBe(
      '2023-01-15T08:15:30.000000Z',
    );
    expect(iso('2023-01-15T00:30:00-0130')).toBe('2023-01-15T02:00:00.000000Z');
    expect(iso('20240229T235959.5Z')).toBe('2024-02-29T23:59:59.500000Z');
  });

  it('leaves dates alone, times alone and DICOM values as text', () => {
    for (const text of [
      '20230115', // DA: a date without a time is not a timestamp in dlt
      '2023-01-15',
      '101530.123456', // TM
      '20230115101530', // DT has no T
      '1.2.840.10008.5.1.4.1.1.2',
      'CT',
      '',
      'Smith^John',
    ]) {
      expect(isoTimestampMicros(text), text).toBeNull();
    }
  });

  it('refuses days and hours that do not exist', () => {
    for (const text of [
      '20230230T101500', // 30 February
      '20230229T101500', // not a leap year
      '20231301T101500',
      '20230101T241500',
      '20230101T106000',
      '2023-01-01T10:15:30+25:00',
    ]) {
      expect(isoTimestampMicros(text), text).toBeNull();
    }
  });

  it('counts days before 1970 and far ahead exactly', () => {
    expect(iso('1900-01-01T00:00:00')).toBe('1900-01-01T00:00:00.000000Z');
    expect(iso('0001-01-01T00:00:00')).toBe('0001-01-01T00:00:00.000000Z');
    expect(isoTimestampMicros('0001-01-01T00:00:00Z')).toBe(
      -62_135_596_800_000_000n,
    );
    expect(iso('9999-12-31T23:59:59.999999')).toBe(
      '9999-12-31T23:59:59.999999Z',
    );
  });
});
