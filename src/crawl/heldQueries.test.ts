// The sync's questions to the page: each answer settles the question with
// its id, an error answer rejects it, and a cancel ends every open one.

import { describe, expect, it } from 'vitest';

import { WarehouseError } from '../lib/errors';
import { HeldQueries } from './heldQueries';
import type { WorkerToPage } from './protocol';

function asked(): { sent: WorkerToPage[]; queries: HeldQueries } {
  const sent: WorkerToPage[] = [];
  return { sent, queries: new HeldQueries((message) => sent.push(message)) };
}

describe('HeldQueries', () => {
  it('settles each question with the answer of its id', async () => {
    const { sent, queries } = asked();
    const all = queries.held('studies');
    const children = queries.held('series', ['S1', "S2'"]);
    expect(sent).toEqual([
      { type: 'heldQuery', id: 1, level: 'studies' },
      { type: 'heldQuery', id: 2, level: 'series', parents: ['S1', "S2'"] },
    ]);

    queries.answer({
      type: 'held',
      id: 2,
      resources: [{ id: 'A', parent: 'S1' }],
    });
    queries.answer({ type: 'held', id: 1, resources: [] });
    // an answer to no open question changes nothing
    queries.answer({ type: 'held', id: 7, resources: [] });
    expect(await children).toEqual([{ id: 'A', parent: 'S1' }]);
    expect(await all).toEqual([]);
  });

  it('rejects with the error the page sent', async () => {
    const { queries } = asked();
    const question = queries.held('instances');
    queries.answer({
      type: 'held',
      id: 1,
      error: { code: 'warehouse', message: 'disk full', retryable: false },
    });
    await expect(question).rejects.toMatchObject({
      code: 'warehouse',
      message: 'disk full',
    });
  });

  it('ends open and later questions on close', async () => {
    const { sent, queries } = asked();
    const open = queries.held('patients');
    queries.close();
    await expect(open).rejects.toBeInstanceOf(WarehouseError);
    await expect(queries.held('patients')).rejects.toMatchObject({
      code: 'cancelled',
    });
    expect(sent).toHaveLength(1);
  });
});
