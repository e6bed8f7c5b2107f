/**
 * Dropout in test (inference) mode: the identity for the network and for its kernel, as
 * neural-tangents' `Dropout(rate, mode="test")`. Training-mode dropout is not implemented.
 *
 * @example
 * ```ts
 * import { dropout } from "./dropout.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const x = tensor([[1, 2]]);
 * console.log(await dropout(0.5).apply([], x).read()); // Float32Array [1, 2]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { type Layer, makeLayer } from "./layer.ts";

/**
 * Dropout with keep-probability `1 - rate`, test mode only (identity).
 *
 * @example
 * ```ts
 * import { dropout } from "./dropout.ts";
 * console.log(dropout(0.1).name); // "dropout(0.1, test)"
 * ```
 */
export function dropout(rate: number, mode: "test" = "test"): Layer {
  if (!(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout: rate must be in [0, 1), got ${rate}`);
  }
  if (mode !== "test") {
    throw new InvalidArgumentError(
      `dropout: mode ${JSON.stringify(mode)} is not supported; only "test" (the identity) is`,
    );
  }
  return makeLayer({
    name: `dropout(${rate}, test)`,
    init: () => [],
    outputShape: (s) => s,
    apply: (_p, x) => x,
    kernelFn: (k) => k,
    stages: () => [],
  });
}
