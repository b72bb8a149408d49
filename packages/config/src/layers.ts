// Configuration arrives in layers (defaults file, --config file, environment); later layers
// win key by key. Each leaf remembers the layer that set it so errors can name their source.

export type Tree = Record<string, unknown>;

export interface Layer {
  source: string;
  values: Tree;
}

export interface Merged {
  values: Tree;
  /** Source of the layer that last set `path` or its nearest set ancestor. */
  sourceOf(path: readonly PropertyKey[]): string | undefined;
}

export const isTree = (v: unknown): v is Tree =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeLayers(layers: readonly Layer[]): Merged {
  const values: Tree = {};
  const sources = new Map<string, string>();
  for (const layer of layers) mergeInto(values, layer.values, [], layer.source, sources);
  return {
    values,
    sourceOf(path) {
      for (let n = path.length; n > 0; n--) {
        const s = sources.get(path.slice(0, n).map(String).join('.'));
        if (s !== undefined) return s;
      }
      return undefined;
    },
  };
}

function mergeInto(
  target: Tree,
  overlay: Tree,
  at: string[],
  source: string,
  sources: Map<string, string>,
): void {
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue;
    const path = [...at, key];
    const current = target[key];
    if (isTree(value)) {
      // Arrays and scalars are replaced whole; only plain objects merge.
      const into: Tree = isTree(current) ? current : {};
      target[key] = into;
      if (!isTree(current)) sources.set(path.join('.'), source);
      mergeInto(into, value, path, source, sources);
    } else {
      target[key] = value;
      sources.set(path.join('.'), source);
    }
  }
}

export function getPath(tree: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = tree;
  for (const k of path) {
    if (isTree(v)) v = v[String(k)];
    else if (Array.isArray(v) && typeof k === 'number') v = v[k];
    else return undefined;
  }
  return v;
}

/** Builds `{a: {b: value}}` from `['a', 'b']`. */
export function treeAt(path: readonly string[], value: unknown): Tree {
  let v: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i] as string]: v };
  return v as Tree;
}
