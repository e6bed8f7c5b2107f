/**
 * `tidy(fn)`: runs a composite computation and frees its intermediates right away when no
 * gradient is being recorded (so losses and layers called outside any `scope` do not leave
 * garbage behind); inside a gradient trace it runs `fn` as is, since the backward pass still
 * needs the intermediates (the gradient call frees them when it returns).
 *
 * @example
 * ```ts
 * import { add, mul, tensor } from "../gpu/mod.ts";
 * import { tidy } from "./tidy.ts";
 * const x = tensor([1, 2]);
 * const y = tidy(() => add(mul(x, x), 1)); // the product is freed now
 * console.log(await y.read()); // Float32Array [2, 5]
 * ```
 * @module
 */
import { scope } from "../gpu/mod.ts";
import { isRecording } from "../gpu/tape.ts";

/**
 * Runs `fn`, freeing every tensor it creates except its result unless a gradient is recorded.
 *
 * @example
 * ```ts
 * import { tensor, sum } from "../gpu/mod.ts";
 * import { tidy } from "./tidy.ts";
 * await tidy(() => sum(tensor([1, 2, 3]))).item(); // 6
 * ```
 */
export function tidy<T>(fn: () => T): T {
  return isRecording() ? fn() : scope(fn);
}
