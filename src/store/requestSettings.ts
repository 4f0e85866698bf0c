// The Advanced settings of a load: how many requests run at once, how
// long one request may take, how often a failed GET is tried again, and
// how much memory DuckDB may use for the warehouse.
// The form keeps the text as typed, so that a value being edited is never
// replaced under the cursor; a load reads it through
// `parseRequestSettings`, which refuses anything out of range with a
// message that says what is allowed.

import { DEFAULT_MEMORY_LIMIT_MB } from '../warehouse/memoryLimit';

export interface RequestSettings {
  /** Requests in flight at once. */
  concurrency: number;
  /** Deadline of one attempt of one request, body included. */
  timeoutSeconds: number;
  /** Attempts after the first, for failures a retry can cure. */
  retries: number;
  /** DuckDB's memory_limit, in MiB. */
  memoryLimitMb: number;
}

export type RequestSettingName = keyof RequestSettings;

/** The settings as typed in the form. */
export type RequestSettingsText = Record<RequestSettingName, string>;

interface Limit {
  label: string;
  min: number;
  max: number;
  whole: boolean;
  unit: string;
}

export const REQUEST_SETTING_LIMITS: Record<RequestSettingName, Limit> = {
  concurrency: { label: 'Concurrency', min: 1, max: 16, whole: true, unit: '' },
  timeoutSeconds: {
    label: 'Request timeout',
    min: 1,
    max: 600,
    whole: false,
    unit: ' seconds',
  },
  retries: { label: 'Retries', min: 0, max: 10, whole: true, unit: '' },
  // A wasm32 heap ends at 4 GiB, and the page, the crawl worker and
  // DuckDB's own allocations outside its buffer manager need room there.
  // Below about 128 MB even a small load may not commit: each column of
  // each table takes a 256 KiB block while the commit runs.
  memoryLimitMb: {
    label: 'Memory limit',
    min: 64,
    max: 3072,
    whole: true,
    unit: ' MB',
  },
};

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
  concurrency: 4,
  timeoutSeconds: 30,
  retries: 3,
  memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB,
};

export function requestSettingsText(
  settings: RequestSettings,
): RequestSettingsText {
  return {
    concurrency: String(settings.concurrency),
    timeoutSeconds: String(settings.timeoutSeconds),
    retries: String(settings.retries),
    memoryLimitMb: String(settings.memoryLimitMb),
  };
}

/** What is wrong with one typed value, or null when it is usable. */
export function requestSettingError(
  name: RequestSettingName,
  text: string,
): string | null {
  const limit = REQUEST_SETTING_LIMITS[name];
  const typed = text.trim();
  const value = Number(typed);
  const usable =
    (limit.whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(typed) &&
    value >= limit.min &&
    value <= limit.max;
  if (usable) return null;
  const kind = limit.whole ? 'a whole number' : 'a number';
  return `${limit.label} must be ${kind} from ${limit.min} to ${limit.max}${limit.unit}.`;
}

export type ParsedRequestSettings =
  { ok: true; settings: RequestSettings } | { ok: false; message: string };

export function parseRequestSettings(
  text: RequestSettingsText,
): ParsedRequestSettings {
  const names = Object.keys(REQUEST_SETTING_LIMITS) as RequestSettingName[];
  const errors = names
    .map((name) => requestSettingError(name, text[name]))
    .filter((error) => error !== null);
  if (errors.length > 0) {
    return {
      ok: false,
      message: `Fix the Advanced settings: ${errors.join(' ')}`,
    };
  }
  return {
    ok: true,
    settings: {
      concurrency: Number(text.concurrency.trim()),
      timeoutSeconds: Number(text.timeoutSeconds.trim()),
      retries: Number(text.retries.trim()),
      memoryLimitMb: Number(text.memoryLimitMb.trim()),
    },
  };
}
