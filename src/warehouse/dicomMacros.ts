// The DuckDB macros that read DICOM strings as typed values, created in
// the dataset so that the typed views (dicomViews.ts) read well and users
// can call them too: `SELECT orthanc_data.dicom_date('20230230')`.
//
// Each one checks the value against the grammar of its VR (PS3.5 6.2)
// before it converts, and gives NULL for anything else: an empty value, a
// partial date, a day that is not in the calendar, an hour past 23, a
// number with stray characters. DuckDB's own parsers are lenient about
// widths and spaces (strptime reads '2023023' as 2023-02-03), so the
// regular expression comes first, and strptime then rejects impossible
// days rather than rolling them over.

import { DATASET, qualified } from './sql';

/** A macro of the dataset, as an SQL name. */
function dicomMacro(name: string): string {
  return qualified(DATASET, name);
}

const TIME_DIGITS = String.raw`\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?`;
const TIME_COLONS = String.raw`\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?`;
const UTC_OFFSET = String.raw`(?:[+-](?:0\d|1[0-4])[0-5]\d)?`;
const DECIMAL = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;

/**
 * The part of a value that matches `pattern`, without the space padding
 * around it; '' when the value does not match, which no parser accepts.
 * So a macro reads its argument once: DuckDB copies a macro's argument
 * into every place the body uses it, and evaluates each copy.
 */
function matched(pattern: string): string {
  return `regexp_extract(CAST(raw AS VARCHAR), '^ *(${pattern}) *$', 1)`;
}

/** strptime formats, the longest first: missing parts are zero. */
function formats(...list: string[]): string {
  return `[${list.map((format) => `'${format}'`).join(', ')}]`;
}

const macros: Record<string, string> = {
  // DA: YYYYMMDD, or the ACR-NEMA form YYYY.MM.DD.
  dicom_date: `(raw) AS CAST(try_strptime(
    replace(${matched(String.raw`\d{8}|\d{4}\.\d{2}\.\d{2}`)}, '.', ''),
    '%Y%m%d') AS DATE)`,

  // TM: HH, HHMM, HHMMSS, HHMMSS.F to .FFFFFF, or the ACR-NEMA HH:MM:SS.
  // strptime refuses an hour of 24 and a minute or second of 60 (a leap
  // second has no TIME value).
  dicom_time: `(raw) AS CAST(try_strptime(
    replace(${matched(`${TIME_DIGITS}|${TIME_COLONS}`)}, ':', ''),
    ${formats('%H%M%S.%f', '%H%M%S', '%H%M', '%H')}) AS TIME)`,

  // DT: a whole date, then as much of a time as was given, then an
  // optional UTC offset that is checked and dropped, not applied. A year,
  // or a year and month, is too partial for a TIMESTAMP.
  dicom_datetime: `(raw) AS try_strptime(
    regexp_extract(CAST(raw AS VARCHAR),
      '^ *(\\d{8}(?:${TIME_DIGITS})?)${UTC_OFFSET} *$', 1),
    ${formats(
      '%Y%m%d%H%M%S.%f',
      '%Y%m%d%H%M%S',
      '%Y%m%d%H%M',
      '%Y%m%d%H',
      '%Y%m%d',
    )})`,

  // Orthanc's LastUpdate: YYYYMMDDTHHMMSS, in the server's local time.
  // dlt's iso_timestamp detection loads it as a TIMESTAMP WITH TIME ZONE
  // read as UTC, so that value is taken back without a shift; text (a
  // value a load could not detect) is read by the same grammar.
  orthanc_timestamp: `(raw) AS CASE
    WHEN typeof(raw) = 'VARCHAR' THEN try_strptime(
      ${matched(String.raw`\d{8}T\d{6}`)}, '%Y%m%dT%H%M%S')
    ELSE TRY_CAST(raw AS TIMESTAMP)
  END`,

  // LastUpdate as Orthanc writes it, whichever type the raw table has.
  orthanc_timestamp_text: `(raw) AS CASE
    WHEN typeof(raw) = 'VARCHAR' THEN CAST(raw AS VARCHAR)
    ELSE strftime(TRY_CAST(raw AS TIMESTAMP), '%Y%m%dT%H%M%S')
  END`,

  // IS, and the binary integers (US, UL, SS, SL, SV, UV) as text.
  dicom_integer: `(raw) AS
    TRY_CAST(${matched(String.raw`[+-]?\d+`)} AS BIGINT)`,

  // DS, and the binary floats (FL, FD) as text; an exponent too large for
  // a DOUBLE gives no value rather than infinity.
  dicom_decimal: `(raw) AS CASE
    WHEN isfinite(TRY_CAST(${matched(DECIMAL)} AS DOUBLE))
      THEN TRY_CAST(${matched(DECIMAL)} AS DOUBLE)
  END`,

  // AS: nnnY in whole years; days, weeks and months are not years.
  dicom_age_years: `(raw) AS TRY_CAST(
    regexp_extract(CAST(raw AS VARCHAR), '^ *(\\d{3})Y *$', 1) AS INTEGER)`,

  // PN: up to three groups split by '=' (alphabetic, ideographic,
  // phonetic), the first of five components split by '^'. A group or a
  // component that holds only padding and carets is no value.
  dicom_name_group: `(raw, n) AS CASE
    WHEN trim(replace(
      split_part(CAST(raw AS VARCHAR), '=', n), '^', '')) <> ''
      THEN trim(split_part(CAST(raw AS VARCHAR), '=', n))
  END`,
  dicom_name_component: `(raw, n) AS nullif(trim(split_part(
    split_part(CAST(raw AS VARCHAR), '=', 1), '^', n)), '')`,

  // A multi-valued string, its padding trimmed, split at the backslash.
  dicom_values: `(raw) AS
    string_split(nullif(trim(CAST(raw AS VARCHAR)), ''), '\\')`,
};

/** Creates or replaces every macro; the views call them. */
export function dicomMacrosSql(): string[] {
  return Object.entries(macros).map(
    ([name, body]) => `CREATE OR REPLACE MACRO ${dicomMacro(name)}${body}`,
  );
}

/** The macros the views call, by what they read. */
export const valueMacros = {
  date: dicomMacro('dicom_date'),
  time: dicomMacro('dicom_time'),
  datetime: dicomMacro('dicom_datetime'),
  integer: dicomMacro('dicom_integer'),
  decimal: dicomMacro('dicom_decimal'),
  ageYears: dicomMacro('dicom_age_years'),
  nameGroup: dicomMacro('dicom_name_group'),
  nameComponent: dicomMacro('dicom_name_component'),
  values: dicomMacro('dicom_values'),
  orthancTimestamp: dicomMacro('orthanc_timestamp'),
  orthancTimestampText: dicomMacro('orthanc_timestamp_text'),
};
