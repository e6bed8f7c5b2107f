/**
 * The gpusci tensor core: GPU tensors, ops with NumPy broadcasting, reverse-mode autodiff,
 * counter-based random numbers and GPU timing, all on WebGPU.
 *
 * Importing this module acquires the default GPU device (top-level await). Without an adapter,
 * the first GPU operation throws a NoAdapterError saying how to get one (Mesa lavapipe).
 *
 * @example
 * ```ts
 * import { grad, matmul, mean, random, square, sub, tensor, type Tensor } from "./mod.ts";
 * const [kx, kw] = random.split(random.key(0));
 * const x = random.normal(kx, [64, 8]);
 * const y = tensor(new Float32Array(64 * 2), { shape: [64, 2] });
 * const loss = (w: Tensor) => mean(square(sub(matmul(x, w), y)));
 * const g = grad(loss)(random.normal(kw, [8, 2]));
 * console.log(g.shape); // [8, 2]
 * ```
 * @module
 */
export { type AdapterSummary, adapterSummary, type DeviceOptions } from "./device.ts";
export { hasRuntime, init, type KernelSpec, Runtime, runtime } from "./runtime.ts";
export { type AnyTypedArray, type DType } from "./dtype.ts";
export { BufferPool, type PooledBuffer, type PoolStats } from "./buffer_pool.ts";
export { type Shape } from "./shape.ts";
export {
  dispose,
  type GradNode,
  keep,
  keptCache,
  type NestedArray,
  scope,
  Tensor,
  tensor,
  type Trace,
} from "./tensor.ts";
export {
  type MapTree,
  type MapTreeStep,
  type Tree,
  treeFlatten,
  treeLeaves,
  treeMap,
  type TreeOf,
} from "./tree.ts";
export { customVjp, grad, hvp, jvp, stopGradient, treeDot, valueAndGrad, vjp } from "./autodiff.ts";
export {
  abs,
  cos,
  elu,
  erf,
  exp,
  expm1,
  floor,
  gelu,
  isFinite,
  leakyRelu,
  log,
  log1p,
  neg,
  reciprocal,
  relu,
  rsqrt,
  selu,
  sigmoid,
  sign,
  sin,
  softplus,
  sqrt,
  square,
  step,
  swish,
  tanh,
} from "./ops/unary.ts";
export {
  add,
  astype,
  atan2,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  maximum,
  minimum,
  mod,
  mul,
  notEqual,
  pow,
  sub,
  type TensorOrScalar,
  where,
} from "./ops/binary.ts";
export {
  argmax,
  argmin,
  type Axes,
  logsumexp,
  max,
  mean,
  min,
  prod,
  sum,
  sumToShape,
  variance,
} from "./ops/reduce.ts";
export {
  matmul,
  type MatmulEpilogue,
  matmulEpilogue,
  type MatmulEpilogueOptions,
  type MatmulOptions,
} from "./ops/matmul.ts";
export { linComb, MAX_LINCOMB } from "./ops/lincomb.ts";
export {
  col2im,
  conv2d,
  type Conv2dOptions,
  type Conv2dPadding,
  convGeometry,
  im2col,
} from "./ops/conv.ts";
export type { ConvGeometry } from "./kernels/conv.ts";
export {
  broadcastTo,
  concat,
  cumsum,
  expandDims,
  oneHot,
  reshape,
  slice,
  squeeze,
  stack,
  take,
  transpose,
} from "./ops/shape.ts";
export { arange, eye, full, linspace, ones, onesLike, zeros, zerosLike } from "./ops/creation.ts";
export * as random from "./random.ts";
export { Key } from "./random.ts";
export { type GpuTiming, timeGpu } from "./timing.ts";
