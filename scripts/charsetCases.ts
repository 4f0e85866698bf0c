// Two patients whose names were written in another character set than the
// file declares (case C14), as old modalities write them:
// - SpecificCharacterSet ISO_IR 100 (Latin-1) with Windows-1252 bytes, so
//   that 0x9E, 0x9A, 0x8E and 0x8A decode to C1 control characters;
// - no SpecificCharacterSet at all, with UTF-8 bytes, which Orthanc reads
//   in its default encoding (Latin-1) and so garbles.
// What Orthanc makes of them is the data: the warehouse keeps its strings
// exactly, with no second decoding.
import { buildPart10, type DataElement, uidFor } from './dicom.ts';
import type { GeneratedInstance } from './generateInstances.ts';

const secondaryCapture = '1.2.840.10008.5.1.4.1.1.7';

export const charsetCases = [
  {
    patientId: 'WH-CHARSET-1252',
    charset: 'ISO_IR 100',
    name: Buffer.from([
      0x63, 0x63, 0x9e, 0x9a, 0x64, 0x5e, 0x43, 0x43, 0x8e, 0x8a, 0xd0,
    ]),
  },
  {
    patientId: 'WH-CHARSET-NONE',
    charset: null,
    name: Buffer.from('Ærøskøbing^Zoë', 'utf8'),
  },
] as const;

export function generateCharsetCases(): GeneratedInstance[] {
  return charsetCases.map(({ patientId, charset, name }) => {
    const studyUid = uidFor(`charset/${patientId}/study`);
    const seriesUid = uidFor(`charset/${patientId}/series`);
    const sopUid = uidFor(`charset/${patientId}/instance`);
    const elements: DataElement[] = [
      { tag: 0x00080016, vr: 'UI', value: secondaryCapture },
      { tag: 0x00080018, vr: 'UI', value: sopUid },
      { tag: 0x00080060, vr: 'CS', value: 'OT' },
      { tag: 0x00100010, vr: 'PN', value: name },
      { tag: 0x00100020, vr: 'LO', value: patientId },
      { tag: 0x0020000d, vr: 'UI', value: studyUid },
      { tag: 0x0020000e, vr: 'UI', value: seriesUid },
    ];
    if (charset !== null) {
      elements.push({ tag: 0x00080005, vr: 'CS', value: charset });
    }
    return {
      patientId,
      studyInstanceUid: studyUid,
      seriesInstanceUid: seriesUid,
      sopInstanceUid: sopUid,
      modality: 'OT',
      bytes: buildPart10(secondaryCapture, sopUid, elements),
    };
  });
}
