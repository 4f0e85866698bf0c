// Keyboard use of a tree view, as the WAI-ARIA tree pattern has it: up
// and down walk the rows that are shown, right opens a row or steps into
// it, left closes it or steps out to its parent, Home and End jump to the
// ends. Plain data in, plain decisions out, so the rules are testable
// without a page.

export interface TreeNode {
  id: string;
  parent: string | null;
  children: readonly string[];
}

/** What a key asks for; null when the tree has no use for it. */
export type TreeMove =
  | { type: 'focus'; id: string }
  | { type: 'expand'; id: string }
  | { type: 'collapse'; id: string };

/**
 * The nodes shown: those whose ancestors are all expanded. `nodes` are in
 * tree order, each parent before its children.
 */
export function visibleNodes<T extends TreeNode>(
  nodes: readonly T[],
  collapsed: ReadonlySet<string>,
): T[] {
  const hidden = new Set<string>();
  return nodes.filter((node) => {
    const parent = node.parent;
    if (parent !== null && (hidden.has(parent) || collapsed.has(parent))) {
      hidden.add(node.id);
      return false;
    }
    return true;
  });
}

export function treeMove(
  key: string,
  visible: readonly TreeNode[],
  current: string,
  collapsed: ReadonlySet<string>,
): TreeMove | null {
  const index = visible.findIndex((node) => node.id === current);
  const node = visible[index];
  const focus = (target: TreeNode | undefined): TreeMove | null =>
    target ? { type: 'focus', id: target.id } : null;
  if (node === undefined) return focus(visible[0]);

  const open = node.children.length > 0 && !collapsed.has(node.id);
  switch (key) {
    case 'ArrowDown':
      return focus(visible[index + 1]);
    case 'ArrowUp':
      return focus(visible[index - 1]);
    case 'Home':
      return focus(visible[0]);
    case 'End':
      return focus(visible.at(-1));
    case 'ArrowRight':
      if (node.children.length === 0) return null;
      return open ? focus(visible[index + 1]) : { type: 'expand', id: node.id };
    case 'ArrowLeft':
      if (open) return { type: 'collapse', id: node.id };
      return focus(visible.find((other) => other.id === node.parent));
    default:
      return null;
  }
}
