// Prometheus' text exposition format, as /tools/metrics-prometheus sends
// it, read into one sample per line: a long table (name, labels, value,
// timestamp), so that a metric that appears on a later scrape adds rows,
// never columns. The text is never handed to a JSON parser. `# HELP` and
// `# TYPE` lines, comments and blank lines carry no sample and are
// skipped; a line that does not parse is counted, not fatal.
//
// `NaN` and the infinities are kept as the IEEE doubles they name (DuckDB
// DOUBLE holds them), so that "no value" and "not a number" stay apart.

export interface MetricSample {
  name: string;
  /** Absent when the sample has no labels. */
  labels?: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line gives one. */
  timestamp?: bigint;
}

export interface PrometheusText {
  samples: MetricSample[];
  /** Lines that looked like samples but did not parse. */
  unreadable: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A sample value: a decimal, `NaN`, or an infinity with its sign. */
function parseValue(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^\+?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  return DECIMAL.test(text) ? Number(text) : null;
}

/** Reads `{a="x",b="y\"z"}` from `at`; returns the labels and the end. */
function parseLabels(
  line: string,
  at: number,
): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '}') return { labels, end: i + 1 };

    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (name === undefined) return null;
    i += name.length;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== '=') return null;
    i++;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== '"') return null;
    i++;

    let value = '';
    for (;;) {
      const char = line[i];
      if (char === undefined) return null;
      i++;
      if (char === '"') break;
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = line[i];
      i++;
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else return null;
    }
    labels[name] = value;

    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') return null;
  }
}

function parseLine(line: string): MetricSample | null {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) return null;
  let rest = line.slice(name.length);

  let labels: Record<string, string> | undefined;
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest, 0);
    if (!parsed) return null;
    labels = parsed.labels;
    rest = rest.slice(parsed.end);
  }

  // the value, then an optional timestamp, separated by blanks
  if (rest !== '' && !/^[ \t]/.test(rest)) return null;
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2) return null;
  const value = parseValue(fields[0] ?? '');
  if (value === null) return null;

  const sample: MetricSample = { name, value };
  if (labels && Object.keys(labels).length > 0) sample.labels = labels;
  const timestamp = fields[1];
  if (timestamp !== undefined) {
    if (!INTEGER.test(timestamp)) return null;
    sample.timestamp = BigInt(timestamp);
  }
  return sample;
}

export function parsePrometheusText(text: string): PrometheusText {
  const samples: MetricSample[] = [];
  let unreadable = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample) samples.push(sample);
    else unreadable++;
  }
  return { samples, unreadable };
}
