// Minimal DICOM Part-10 files made in Node, to fill a test Orthanc with as
// many patients, studies and series as a test needs. Explicit VR little
// endian, a file meta group with its group length, the tags Orthanc
// indexes, no pixel data. Everything is deterministic: the same index
// always gives the same names, dates and UIDs (under the 2.25 UUID root).
import { createHash } from 'node:crypto';

const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

export type TextVr = 'CS' | 'DA' | 'IS' | 'LO' | 'PN' | 'SH' | 'TM' | 'UI';

/** A data element whose value is text; the VR says how it is padded. */
export interface DicomElement {
  /** Group and element as one number, e.g. 0x00100010. */
  tag: number;
  vr: TextVr;
  value: string;
}

/** A UID under 2.25 derived from a name: 128 bits of its SHA-256. */
export function uidFor(name: string): string {
  const hash = createHash('sha256').update(`orthanc-warehouse:${name}`);
  const digits = BigInt(`0x${hash.digest('hex').slice(0, 32)}`);
  return `2.25.${digits.toString()}`;
}

function encodeElement(tag: number, vr: string, value: Buffer): Buffer {
  // OB and its kind take the long form: two reserved bytes, 32-bit length.
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT', 'UC'].includes(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

function encodeText(vr: TextVr, value: string): Buffer {
  // Every value has an even length: UIDs pad with NUL, text with a space.
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0x00 : 0x20])]);
}

/** Serializes a data set as a Part-10 file with its file meta group. */
export function buildPart10(
  sopClassUid: string,
  sopInstanceUid: string,
  elements: DicomElement[],
): Buffer {
  const meta = Buffer.concat([
    encodeElement(0x00020001, 'OB', Buffer.from([0x00, 0x01])),
    encodeElement(0x00020002, 'UI', encodeText('UI', sopClassUid)),
    encodeElement(0x00020003, 'UI', encodeText('UI', sopInstanceUid)),
    encodeElement(0x00020010, 'UI', encodeText('UI', explicitVrLittleEndian)),
    encodeElement(0x00020012, 'UI', encodeText('UI', uidFor('software'))),
    encodeElement(0x00020013, 'SH', encodeText('SH', 'ORTHANC_WH_1')),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length);

  // A data set lists its elements in ascending tag order.
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  const body = sorted.map((e) =>
    encodeElement(e.tag, e.vr, encodeText(e.vr, e.value)),
  );
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    encodeElement(0x00020000, 'UL', groupLength),
    meta,
    ...body,
  ]);
}
