import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/**
 * Finds the YAML line of a key path, for error messages: the line of the key itself (or of the
 * list item), or for a path that does not exist (a missing key) the line of its nearest parent.
 */
export function lineOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let marker = node as Node | null | undefined;
  for (const key of path) {
    if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      node = node.items[key];
      marker = node as Node;
    } else if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair === undefined) break;
      node = pair.value;
      marker = pair.key as Node;
    } else {
      break;
    }
  }
  const offset = marker?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
