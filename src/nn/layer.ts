/**
 * The layer abstraction: a pair of pure functions, `init(key, inShape)` building a parameter
 * tree and `apply(params, x)` computing the output, in the style of neural-tangents' stax.
 *
 * Shapes passed to `init` describe one example's trailing dimensions, e.g. `[784]`; `apply`
 * accepts any number of leading batch dimensions. A leading `-1` (neural-tangents style, e.g.
 * `[-1, 784]`) is accepted and kept in `outShape`.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { dense } from "./dense.ts";
 * const layer = dense(3);
 * const { params, outShape } = layer.init(random.key(0), [5]);
 * const y = layer.apply(params, random.normal(random.key(1), [2, 5]));
 * console.log(outShape, y.shape); // [3] [2, 3]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import type { Tensor, Tree } from "../gpu/mod.ts";
import type { Key } from "../gpu/random.ts";

/** A parameter tree: tensors in nested records and arrays (`{}` for a layer without params). */
export type Params = Tree;

/** What `init` returns: the parameters and the per-example output shape. */
export interface LayerInit<P extends Params = Params> {
  /** The parameter tree. */
  params: P;
  /** The output shape for the given input shape. */
  outShape: number[];
}

/** A layer: pure `init` and `apply` functions plus a name for messages. */
export interface Layer<P extends Params = Params> {
  /** A short description, e.g. `dense(256)`. */
  readonly name: string;
  /** Builds parameters for inputs of shape `inShape` (trailing dims of one example). */
  init(key: Key | number, inShape: readonly number[]): LayerInit<P>;
  /** The layer's output for input `x` (leading dims are batch dims). */
  apply(params: P, x: Tensor): Tensor;
}

/**
 * Validates an input shape for `init` (positive integers; a leading -1 allowed) and returns a
 * copy.
 *
 * @example
 * ```ts
 * import { checkInShape } from "./layer.ts";
 * checkInShape("dense(3).init", [-1, 784]); // [-1, 784]
 * ```
 */
export function checkInShape(where: string, inShape: readonly number[]): number[] {
  if (!Array.isArray(inShape) || inShape.length === 0) {
    throw new InvalidArgumentError(
      `${where}: inShape must be a non-empty array of dimensions such as [784], got ${
        JSON.stringify(inShape)
      }`,
    );
  }
  inShape.forEach((d, i) => {
    const ok = Number.isInteger(d) && (d >= 1 || (d === -1 && i === 0 && inShape.length > 1));
    if (!ok) {
      throw new InvalidArgumentError(
        `${where}: inShape[${i}] must be a positive integer (a leading -1 marks a batch dim), ` +
          `got ${d} in [${inShape.join(",")}]`,
      );
    }
  });
  return [...inShape];
}
