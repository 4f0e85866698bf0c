import { describe, expect, it } from 'vitest';

import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { mayHoldLongInteger, parseOrthancJson } from './parseOrthancJson';

/** Orthanc indents its JSON with three spaces. */
function asOrthancSends(body: unknown): string {
  return JSON.stringify(body, null, 3);
}

describe('parseOrthancJson', () => {
  it('keeps integers past 2^53 exact, as BigInt', () => {
    const parsed = parseOrthancJson(
      '{ "FileSize" : 9007199254740993, "Min" : -9223372036854775808,\n' +
        '  "Sizes" : [ 12345678901234567890123, 7 ], "Safe" : 9007199254740991,' +
        ' "Ratio" : 0.1, "Big" : 1.5e300 }',
    );

    expect(parsed).toEqual({
      FileSize: 9007199254740993n,
      Min: -9223372036854775808n,
      Sizes: [12345678901234567890123n, 7],
      Safe: 9007199254740991,
      Ratio: 0.1,
      Big: 1.5e300,
    });
    expect(JSON.parse('{"FileSize": 9007199254740993}')).toEqual({
      FileSize: 9007199254740992,
    });
  });

  it('reads every captured answer natively, UIDs and all, as JSON.parse does', () => {
    const fixtures = [...loadFixtures('1.10.1'), ...loadFixtures('1.12.7')];
    const texts = fixtures
      .filter((fixture) => fixture.text === undefined)
      .map((fixture) => asOrthancSends(fixture.body));
    // the captured pages hold UIDs with 16 digits and more in a row
    expect(texts.some((text) => /\d{16}/.test(text))).toBe(true);

    for (const text of texts) {
      expect(mayHoldLongInteger(text)).toBe(false);
      expect(parseOrthancJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('tells a long integer from digits in a string', () => {
    expect(mayHoldLongInteger('{"Uid":"2.25.1234567890123456789"}')).toBe(
      false,
    );
    expect(mayHoldLongInteger('["1234567890123456789"]')).toBe(false);
    expect(mayHoldLongInteger('[\n   -1234567890123456789\n]')).toBe(true);
    expect(mayHoldLongInteger('1234567890123456789')).toBe(true);
    // a string that looks like a value only costs the slower parse
    expect(parseOrthancJson('{"Note":"a:1234567890123456789"}')).toEqual({
      Note: 'a:1234567890123456789',
    });
  });

  it('behaves like JSON.parse on odd keys and bad text', () => {
    const text = '{"__proto__": 1234567890123456789, "A": 1, "A": 2}';
    const parsed = parseOrthancJson(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'A']);
    expect(parsed.A).toBe(2);
    expect(() => parseOrthancJson('{"A": 1234567890123456789')).toThrow(
      SyntaxError,
    );
    expect(() => parseOrthancJson('<html>')).toThrow(SyntaxError);
  });
});
