// The archive the benchmark loads: N minimal instances spread evenly over
// N/100 patients, each with 2 studies of 3 series (20,000 instances give
// 200 patients, 400 studies and 1,200 series), made on the fly and
// stored through POST /instances with many requests in flight, so that
// 100,000 instances take minutes, not memory.
import { performance } from 'node:perf_hooks';

import { buildPart10, type DicomElement, uidFor } from '../dicom.ts';
import type { OrthancServer } from '../orthanc.ts';
import { postInstance } from '../seed.ts';

const STUDIES_PER_PATIENT = 2;
const SERIES_PER_STUDY = 3;
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface ArchiveShape {
  patients: number;
  studies: number;
  series: number;
  instances: number;
}

export function archiveShape(instances: number): ArchiveShape {
  const patients = Math.max(1, Math.round(instances / 100));
  const studies = patients * STUDIES_PER_PATIENT;
  const series = Math.min(instances, studies * SERIES_PER_STUDY);
  return { patients, studies, series, instances };
}

/** The Part-10 file of instance `index` of the archive. */
function benchInstance(index: number, shape: ArchiveShape): Buffer {
  const series = Math.floor((index * shape.series) / shape.instances);
  const study = Math.floor(series / SERIES_PER_STUDY);
  const patient = Math.floor(study / STUDIES_PER_PATIENT);
  const sopUid = uidFor(`bench/i${index}`);
  const elements: DicomElement[] = [
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
    { tag: 0x00080018, vr: 'UI', value: sopUid },
    { tag: 0x00080020, vr: 'DA', value: '20240131' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00100010, vr: 'PN', value: `Bench^Patient${patient}` },
    { tag: 0x00100020, vr: 'LO', value: `BENCH-${patient}` },
    { tag: 0x0020000d, vr: 'UI', value: uidFor(`bench/s${study}`) },
    { tag: 0x0020000e, vr: 'UI', value: uidFor(`bench/r${series}`) },
    { tag: 0x00200013, vr: 'IS', value: `${index + 1}` },
  ];
  return buildPart10(CT_IMAGE, sopUid, elements);
}

export interface SeedReport {
  stored: number;
  seconds: number;
}

/** Stores the archive; every instance must be taken. */
export async function seedArchive(
  server: OrthancServer,
  shape: ArchiveShape,
  concurrency: number,
  onProgress: (stored: number) => void = () => undefined,
): Promise<SeedReport> {
  const started = performance.now();
  let next = 0;
  let stored = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < shape.instances; index = next++) {
      const outcome = await postInstance(server, benchInstance(index, shape));
      if (outcome.kind === 'rejected') {
        throw new Error(
          `Orthanc refused instance ${index}: ${outcome.status} ${outcome.message}`,
        );
      }
      if (++stored % 1000 === 0) onProgress(stored);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { stored, seconds: (performance.now() - started) / 1000 };
}
