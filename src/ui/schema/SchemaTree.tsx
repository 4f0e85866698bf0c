// A tree of tables (or a flat one of views) as an ARIA tree: one tab stop,
// the arrow keys to move, open and close (see treeNavigation.ts), and the
// selection following the focus, so the details beside it update as the
// user walks the tree. Entries marked with a group go last, inside a
// labelled group: the system tables after the data tables.

import { Fragment, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';

import { treeMove, visibleNodes } from './treeNavigation';
import type { TreeNode } from './treeNavigation';

export interface TreeEntry extends TreeNode {
  depth: number;
  /** What the row says after the name, e.g. its row count. */
  detail: string;
  /** The caption of the trailing group the entry belongs to. */
  group?: string;
}

/** A table name that wraps after a `__` before anywhere else. */
function breakableName(name: string) {
  return name.split(/(?<=__)/).map((part, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}

/** Each entry's place among its siblings: same parent, same group. */
function siblingPositions(entries: readonly TreeEntry[]) {
  const families = new Map<string, string[]>();
  for (const entry of entries) {
    const family = `${entry.group ?? ''}\u0000${entry.parent ?? ''}`;
    const members = families.get(family) ?? [];
    members.push(entry.id);
    families.set(family, members);
  }
  const positions = new Map<string, { index: number; size: number }>();
  for (const members of families.values()) {
    members.forEach((id, i) => {
      positions.set(id, { index: i + 1, size: members.length });
    });
  }
  return positions;
}

export function SchemaTree({
  label,
  entries,
  selected,
  onSelect,
}: {
  label: string;
  entries: readonly TreeEntry[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useRef(new Map<string, HTMLLIElement>());
  const visible = visibleNodes(entries, collapsed);
  const current = visible.some((e) => e.id === selected) ? selected : null;
  const tabStop = current ?? visible[0]?.id;

  const toggle = (id: string, open: boolean) => {
    setCollapsed((before) => {
      const after = new Set(before);
      if (open) after.delete(id);
      else after.add(id);
      return after;
    });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const from = current ?? visible[0]?.id;
    if (from === undefined) return;
    const move = treeMove(event.key, visible, from, collapsed);
    if (move === null) return;
    event.preventDefault();
    if (move.type === 'focus') {
      onSelect(move.id);
      rows.current.get(move.id)?.focus();
    } else {
      toggle(move.id, move.type === 'expand');
    }
  };

  const positions = siblingPositions(entries);
  const row = (entry: TreeEntry) => {
    const position = positions.get(entry.id);
    const open = entry.children.length > 0 && !collapsed.has(entry.id);
    return (
      <li
        key={entry.id}
        ref={(node) => {
          if (node) rows.current.set(entry.id, node);
          else rows.current.delete(entry.id);
        }}
        role="treeitem"
        aria-level={entry.depth + 1}
        aria-setsize={position?.size}
        aria-posinset={position?.index}
        aria-expanded={entry.children.length > 0 ? open : undefined}
        aria-selected={entry.id === current}
        tabIndex={entry.id === tabStop ? 0 : -1}
        className="schema-tree-row"
        style={{ paddingLeft: `${0.4 + entry.depth * 1.1}rem` }}
        onClick={() => {
          onSelect(entry.id);
        }}
      >
        <span
          className="schema-tree-toggle"
          aria-hidden="true"
          onClick={(event) => {
            event.stopPropagation();
            if (entry.children.length > 0) toggle(entry.id, !open);
          }}
        >
          {entry.children.length === 0 ? '' : open ? '▾' : '▸'}
        </span>
        <span className="table-name">{breakableName(entry.id)}</span>{' '}
        <span className="table-rows">{entry.detail}</span>
      </li>
    );
  };

  const main = visible.filter((entry) => entry.group === undefined);
  const grouped = visible.filter((entry) => entry.group !== undefined);
  const caption = grouped[0]?.group;
  return (
    <ul
      role="tree"
      aria-label={label}
      className="schema-tree"
      onKeyDown={onKeyDown}
    >
      {main.map(row)}
      {caption !== undefined && (
        <li role="none" className="schema-tree-group">
          <span className="schema-tree-caption" aria-hidden="true">
            {caption}
          </span>
          <ul role="group" aria-label={caption}>
            {grouped.map(row)}
          </ul>
        </li>
      )}
    </ul>
  );
}
