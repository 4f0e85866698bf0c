import { describe, expect, it } from 'vitest';

import type { StoredSchema, TableSchema } from '../pipeline/schema';
import { tableTree } from './tableTree';

const root = (name: string) => ({ name, columnNames: ['id', '_dlt_id'] });
const child = (name: string) => ({
  name,
  columnNames: ['value', '_dlt_id', '_dlt_parent_id'],
});

function stored(tables: Partial<TableSchema>[]): StoredSchema {
  return {
    name: 'orthanc',
    version: 1,
    tables: tables.map((t) => ({
      name: '',
      columns: [],
      disposition: 'merge',
      primaryKey: [],
      ...t,
    })),
  };
}

describe('tableTree', () => {
  it('places children by name when nothing is stored', () => {
    const tree = tableTree(
      [
        child('tags__seq__seq'),
        root('tags'),
        child('tags__seq'),
        root('_dlt_loads'),
        root('changes'),
      ],
      null,
    );
    expect(tree.map((t) => [t.name, t.parent, t.depth])).toEqual([
      ['changes', null, 0],
      ['tags', null, 0],
      ['tags__seq', 'tags', 1],
      ['tags__seq__seq', 'tags__seq', 2],
      ['_dlt_loads', null, 0],
    ]);
    expect(tree.find((t) => t.name === 'tags')?.children).toEqual([
      'tags__seq',
    ]);
    expect(tree.at(-1)?.system).toBe(true);
  });

  it('keeps a root whose name holds the separator at the top', () => {
    const tree = tableTree([root('a'), root('a__b')], null);
    expect(tree.map((t) => t.parent)).toEqual([null, null]);
  });

  it('follows the stored list over the name', () => {
    // The key `b__c` keeps its `__`: its table reads like a child of `a__b`
    // but holds a list of `a`'s rows.
    const tables = [root('a'), child('a__b'), child('a__b__c')];
    const byName = tableTree(tables, null);
    expect(byName.find((t) => t.name === 'a__b__c')?.parent).toBe('a__b');

    const recorded = stored([
      { name: 'a__b', listOf: { table: 'a', path: ['b'] } },
      { name: 'a__b__c', listOf: { table: 'a', path: ['b__c'] } },
    ]);
    const byList = tableTree(tables, recorded);
    expect(byList.map((t) => [t.name, t.parent, t.depth])).toEqual([
      ['a', null, 0],
      ['a__b', 'a', 1],
      ['a__b__c', 'a', 1],
    ]);
  });

  it('lists every table once even when the stored lists form a loop', () => {
    const recorded = stored([
      { name: 'x__y', listOf: { table: 'x__z', path: ['y'] } },
      { name: 'x__z', listOf: { table: 'x__y', path: ['z'] } },
    ]);
    const tree = tableTree([child('x__y'), child('x__z')], recorded);
    expect(tree.map((t) => t.name).sort()).toEqual(['x__y', 'x__z']);
  });
});
