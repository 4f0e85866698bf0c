// Deterministic synthetic patients for a test Orthanc: each patient has 2
// studies of 3 series, each series 1 to 4 instances, with modalities,
// names (some non-ASCII), dates and accession numbers that vary the way a
// small clinic's archive does.
import { type DicomElement, buildPart10, uidFor } from './dicom.ts';

const modalities = [
  { modality: 'CT', sopClass: '1.2.840.10008.5.1.4.1.1.2', body: 'CHEST' },
  { modality: 'MR', sopClass: '1.2.840.10008.5.1.4.1.1.4', body: 'BRAIN' },
  { modality: 'US', sopClass: '1.2.840.10008.5.1.4.1.1.6.1', body: 'ABDOMEN' },
  { modality: 'CR', sopClass: '1.2.840.10008.5.1.4.1.1.1', body: 'HAND' },
  { modality: 'DX', sopClass: '1.2.840.10008.5.1.4.1.1.1.1', body: 'KNEE' },
  { modality: 'MG', sopClass: '1.2.840.10008.5.1.4.1.1.1.2', body: 'BREAST' },
  {
    modality: 'PT',
    sopClass: '1.2.840.10008.5.1.4.1.1.128',
    body: 'WHOLEBODY',
  },
] as const;

const familyNames = [
  'Smith',
  'Garcia',
  'Müller',
  'Dubois',
  'Rossi',
  'Nowak',
  'Jansen',
  'Ødegård',
  'Kowalski',
  'Papadopoulos',
  'Nguyen',
  "O'Brien",
  'Silva',
  'Jørgensen',
  'Łukasiewicz',
  'Schäfer',
  'Peeters',
  'Novák',
  'Costa',
  'Ito',
];
const givenNames = [
  'Anna',
  'Jürgen',
  'Marie',
  'José',
  'Åse',
  'Luca',
  'Zoë',
  'Piotr',
  'Eva',
  'François',
  'Sven',
  'Ingrid',
  'Mehmet',
  'Chloé',
  'Tomás',
  'Yuki',
];

/** A number in [0, 1) that depends only on `key`. */
function unit(key: string): number {
  const hash = uidFor(`random:${key}`).slice(5, 20);
  return Number(hash) / 1e15;
}

function pick<T>(items: readonly T[], key: string): T {
  const item = items[Math.floor(unit(key) * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function dicomDate(year: number, dayOfYear: number): string {
  const date = new Date(Date.UTC(year, 0, 1 + dayOfYear));
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

export interface GeneratedInstance {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  modality: string;
  /** The Part-10 file. */
  bytes: Buffer;
}

/** Instances per series of patient p, study s, series r: 1 to 4. */
function instancesInSeries(p: number, s: number, r: number): number {
  return 1 + ((p * 7 + s * 3 + r) % 4);
}

/**
 * The first `count` instances of the synthetic archive, patient after
 * patient; `namespace` keeps two archives' UIDs apart.
 */
export function generateInstances(
  count: number,
  namespace = 'default',
): GeneratedInstance[] {
  const out: GeneratedInstance[] = [];
  for (let p = 0; out.length < count; p++) {
    const patientKey = `${namespace}/p${p}`;
    const patientId = `WH${namespace === 'default' ? '' : `-${namespace}`}-${String(p).padStart(5, '0')}`;
    const family = pick(familyNames, `${patientKey}/family`);
    const given = pick(givenNames, `${patientKey}/given`);
    const birthYear = 1930 + Math.floor(unit(`${patientKey}/born`) * 80);
    const patient: DicomElement[] = [
      { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
      { tag: 0x00100010, vr: 'PN', value: `${family}^${given}` },
      { tag: 0x00100020, vr: 'LO', value: patientId },
      {
        tag: 0x00100030,
        vr: 'DA',
        value: dicomDate(birthYear, Math.floor(unit(`${patientKey}/bd`) * 365)),
      },
      { tag: 0x00100040, vr: 'CS', value: pick(['F', 'M', 'O'], patientKey) },
    ];

    for (let s = 0; s < 2 && out.length < count; s++) {
      const studyKey = `${patientKey}/s${s}`;
      const kind = pick(modalities, `${studyKey}/modality`);
      const studyUid = uidFor(`${studyKey}/study`);
      const studyYear = 2015 + Math.floor(unit(`${studyKey}/year`) * 10);
      const study: DicomElement[] = [
        { tag: 0x00200010, vr: 'SH', value: `${s + 1}` },
        { tag: 0x0020000d, vr: 'UI', value: studyUid },
        {
          tag: 0x00080020,
          vr: 'DA',
          value: dicomDate(studyYear, Math.floor(unit(studyKey) * 365)),
        },
        {
          tag: 0x00080030,
          vr: 'TM',
          // HHMMSS: 08:15:30 to 17:25:30
          value: `${String(8 + (p % 10)).padStart(2, '0')}${15 + s * 10}30`,
        },
        {
          tag: 0x00080050,
          vr: 'SH',
          value: `A${String(p * 2 + s).padStart(7, '0')}`,
        },
        { tag: 0x00081030, vr: 'LO', value: `${kind.modality} ${kind.body}` },
      ];

      for (let r = 0; r < 3 && out.length < count; r++) {
        const seriesKey = `${studyKey}/r${r}`;
        const seriesUid = uidFor(`${seriesKey}/series`);
        const series: DicomElement[] = [
          { tag: 0x0020000e, vr: 'UI', value: seriesUid },
          { tag: 0x00080060, vr: 'CS', value: kind.modality },
          { tag: 0x00200011, vr: 'IS', value: `${r + 1}` },
          {
            tag: 0x0008103e,
            vr: 'LO',
            value: `${kind.body} ${['AX', 'COR', 'SAG'][r] ?? 'AX'}`,
          },
        ];

        const total = instancesInSeries(p, s, r);
        for (let i = 0; i < total && out.length < count; i++) {
          const sopUid = uidFor(`${seriesKey}/i${i}`);
          const elements: DicomElement[] = [
            ...patient,
            ...study,
            ...series,
            { tag: 0x00080016, vr: 'UI', value: kind.sopClass },
            { tag: 0x00080018, vr: 'UI', value: sopUid },
            { tag: 0x00200013, vr: 'IS', value: `${i + 1}` },
          ];
          out.push({
            patientId,
            studyInstanceUid: studyUid,
            seriesInstanceUid: seriesUid,
            sopInstanceUid: sopUid,
            modality: kind.modality,
            bytes: buildPart10(kind.sopClass, sopUid, elements),
          });
        }
      }
    }
  }
  return out;
}
