// Minimal DICOM Part-10 files made in Node, to fill a test Orthanc with as
// many patients, studies and series as a test needs. Explicit VR little
// endian, a file meta group with its group length, the tags Orthanc
// indexes, sequences of defined length, no pixel data. Everything is
// deterministic: the same index always gives the same names, dates and
// UIDs (under the 2.25 UUID root).
import { createHash } from 'node:crypto';

const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

export type TextVr =
  'CS' | 'DA' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'TM' | 'UI' | 'UT';

/** A data element whose value is text; the VR says how it is padded. */
export interface DicomElement {
  /** Group and element as one number, e.g. 0x00100010. */
  tag: number;
  vr: TextVr;
  /** Text, written as UTF-8, or the exact bytes of the value. */
  value: string | Buffer;
}

/** A data element whose value is bytes, such as a private blob. */
export interface DicomBinary {
  tag: number;
  vr: 'OB';
  bytes: Buffer;
}

/** A sequence: each item is a data set of its own. */
export interface DicomSequence {
  tag: number;
  vr: 'SQ';
  items: DataElement[][];
}

export type DataElement = DicomElement | DicomBinary | DicomSequence;

/** The item tag (FFFE,E000) that opens each item of a sequence. */
const itemTag = 0xfffee000;

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

/** A data set's elements in ascending tag order, as DICOM requires. */
function encodeDataSet(elements: readonly DataElement[]): Buffer {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  return Buffer.concat(sorted.map(encodeDataElement));
}

function encodeDataElement(element: DataElement): Buffer {
  switch (element.vr) {
    case 'SQ':
      return encodeElement(
        element.tag,
        'SQ',
        Buffer.concat(element.items.map(encodeItem)),
      );
    case 'OB': {
      // bytes pad to an even length with a NUL
      const { bytes } = element;
      const padded =
        bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.of(0)]);
      return encodeElement(element.tag, 'OB', padded);
    }
    default:
      return encodeElement(
        element.tag,
        element.vr,
        encodeText(element.vr, element.value),
      );
  }
}

/** An item of defined length: its tag, its length, no VR. */
function encodeItem(item: readonly DataElement[]): Buffer {
  const body = encodeDataSet(item);
  const header = Buffer.alloc(8);
  header.writeUInt16LE(itemTag >>> 16, 0);
  header.writeUInt16LE(itemTag & 0xffff, 2);
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

function encodeText(vr: TextVr, value: string | Buffer): Buffer {
  // Every value has an even length: UIDs pad with NUL, text with a space.
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0x00 : 0x20])]);
}

/** Serializes a data set as a Part-10 file with its file meta group. */
export function buildPart10(
  sopClassUid: string,
  sopInstanceUid: string,
  elements: DataElement[],
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

  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    encodeElement(0x00020000, 'UL', groupLength),
    meta,
    encodeDataSet(elements),
  ]);
}
