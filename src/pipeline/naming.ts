// dlt's default naming convention, `snake_case`, ported step by step from
// dlt/common/normalizers/naming/snake_case.py and naming.py, so that the
// tables and columns here carry the names a dlt pipeline would give them:
// PatientID -> patient_id, MainDicomTags -> main_dicom_tags, nested keys
// joined with `__`. Names longer than the limit are cut in the middle and
// tagged with a digest of the raw name, as dlt does.

import { bytesToBase64, shake128 } from '../lib/shake128';

/** Joins nested keys into column names and parent tables into children. */
export const PATH_SEPARATOR = '__';

/**
 * dlt's DuckDB destination accepts names of any length; 127 keeps names
 * readable and usable in other warehouses and file names. Shortened names
 * stay unique through the tag.
 */
export const DEFAULT_MAX_IDENTIFIER_LENGTH = 127;

/** What dlt uses for a key that is empty or only spaces. */
export const EMPTY_KEY_IDENTIFIER = '_empty';

// dlt compiles its patterns for `str`, where `\d` is any Unicode decimal
// digit; `\p{Nd}` keeps that meaning here.
const RE_NON_ALPHANUMERIC = /[^a-zA-Z\p{Nd}_]+/gu;
const RE_LEADING_DIGITS = /^\p{Nd}+/u;
const RE_UNDERSCORES = /__+/g;
const RE_TRAILING_UNDERSCORES = /_+$/;
const SNAKE_CASE_BREAK_1 = /([^_])([A-Z][a-z]+)/gu;
const SNAKE_CASE_BREAK_2 = /([a-z0-9])([A-Z])/g;
const REDUCE_ALPHABET: Record<string, string> = {
  '+': 'x',
  '-': '_',
  '*': 'x',
  '@': 'a',
  '|': 'l',
};

/** dlt's default chance of two tags colliding. */
const COLLISION_PROBABILITY = 0.001;
const TAG_BYTES = Math.floor(
  Math.floor((3 * Math.log2(1 / COLLISION_PROBABILITY)) / 8) + 1,
);

const encoder = new TextEncoder();

/**
 * A short, case-insensitive digest of a raw name: 6 characters of
 * base64 (`/` and `+` read as `a` and `b`), lower case.
 */
export function computeTag(identifier: string): string {
  const digest = shake128(encoder.encode(identifier), TAG_BYTES);
  return bytesToBase64(digest)
    .replace(/=+$/, '')
    .replaceAll('/', 'a')
    .replaceAll('+', 'b')
    .toLowerCase();
}

/** Cuts `identifier` to `maxLength`, with `tag` in the middle. */
export function trimAndTag(
  identifier: string,
  tag: string,
  maxLength: number,
): string {
  // dlt counts code points, not UTF-16 units
  const chars = Array.from(identifier);
  if (tag.length > maxLength || chars.length <= maxLength) {
    throw new RangeError(`cannot tag "${identifier}" to ${maxLength}`);
  }
  const remaining = maxLength - tag.length;
  const half = Math.floor(remaining / 2);
  const head = chars.slice(0, half + (remaining % 2)).join('');
  const tail = chars.slice(chars.length - half).join('');
  return head + tag + tail;
}

/**
 * Shortens a normalized name that is over the limit; the tag comes from
 * the raw name so that different raw names stay apart.
 */
export function shortenIdentifier(
  normalized: string,
  raw: string,
  maxLength: number | null,
): string {
  if (maxLength && Array.from(normalized).length > maxLength) {
    return trimAndTag(normalized, computeTag(raw), maxLength);
  }
  return normalized;
}

function toSnakeCase(identifier: string): string {
  let out = identifier
    .replace(SNAKE_CASE_BREAK_1, '$1_$2')
    .replace(SNAKE_CASE_BREAK_2, '$1_$2')
    .toLowerCase();

  if (RE_LEADING_DIGITS.test(out)) out = '_' + out;

  // a trailing `_` would read as a path separator once joined: dlt writes
  // each of them as `x`
  const trailing = RE_TRAILING_UNDERSCORES.exec(out)?.[0].length ?? 0;
  out = out.slice(0, out.length - trailing) + 'x'.repeat(trailing);

  return out.replace(RE_UNDERSCORES, '_');
}

/** dlt's NamingConvention for snake_case, with an optional length limit. */
export class NamingConvention {
  readonly maxLength: number | null;
  private readonly cache = new Map<string, string>();

  constructor(maxLength: number | null = DEFAULT_MAX_IDENTIFIER_LENGTH) {
    this.maxLength = maxLength;
  }

  /** One key to one name; throws on an empty key, as dlt does. */
  normalizeIdentifier(identifier: string): string {
    const cached = this.cache.get(identifier);
    if (cached !== undefined) return cached;

    const stripped = identifier.trim();
    if (!stripped) throw new RangeError('an identifier cannot be empty');
    const reduced = stripped
      .replace(/[+\-*@|]/g, (c) => REDUCE_ALPHABET[c] ?? c)
      .replace(RE_NON_ALPHANUMERIC, '_');
    const name = shortenIdentifier(
      toSnakeCase(reduced),
      stripped,
      this.maxLength,
    );

    this.cache.set(identifier, name);
    return name;
  }

  /** Joins names with `__`, leaving out empty ones. */
  makePath(...identifiers: string[]): string {
    return identifiers.filter((i) => i.trim()).join(PATH_SEPARATOR);
  }

  breakPath(path: string): string[] {
    return path.split(PATH_SEPARATOR).filter((i) => i.trim());
  }

  /**
   * Normalizes each part of a `__` path and shortens the whole. dlt runs
   * every data key through this, so a key that holds `__` keeps it.
   */
  normalizePath(path: string): string {
    const parts = this.breakPath(path).map((p) => this.normalizeIdentifier(p));
    return shortenIdentifier(this.makePath(...parts), path, this.maxLength);
  }

  /** Joins already normalized names and shortens the result. */
  shortenFragments(...normalized: string[]): string {
    const path = this.makePath(...normalized);
    return shortenIdentifier(path, path, this.maxLength);
  }

  /**
   * The name of a data key, as dlt's relational normalizer makes it: an
   * empty key, or one that normalizes to nothing, becomes `_empty`.
   */
  normalizeKey(key: string): string {
    if (!key.trim()) return EMPTY_KEY_IDENTIFIER;
    return this.normalizePath(key) || EMPTY_KEY_IDENTIFIER;
  }
}
