import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digest128, shake128 } from './shake128';

describe('shake128', () => {
  it("matches Node's SHAKE128 across block boundaries and lengths", () => {
    for (const size of [0, 1, 135, 167, 168, 169, 336, 1000]) {
      const input = randomBytes(size);
      for (const length of [4, 10, 15, 168, 400]) {
        const expected = createHash('shake128', { outputLength: length })
          .update(input)
          .digest('hex');
        expect(Buffer.from(shake128(input, length)).toString('hex')).toBe(
          expected,
        );
      }
    }
  });

  it("makes dlt's digest128 of UTF-8 text", () => {
    const text =
      'Yamada^Tarou=山田^太郎=やまだ^たろう_studies_detail__series_0';
    const expected = createHash('shake128', { outputLength: 10 })
      .update(text, 'utf8')
      .digest('base64')
      .replace(/=+$/, '');
    expect(digest128(text, 10)).toBe(expected);
    expect(digest128(text, 10)).toHaveLength(14);
  });
});
