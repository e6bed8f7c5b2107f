/**
 * Residual blocks `y = x + branchScale * block(x)` (He et al. 2016). A branch scale below 1
 * (e.g. `1/sqrt(depth)`) keeps deep stacks well conditioned at initialisation, as in the
 * Deep Kernel Shaping and signal-propagation literature.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { dense } from "./dense.ts";
 * import { residual } from "./residual.ts";
 * const block = residual(dense(4), 0.5);
 * const { params } = block.init(0, [4]);
 * console.log(block.apply(params, random.normal(random.key(1), [2, 4])).shape); // [2, 4]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, mul } from "../gpu/mod.ts";
import { checkInShape, type Layer, type Params } from "./layer.ts";
import { tidy } from "./tidy.ts";

/**
 * Wraps `block` with an identity skip connection; the block's output shape must equal its input
 * shape. Params are the block's params.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { activation } from "./activation.ts";
 * import { residual } from "./residual.ts";
 * const r = residual(activation("relu"), 2);
 * await r.apply({}, tensor([-1, 3])).read(); // Float32Array [-1, 9]
 * ```
 */
export function residual<P extends Params>(block: Layer<P>, branchScale = 1): Layer<P> {
  if (!block || typeof block.init !== "function" || typeof block.apply !== "function") {
    throw new InvalidArgumentError(`residual: block must be a layer, got ${String(block)}`);
  }
  if (!Number.isFinite(branchScale)) {
    throw new InvalidArgumentError(`residual: branchScale must be finite, got ${branchScale}`);
  }
  return {
    name: `residual(${block.name}, ${branchScale})`,
    init(key, inShape) {
      const s = checkInShape("residual.init", inShape);
      const r = block.init(key, s);
      if (r.outShape.join() !== s.join()) {
        throw new ShapeError(
          `residual: block ${block.name} maps [${s.join(",")}] to [${r.outShape.join(",")}]; ` +
            `a residual block must keep the shape`,
        );
      }
      return r;
    },
    apply(params, x) {
      return tidy(() => {
        const h = block.apply(params, x);
        return add(x, branchScale === 1 ? h : mul(h, branchScale));
      });
    },
  };
}
