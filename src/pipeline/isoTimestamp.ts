// dlt's `iso_timestamp` detection, which a new dlt schema has switched on:
// a string that reads as an ISO 8601 date and time becomes a timestamp
// column, so the dlt pipeline holds `LastUpdate` ("20170710T175954") and
// the change log's `Date` as timestamps. A date alone or a time alone stays
// text, as in dlt. A value without an offset is taken as UTC, as dlt's
// DuckDB destination stores it, so nothing shifts.
//
// dlt parses with pendulum, which also reads week and ordinal dates
// (`2023-W01-1T10:00`); Orthanc never sends those, and here they stay
// text.

const EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const BASIC =
  /^(\d{4})(\d{2})(\d{2})T(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?:\d{2})?)?$/;

const MICROS_PER_DAY = 86_400_000_000n;

/** Days from 1970-01-01 to a proleptic Gregorian date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear =
    Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Offset east of UTC in minutes, or null when out of range. */
function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Microseconds since 1970-01-01 UTC of an ISO 8601 date and time, or null
 * when `text` is not one (or names a day or hour that does not exist).
 */
export function isoTimestampMicros(text: string): bigint | null {
  // most strings fail on their length or first character, cheaply
  if (text.length < 11 || text.length > 40) return null;
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57) return null;

  const match = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (match === null) return null;
  const [year, month, day, hour] = [1, 2, 3, 4].map((i) => Number(match[i]));
  const minute = Number(match[5] ?? 0);
  const second = Number(match[6] ?? 0);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const offset = offsetMinutes(match[8]);
  if (offset === null) return null;

  const fraction = BigInt((match[7] ?? '').padEnd(6, '0').slice(0, 6));
  const seconds = hour * 3600 + (minute - offset) * 60 + second;
  return (
    BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY +
    BigInt(seconds) * 1_000_000n +
    fraction
  );
}
