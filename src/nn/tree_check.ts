/**
 * Structure checks for parameter trees: every leaf listed with its path (`layers[0].w`), and an
 * assertion that two trees (params and grads, params and optimizer state) match leaf for leaf,
 * naming the first path whose presence, shape or dtype differs.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { assertSameStructure, treePaths } from "./tree_check.ts";
 * const p = { w: tensor([1, 2]), b: tensor([0]) };
 * console.log(treePaths(p).map((e) => e.path)); // ["b", "w"]
 * assertSameStructure("demo", { params: p, grads: p });
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../errors.ts";
import { Tensor } from "../gpu/mod.ts";

/** One leaf of a tree with its path (keys sorted as in `treeFlatten`). */
export interface TreeLeaf {
  /** A path such as `layers[0].w` (empty for a bare tensor). */
  path: string;
  /** The tensor at that path. */
  tensor: Tensor;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * The tensors of a tree with their paths, in `treeFlatten` order (record keys sorted). Throws an
 * InvalidArgumentError naming the path of a leaf that is not a tensor.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { treePaths } from "./tree_check.ts";
 * treePaths([{ w: tensor([1]) }])[0].path; // "[0].w"
 * ```
 */
export function treePaths(tree: unknown, where = "parameter tree"): TreeLeaf[] {
  const out: TreeLeaf[] = [];
  const walk = (v: unknown, path: string): void => {
    if (v instanceof Tensor) out.push({ path, tensor: v });
    else if (Array.isArray(v)) v.forEach((e, i) => walk(e, `${path}[${i}]`));
    else if (isRecord(v)) {
      for (const k of Object.keys(v).sort()) walk(v[k], path ? `${path}.${k}` : k);
    } else {
      throw new InvalidArgumentError(
        `${where}: leaf at ${path || "<root>"} is not a Tensor (got ${
          v === null ? "null" : typeof v
        } ${String(v)})`,
      );
    }
  };
  walk(tree, "");
  return out;
}

const fmt = (s: readonly number[]) => `[${s.join(",")}]`;

/**
 * Asserts that named trees have the same paths, shapes and (optionally) dtypes as the first one.
 * `trees` maps a display name to a tree, e.g. `{ params, grads }`.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { assertSameStructure } from "./tree_check.ts";
 * try {
 *   assertSameStructure("sgd.update", { params: { w: tensor([1, 2]) }, grads: { v: tensor([1, 2]) } });
 * } catch (e) {
 *   console.log((e as Error).message); // sgd.update: grads has no leaf w (params has) ...
 * }
 * ```
 */
export function assertSameStructure(
  where: string,
  trees: Record<string, unknown>,
  options: { checkDtype?: boolean } = {},
): void {
  const names = Object.keys(trees);
  if (names.length < 2) return;
  const [refName] = names;
  const ref = treePaths(trees[refName], `${where}: ${refName}`);
  const refMap = new Map(ref.map((l) => [l.path, l.tensor]));
  for (const name of names.slice(1)) {
    const other = treePaths(trees[name], `${where}: ${name}`);
    const otherMap = new Map(other.map((l) => [l.path, l.tensor]));
    for (const { path } of ref) {
      if (!otherMap.has(path)) {
        throw new InvalidArgumentError(
          `${where}: ${name} has no leaf ${path || "<root>"} (${refName} has); ` +
            `${name} leaves: ${list(other)}; ${refName} leaves: ${list(ref)}`,
        );
      }
    }
    for (const { path, tensor } of other) {
      const r = refMap.get(path);
      if (!r) {
        throw new InvalidArgumentError(
          `${where}: ${name} has an extra leaf ${path || "<root>"} that ${refName} lacks; ` +
            `${refName} leaves: ${list(ref)}`,
        );
      }
      if (r.shape.join() !== tensor.shape.join()) {
        throw new ShapeError(
          `${where}: ${name}.${path || "<root>"} has shape ${fmt(tensor.shape)} but ` +
            `${refName}.${path || "<root>"} has shape ${fmt(r.shape)}`,
        );
      }
      if (options.checkDtype !== false && r.dtype !== tensor.dtype) {
        throw new DtypeError(
          `${where}: ${name}.${path || "<root>"} is ${tensor.dtype} but ` +
            `${refName}.${path || "<root>"} is ${r.dtype}`,
        );
      }
    }
  }
}

function list(leaves: TreeLeaf[]): string {
  const s = leaves.map((l) => l.path || "<root>");
  return s.length > 8 ? `${s.slice(0, 8).join(", ")}, ... (${s.length})` : s.join(", ") || "none";
}

/**
 * Throws a DtypeError naming the first non-f32 leaf (gradients and optimizers need f32).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { assertFloatTree } from "./tree_check.ts";
 * assertFloatTree("adam.init", "params", { w: tensor([1.5]) }); // ok
 * ```
 */
export function assertFloatTree(where: string, name: string, tree: unknown): void {
  for (const { path, tensor } of treePaths(tree, `${where}: ${name}`)) {
    if (tensor.dtype !== "f32") {
      throw new DtypeError(
        `${where}: ${name}${path ? "." + path : ""} ${fmt(tensor.shape)} is ${tensor.dtype}; ` +
          `gradients and optimizer updates need f32 (use astype(x, "f32"))`,
      );
    }
  }
}

/**
 * Number of scalar parameters in a tree.
 *
 * @example
 * ```ts
 * import { zeros } from "../gpu/mod.ts";
 * import { countParams } from "./tree_check.ts";
 * countParams({ w: zeros([3, 4]), b: zeros([4]) }); // 16
 * ```
 */
export function countParams(tree: unknown): number {
  return treePaths(tree).reduce((n, l) => n + l.tensor.size, 0);
}
