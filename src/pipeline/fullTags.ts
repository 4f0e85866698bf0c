// One instance's tags, as Orthanc's full format gives them, turned into a
// document for the relational normalizer: one key per tag, named after
// the tag, so that `0010,0010 PatientName` becomes the column
// `patient_name` and a sequence becomes a child table of its items.
//
// The full format tells apart what the others blur (case C20):
//   {"0020,4000": {"Name": "ImageComments", "Type": "String", "Value": ""},
//    "0008,1110": {"Name": "ReferencedStudySequence", "Type": "Sequence",
//                  "Value": [{<tags>}, ...]},
//    "0032,4000": {"Name": "StudyComments", "Type": "TooLong",
//                  "Value": null},
//    "7fe0,0010": {"Name": "PixelData", "Type": "Null", "Value": null}}
// - String: the text, empty or not, as the server sent it;
// - Sequence: a list of documents, one per item (a child table);
// - TooLong: past Orthanc's length limit for tags (its source sets 256
//   characters; 300 were past it on 1.10.1 and 1.12.7), sent without
//   its value (case C18). The value
//   stays NULL and `<key>__too_long` is true, so that the text column
//   keeps its type and the word TooLong is never taken for data;
// - any other type (Null for bytes, pixel data and the like): the value
//   if it is text, else NULL, and the type in `<key>__type`.
//
// Keys: the tag's Name, except for
// - private tags (odd group): `private_<group>_<element>`, e.g.
//   `private_0019_10a2`. Orthanc names some from vendors' dictionaries,
//   but those names repeat within one file (a GE CT in pydicom's samples
//   has seven `LowerRangeOfPixels`) and an element's meaning depends on
//   its private creator, so only the number is stable;
// - public tags Orthanc does not know ("Unknown Tag & Data", or no name)
//   and a second tag with a name already taken: `tag_<group>_<element>`.
// Group and element are written as Orthanc writes them, lower case hex.

import { WarehouseError } from '../lib/errors';
import { expectObject, isObject, type JsonObject } from '../orthanc/guards';

export const TOO_LONG_SUFFIX = '__too_long';
export const TYPE_SUFFIX = '__type';

const UNKNOWN_NAME = 'Unknown Tag & Data';
const TAG_NUMBER = /^([0-9a-fA-F]{4}),([0-9a-fA-F]{4})$/;

function badTags(path: string, detail: string): WarehouseError {
  return new WarehouseError(
    'bad_response',
    `The server's answer to ${path} is not DICOM tags in the full ` +
      `format (${detail}): is this Orthanc?`,
  );
}

/** The document key of one tag; `taken` holds the keys already used. */
export function tagKey(
  tag: string,
  name: unknown,
  taken: ReadonlySet<string>,
): string {
  const number = TAG_NUMBER.exec(tag);
  const group = number?.[1]?.toLowerCase() ?? '';
  const element = number?.[2]?.toLowerCase() ?? '';
  const byNumber = number ? `${group}_${element}` : tag;
  if (number && parseInt(group, 16) % 2 === 1) return `private_${byNumber}`;

  const known =
    typeof name === 'string' && name.trim() !== '' && name !== UNKNOWN_NAME;
  if (known && !taken.has(name)) return name;
  return `tag_${byNumber}`;
}

/**
 * The document of one data set: an instance's tags, or an item of a
 * sequence. `path` names the request, for the message of a bad answer.
 */
export function fullTagsDocument(tags: unknown, path: string): JsonObject {
  if (!isObject(tags)) throw badTags(path, 'a data set is not an object');
  const document: JsonObject = {};
  const taken = new Set<string>();

  for (const [tag, entry] of Object.entries(tags)) {
    if (!isObject(entry) || typeof entry.Type !== 'string') {
      throw badTags(path, `tag ${tag} has no Type`);
    }
    const key = tagKey(tag, entry.Name, taken);
    taken.add(key);
    const value = entry.Value;

    switch (entry.Type) {
      case 'String':
        if (typeof value === 'string') document[key] = value;
        else if (value !== null) throw badTags(path, `tag ${tag} is no text`);
        break;
      case 'Sequence':
        if (!Array.isArray(value)) {
          throw badTags(path, `sequence ${tag} has no items`);
        }
        document[key] = value.map((item) => fullTagsDocument(item, path));
        break;
      case 'TooLong':
        document[key + TOO_LONG_SUFFIX] = true;
        break;
      default:
        // never an object's `[object Object]`: its JSON, if anything
        if (typeof value === 'string') document[key] = value;
        else if (value !== null && value !== undefined) {
          document[key] = JSON.stringify(value);
        }
        document[key + TYPE_SUFFIX] = entry.Type;
    }
  }
  return document;
}

/**
 * The rows of one answer of `/series/{id}/instances-tags`: one per
 * instance, with its Orthanc ID and its series' ahead of its tags.
 */
export function seriesTagsRows(
  seriesId: string,
  body: unknown,
  path: string,
): JsonObject[] {
  return Object.entries(expectObject(body, path)).map(([id, tags]) => ({
    id,
    parent_series: seriesId,
    ...fullTagsDocument(tags, path),
  }));
}
