// 64-bit integers along the whole path of a load: the text Orthanc sends,
// parsed, normalized, written as Arrow IPC, staged and committed by
// DuckDB-WASM (the build the page runs), and read back.

import { describe, expect, it } from 'vitest';

import { type CapturedResponse, replayFetch } from '../orthanc/replayFetch';
import {
  collectCrawl,
  testConnection,
} from '../pipeline/fixtures/collectCrawl';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';
import { loadEvents, wasmRunner } from './fixtures/warehouseHarness';

/**
 * The captured answers, with these file sizes given to the instances in
 * the order of their pages, as number literals the way Orthanc writes
 * them; and which instance got which size.
 */
function instancesWithSizes(sizes: string[]) {
  const fixtures = loadFixtures('1.12.7');
  const since = (f: CapturedResponse) =>
    Number(/since=(\d+)/.exec(f.request)?.[1]);
  const pages = fixtures
    .filter((f) => f.request.startsWith('/instances?expand&since='))
    .sort((a, b) => since(a) - since(b));
  const sizeOf = new Map<string, string>();
  const answers: CapturedResponse[] = pages.map((page) => {
    const items = (page.body as { ID: string }[]).map((item) => {
      const text = JSON.stringify(item, null, 3);
      const size = sizes[sizeOf.size];
      if (size === undefined) return text;
      sizeOf.set(item.ID, size);
      return text.replace(/"FileSize": \d+/, `"FileSize" : ${size}`);
    });
    return { ...page, text: `[${items.join(',')}]` };
  });
  return {
    answers: [...fixtures.filter((f) => !pages.includes(f)), ...answers],
    sizeOf,
  };
}

describe('64-bit integers from JSON text to DuckDB and back', () => {
  it('stay exact, and those past BIGINT are kept as text, not wrapped', async () => {
    // the size in the JSON text, then file_size and file_size__v_text
    const expected = [
      ['9007199254740993', 9007199254740993n, null],
      ['-9223372036854775808', -9223372036854775808n, null],
      ['9223372036854775807', 9223372036854775807n, null],
      ['9223372036854775808', null, '9223372036854775808'],
      ['18446744073709551617', null, '18446744073709551617'],
      ['742', 742n, null],
    ] as const;
    const { answers, sizeOf } = instancesWithSizes(expected.map((e) => e[0]));
    const replay = replayFetch(testConnection.baseUrl, answers);
    const { events, result } = await collectCrawl(replay.fetch, {
      resources: ['instances_detail'],
    });
    const sql = await wasmRunner();
    await loadEvents(sql, 'L1', events, result.state);

    const rows = await sql.rows(
      'SELECT id, file_size, file_size__v_text ' +
        'FROM orthanc_data.instances_detail',
    );
    const loaded = new Map(rows.map((row) => [row.id, row]));
    expect(
      [...sizeOf].map(([id, size]) => [
        size,
        loaded.get(id)?.file_size,
        loaded.get(id)?.file_size__v_text,
      ]),
    ).toEqual(expected);
    expect(
      await sql.rows(
        'SELECT column_name, data_type FROM duckdb_columns() ' +
          "WHERE table_name = 'instances_detail' " +
          "AND column_name LIKE 'file_size%' ORDER BY column_index",
      ),
    ).toEqual([
      { column_name: 'file_size', data_type: 'BIGINT' },
      { column_name: 'file_size__v_text', data_type: 'VARCHAR' },
    ]);
    // compiling DuckDB's WebAssembly takes a few seconds on a busy machine
  }, 60_000);
});
