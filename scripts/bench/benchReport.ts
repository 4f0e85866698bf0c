// The benchmark's result, as JSON (`--json FILE`) and as the lines it
// prints.
import type { ArchiveShape } from './benchArchive.ts';
import type { LoadMeasure, WireMeasure } from './benchPage.ts';

export interface BenchResult {
  machine: { cpus: number; memoryGb: number; chromium: string; node: string };
  /** Orthanc's version, e.g. "1.10.1". */
  orthanc: string;
  archive: ArchiveShape;
  seedSeconds: number;
  pageSize: number;
  /** Requests in flight, the same for (a), (b) and (c). */
  concurrency: number;
  /** (a) */
  load: LoadMeasure;
  /** (b) */
  naive: LoadMeasure;
  /** (c) */
  wire: WireMeasure;
  /** a/b */
  load_vs_naive: number;
  /** a/c */
  load_vs_wire: number;
}

/** The browser reports tasks of 50 ms and more only. */
const longTask = (ms: number) =>
  ms === 0 ? 'none over 50 ms' : `${Math.round(ms)} ms`;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function line(name: string, measure: LoadMeasure | WireMeasure): string {
  const head =
    `${name.padEnd(20)} ${measure.seconds.toFixed(2).padStart(8)} s ` +
    `${String(measure.requests).padStart(7)} requests ` +
    mb(measure.bytes).padStart(10);
  if (!('memory' in measure)) return head;
  const targets = Object.entries(measure.memory.byTarget)
    .map(([target, bytes]) => `${target} ${mb(bytes)}`)
    .join(', ');
  return (
    `${head}, peak memory ${mb(measure.memory.totalBytes)} (${targets}), ` +
    `longest main-thread task ${longTask(measure.longestTaskMs)}`
  );
}

export function formatResult(result: BenchResult): string {
  const { archive, machine } = result;
  return [
    `Orthanc ${result.orthanc}, ${archive.instances} instances ` +
      `(${archive.patients} patients, ${archive.studies} studies, ` +
      `${archive.series} series), ${result.concurrency} requests at once, ` +
      `pages of ${result.pageSize}`,
    `${machine.cpus} CPUs, ${machine.memoryGb} GB, ${machine.chromium}`,
    line('(a) our load', result.load),
    line('(b) naive pipeline', result.naive),
    line('(c) wire floor', result.wire),
    `a/b (load_vs_naive) ${result.load_vs_naive.toFixed(3)}`,
    `a/c (load_vs_wire)  ${result.load_vs_wire.toFixed(2)}`,
  ].join('\n');
}
