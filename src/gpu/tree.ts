/**
 * Parameter trees: nested records and arrays whose leaves are tensors (JAX's pytrees).
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { treeFlatten } from "./tree.ts";
 * const { leaves, rebuild } = treeFlatten({ w: tensor([1]), b: [tensor([2])] });
 * console.log(leaves.length, rebuild(leaves).b.length); // 2 1
 * ```
 * @module
 */
import { GradError } from "../errors.ts";
import { Tensor } from "./tensor.ts";

/** A tree of tensors: a tensor, an array of trees, or a plain record of trees. */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/** A tree whose leaves have type `L` (what `MapTree` gives for the generic `Tree`). */
export type TreeOf<L> = L | readonly TreeOf<L>[] | { readonly [key: string]: TreeOf<L> };

/**
 * The same structure as `T` with every tensor replaced by `L`. The generic `Tree` itself maps
 * to `TreeOf<L>` directly (recursing into the recursive union would never terminate: TS2589).
 */
export type MapTree<T, L> = [T] extends [Tree]
  ? ([Tree] extends [T] ? TreeOf<L> : MapTreeStep<T, L>)
  : MapTreeStep<T, L>;

/** One level of {@link MapTree} (distributes over unions). */
export type MapTreeStep<T, L> = T extends Tensor ? L
  : T extends readonly unknown[] ? { [K in keyof T]: MapTree<T[K], L> }
  : T extends Record<string, unknown> ? { [K in keyof T]: MapTree<T[K], L> }
  : T;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Lists a tree's tensors in a fixed order (record keys sorted) and returns a function that
 * rebuilds the same structure from a list of replacements.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { treeFlatten } from "./tree.ts";
 * const { leaves } = treeFlatten([tensor([1]), { a: tensor([2]) }]);
 * console.log(leaves.length); // 2
 * ```
 */
export function treeFlatten<T>(
  tree: T,
): { leaves: Tensor[]; rebuild: <L>(leaves: readonly L[]) => MapTree<T, L> } {
  const leaves: Tensor[] = [];
  const walk = (v: unknown, path: string): void => {
    if (v instanceof Tensor) leaves.push(v);
    else if (Array.isArray(v)) v.forEach((e, i) => walk(e, `${path}[${i}]`));
    else if (isRecord(v)) { for (const k of Object.keys(v).sort()) walk(v[k], `${path}.${k}`); }
    else {throw new GradError(
        `parameter tree: leaf at ${path || "root"} is not a Tensor (${String(v)})`,
      );}
  };
  walk(tree, "");
  const rebuild = <L>(vals: readonly L[]): MapTree<T, L> => {
    if (vals.length !== leaves.length) {
      throw new GradError(`parameter tree: expected ${leaves.length} leaves, got ${vals.length}`);
    }
    let i = 0;
    const build = (v: unknown): unknown => {
      if (v instanceof Tensor) return vals[i++];
      if (Array.isArray(v)) return v.map(build);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) {
        out[k] = build((v as Record<string, unknown>)[k]);
      }
      return out;
    };
    return build(tree) as MapTree<T, L>;
  };
  return { leaves, rebuild };
}

/**
 * Applies `fn` to corresponding leaves of one or more trees of the same structure.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { treeMap } from "./tree.ts";
 * import { add } from "./ops/binary.ts";
 * const p = { w: tensor([1]), b: tensor([2]) };
 * const q = treeMap((a, b) => add(a, b), p, p);
 * console.log(await q.w.read()); // Float32Array [2]
 * ```
 */
export function treeMap<T>(
  fn: (...leaves: Tensor[]) => Tensor,
  tree: T,
  ...rest: T[]
): MapTree<T, Tensor> {
  const main = treeFlatten(tree);
  const others = rest.map((r, k) => {
    const f = treeFlatten(r);
    if (f.leaves.length !== main.leaves.length) {
      throw new GradError(
        `treeMap: tree ${
          k + 1
        } has ${f.leaves.length} leaves but the first has ${main.leaves.length}`,
      );
    }
    return f.leaves;
  });
  return main.rebuild(main.leaves.map((l, i) => fn(l, ...others.map((o) => o[i]))));
}

/**
 * The tensors of a tree, in flatten order.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { treeLeaves } from "./tree.ts";
 * treeLeaves({ b: tensor([1]), a: tensor([2]) }).length; // 2
 * ```
 */
export function treeLeaves(tree: unknown): Tensor[] {
  return treeFlatten(tree).leaves;
}
