import { describe, expect, it } from 'vitest';
import type { CapturedResponse } from '../orthanc/replayFetch';
import { loadFixtures } from './fixtures/loadFixtures';
import { parsePrometheusText } from './prometheusText';

function metricsText(version: string): string {
  const found = loadFixtures(version).find(
    (f: CapturedResponse) => f.request === '/tools/metrics-prometheus',
  );
  return found?.text ?? '';
}

describe('parsePrometheusText', () => {
  it("reads every line of a real Orthanc's metrics", () => {
    // Orthanc writes `name value timestamp_ms`, no labels: read plainly,
    // each line must come out as one sample with the same numbers.
    const text = metricsText('1.10.1');
    const lines = text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    const { samples, unreadable } = parsePrometheusText(text);

    expect(unreadable).toBe(0);
    expect(lines.length).toBeGreaterThan(10);
    expect(samples).toEqual(
      lines.map((line) => {
        const [name, value, timestamp] = line.split(' ');
        return {
          name,
          value: Number(value),
          timestamp: BigInt(timestamp ?? ''),
        };
      }),
    );
    const instances = samples.find((s) => s.name === 'orthanc_count_instances');
    expect(instances?.value).toBe(12);
  });

  it('skips HELP and TYPE lines and keeps labels, NaN and infinities', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# a comment',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'orthanc_ratio NaN 1796317176201',
      'upper +Inf',
      'lower -Inf',
    ].join('\n');

    const { samples, unreadable } = parsePrometheusText(text);

    expect(unreadable).toBe(0);
    expect(samples.map((s) => s.name)).toEqual([
      'http_requests_total',
      'http_requests_total',
      'msdos_file_access_time_seconds',
      'metric_without_timestamp_and_labels',
      'orthanc_ratio',
      'upper',
      'lower',
    ]);
    expect(samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '400' },
      value: 3,
      timestamp: 1395066363000n,
    });
    expect(samples[2]?.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(samples[2]?.value).toBe(1458255915);
    expect(samples[3]).toEqual({
      name: 'metric_without_timestamp_and_labels',
      value: 12.47,
    });
    expect(samples[4]?.value).toBeNaN();
    expect(samples[4]?.timestamp).toBe(1796317176201n);
    expect(samples[5]?.value).toBe(Infinity);
    expect(samples[6]?.value).toBe(-Infinity);
  });

  it('counts lines it cannot read instead of guessing', () => {
    const { samples, unreadable } = parsePrometheusText(
      [
        'good 1',
        'no_value',
        'bad_value twelve',
        'bad_labels{method=post} 1',
        'unclosed{method="post" 1',
        'bad_timestamp 1 soon',
        '{"Name": "json"}',
      ].join('\n'),
    );
    expect(samples).toEqual([{ name: 'good', value: 1 }]);
    expect(unreadable).toBe(6);
  });

  it('gives no samples for the empty body of switched-off metrics', () => {
    expect(parsePrometheusText('')).toEqual({ samples: [], unreadable: 0 });
  });
});
