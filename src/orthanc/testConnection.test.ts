import { describe, expect, it } from 'vitest';
import { replayFetch } from './replayFetch';
import { testConnection } from './testConnection';
import { loadFixtures } from '../pipeline/fixtures/loadFixtures';

const BASE = 'http://127.0.0.1:8042';

describe('testConnection', () => {
  it('reports the server and its totals (Orthanc 1.10.1)', async () => {
    const replay = replayFetch(BASE, loadFixtures('1.10.1'));
    const info = await testConnection(
      { baseUrl: BASE, username: 'demo', password: 'demo' },
      { fetch: replay.fetch },
    );
    expect(info).toEqual({
      name: 'orthanc-warehouse-test',
      version: '1.10.1',
      apiVersion: 16,
      counts: { patients: 7, studies: 7, series: 9, instances: 12 },
      diskSizeBytes: 15882n,
    });
    expect(replay.requests.map((r) => r.path)).toEqual([
      '/system',
      '/statistics',
    ]);
  });

  it('reads the newer API version of Orthanc 1.12.7', async () => {
    const replay = replayFetch(BASE, loadFixtures('1.12.7'));
    const info = await testConnection(
      { baseUrl: `${BASE}/`, username: 'demo', password: 'demo' },
      { fetch: replay.fetch },
    );
    expect(info.version).toBe('1.12.7');
    expect(info.apiVersion).toBe(27);
    expect(info.counts.instances).toBe(12);
  });
});
