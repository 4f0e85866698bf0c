// One series of instances whose tags are hard to load, generated so that
// the fixtures and the end-to-end servers hold them (cases C18, C20, C21):
// - ImageComments of 300 and of 10,000 characters, past Orthanc's length
//   limit for tags (its full format reports them as TooLong), a short one
//   and an empty one;
// - a private tag (0009,1001) that is a sequence in one instance, bytes in
//   another (Orthanc reports those as Null), too long in a third and a
//   short text in the fourth;
// - a public tag the DICOM dictionary does not know, (0012,0099);
// - a ReferencedStudySequence nested 8 levels deep, StudyDescription "L1"
//   at the top to "L8" at the bottom.
import {
  type DataElement,
  type DicomSequence,
  buildPart10,
  uidFor,
} from './dicom.ts';
import type { GeneratedInstance } from './generateInstances.ts';

const secondaryCapture = '1.2.840.10008.5.1.4.1.1.7';
export const tagCasesPatientId = 'WH-TAG-CASES';
export const tagCasesSeriesDescription = 'TAG CASES';
/** How deep the nested ReferencedStudySequence goes. */
export const nestedLevels = 8;

const imageComments = 0x00204000;
const privateCreator = 0x00090010;
const privateValue = 0x00091001;
const studyDescription = 0x00081030;
const referencedStudySequence = 0x00081110;
const unknownPublicTag = 0x00120099;

/** Level `level` of the nested sequence, and every level under it. */
function nestedStudies(level: number): DicomSequence {
  const item: DataElement[] = [
    { tag: studyDescription, vr: 'LO', value: `L${level}` },
  ];
  if (level < nestedLevels) item.push(nestedStudies(level + 1));
  return { tag: referencedStudySequence, vr: 'SQ', items: [item] };
}

/** What each instance holds besides the identifying tags. */
const cases: { name: string; elements: DataElement[] }[] = [
  {
    name: 'comments-300',
    elements: [
      { tag: imageComments, vr: 'LT', value: 'B'.repeat(300) },
      {
        tag: privateValue,
        vr: 'SQ',
        items: [
          [{ tag: studyDescription, vr: 'LO', value: 'in a private item' }],
        ],
      },
    ],
  },
  {
    name: 'comments-10000',
    elements: [
      { tag: imageComments, vr: 'LT', value: 'C'.repeat(10_000) },
      { tag: privateValue, vr: 'OB', bytes: Buffer.from('binary') },
    ],
  },
  {
    name: 'comments-short',
    elements: [
      { tag: imageComments, vr: 'LT', value: 'A short comment' },
      { tag: privateValue, vr: 'UT', value: 'P'.repeat(300) },
    ],
  },
  {
    name: 'comments-empty',
    elements: [
      { tag: imageComments, vr: 'LT', value: '' },
      { tag: privateValue, vr: 'UT', value: 'A short private value' },
      { tag: unknownPublicTag, vr: 'LO', value: 'not in the dictionary' },
    ],
  },
  { name: 'nested-sequence', elements: [nestedStudies(1)] },
];

/** The instances of the tag cases' series, in instance number order. */
export function generateTagCases(): GeneratedInstance[] {
  const studyUid = uidFor('tag-cases/study');
  const seriesUid = uidFor('tag-cases/series');
  return cases.map(({ name, elements }, index) => {
    const sopUid = uidFor(`tag-cases/${name}`);
    const all: DataElement[] = [
      { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
      { tag: 0x00080016, vr: 'UI', value: secondaryCapture },
      { tag: 0x00080018, vr: 'UI', value: sopUid },
      { tag: 0x00080060, vr: 'CS', value: 'OT' },
      { tag: studyDescription, vr: 'LO', value: 'Tag cases' },
      { tag: 0x0008103e, vr: 'LO', value: tagCasesSeriesDescription },
      { tag: privateCreator, vr: 'LO', value: 'WAREHOUSE TAG CASES' },
      { tag: 0x00100010, vr: 'PN', value: 'Cases^Tag' },
      { tag: 0x00100020, vr: 'LO', value: tagCasesPatientId },
      { tag: 0x0020000d, vr: 'UI', value: studyUid },
      { tag: 0x0020000e, vr: 'UI', value: seriesUid },
      { tag: 0x00200013, vr: 'IS', value: `${index + 1}` },
      ...elements,
    ];
    return {
      patientId: tagCasesPatientId,
      studyInstanceUid: studyUid,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: sopUid,
      modality: 'OT',
      bytes: buildPart10(secondaryCapture, sopUid, all),
    };
  });
}
