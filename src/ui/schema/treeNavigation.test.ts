import { describe, expect, it } from 'vitest';

import { treeMove, visibleNodes } from './treeNavigation';
import type { TreeNode } from './treeNavigation';

const nodes: TreeNode[] = [
  { id: 'studies_detail', parent: null, children: ['studies_detail__series'] },
  { id: 'studies_detail__series', parent: 'studies_detail', children: [] },
  { id: 'tags', parent: null, children: ['tags__seq'] },
  { id: 'tags__seq', parent: 'tags', children: ['tags__seq__seq'] },
  { id: 'tags__seq__seq', parent: 'tags__seq', children: [] },
  { id: '_dlt_loads', parent: null, children: [] },
];

const ids = (list: TreeNode[]) => list.map((node) => node.id);

describe('visibleNodes', () => {
  it('hides every descendant of a collapsed node', () => {
    expect(ids(visibleNodes(nodes, new Set(['tags'])))).toEqual([
      'studies_detail',
      'studies_detail__series',
      'tags',
      '_dlt_loads',
    ]);
    expect(visibleNodes(nodes, new Set())).toHaveLength(nodes.length);
  });
});

describe('treeMove', () => {
  const none = new Set<string>();

  it('walks the rows shown with the arrows, Home and End', () => {
    expect(treeMove('ArrowDown', nodes, 'tags', none)).toEqual({
      type: 'focus',
      id: 'tags__seq',
    });
    const shown = visibleNodes(nodes, new Set(['tags']));
    expect(treeMove('ArrowDown', shown, 'tags', none)).toEqual({
      type: 'focus',
      id: '_dlt_loads',
    });
    expect(treeMove('ArrowUp', nodes, 'studies_detail', none)).toBeNull();
    expect(treeMove('End', nodes, 'tags', none)).toEqual({
      type: 'focus',
      id: '_dlt_loads',
    });
    expect(treeMove('Home', nodes, 'tags__seq', none)).toEqual({
      type: 'focus',
      id: 'studies_detail',
    });
  });

  it('opens, enters, closes and leaves a node with right and left', () => {
    const closed = new Set(['tags']);
    const shown = visibleNodes(nodes, closed);
    expect(treeMove('ArrowRight', shown, 'tags', closed)).toEqual({
      type: 'expand',
      id: 'tags',
    });
    expect(treeMove('ArrowRight', nodes, 'tags', none)).toEqual({
      type: 'focus',
      id: 'tags__seq',
    });
    expect(treeMove('ArrowLeft', nodes, 'tags__seq', none)).toEqual({
      type: 'collapse',
      id: 'tags__seq',
    });
    expect(treeMove('ArrowLeft', nodes, 'tags__seq__seq', none)).toEqual({
      type: 'focus',
      id: 'tags__seq',
    });
    expect(treeMove('ArrowRight', nodes, '_dlt_loads', none)).toBeNull();
    expect(treeMove('ArrowLeft', nodes, '_dlt_loads', none)).toBeNull();
  });

  it('starts at the first row when the focused one is gone', () => {
    expect(treeMove('ArrowDown', nodes, 'dropped', none)).toEqual({
      type: 'focus',
      id: 'studies_detail',
    });
  });
});
