/**
 * gpusci: a Deno-native WebGPU scientific toolkit. GPU tensors with reverse-mode autodiff, and
 * one module per research method (infinite-width kernels, wide-BNN sampling, score-based SDEs,
 * PES and learned optimizers, text augmentation).
 *
 * The root export is the tensor core; methods live under subpaths
 * (`jsr:@gpusci/gpusci/nn`, `/text`, ...).
 *
 * @example
 * ```ts
 * import { grad, matmul, mean, random, square, sub, type Tensor } from "./mod.ts";
 * const [kx, kw, ky] = random.split(random.key(0), 3);
 * const x = random.normal(kx, [32, 4]);
 * const y = random.normal(ky, [32, 1]);
 * const loss = (w: Tensor) => mean(square(sub(matmul(x, w), y)));
 * const g = grad(loss)(random.normal(kw, [4, 1]));
 * console.log(g.shape); // [4, 1]
 * ```
 * @module
 */
export * from "./src/gpu/mod.ts";
export * from "./src/errors.ts";
