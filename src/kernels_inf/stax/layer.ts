/**
 * The layer contract of the stax-style combinator API: one description gives a finite network
 * (`init`, `apply`) and its infinite-width kernel (`kernelFn`, `kernel`), as in neural-tangents'
 * `stax` (Novak et al. 2020, "Neural Tangents: Fast and Easy Infinite Neural Networks in
 * Python").
 *
 * Inputs are rows of features (`[N, d]`; a leading ensemble axis `[E, N, d]` also works for
 * finite networks, see `initEnsemble`) or images `[N, H, W, C]` (`[E, N, H, W, C]`), whose
 * feature shape is `[H, W, C]`: pointwise layers (dense on the channel axis, activations,
 * layerNorm) act per location, `conv` mixes neighbouring locations and `flatten` turns images
 * into rows; their kernels are spatial (see `Kernel.spatial`). Combinators (`parallel`,
 * `fanOut`) pass lists: a {@link Flow} is a tensor (or kernel, or shape) or a nested list of
 * them.
 *
 * @example
 * ```ts
 * import { dense, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const net = serial(dense(64), relu(), dense(1));
 * const params = net.init(random.key(0), [3]);
 * const y = net.apply(params, random.normal(random.key(1), [5, 3]));
 * console.log(y.shape, net.outputShape([3])); // [5, 1] [1]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { type Key, random, scope, stack, Tensor, type Tree, treeFlatten } from "../../gpu/mod.ts";
import type { Stage } from "../fused_stages.ts";
import { inputKernel, type Kernel } from "../kernel.ts";

/** A random key (from `random.key`); the core's `Key` class, re-exported for the docs. */
export type { Key };

/** A value or a (nested) list of values, as passed between parallel branches. */
export type Flow<T> = T | readonly Flow<T>[];

/** A feature shape (`[d]`) or a list of them for multi-input layers. */
export type ShapeFlow = readonly number[] | readonly ShapeFlow[];

/** Parameters of a layer: a tree of tensors (an empty list for parameter-free layers). */
export type Params = Tree;

/**
 * Options of {@link Layer.kernel}.
 *
 * @example
 * ```ts
 * import type { KernelOptions } from "./layer.ts";
 * const o: KernelOptions = { get: "nngp", diagonal: false };
 * console.log(o.get); // "nngp"
 * ```
 */
export interface KernelOptions {
  /** Which kernels to compute: "nngp" skips the NTK (default "both"). */
  get?: "nngp" | "ntk" | "both";
  /** Only k(x_i, x_i) (x2 must be null); results have shape [N]. */
  diagonal?: boolean;
}

/** Applies a layer to a tensor (or, for multi-input layers, a list of tensors). */
export interface ApplyFn {
  /** One input, one output. */
  (params: Params, x: Tensor): Tensor;
  /** Lists in, lists out (parallel branches). */
  (params: Params, x: Flow<Tensor>): Flow<Tensor>;
}

/**
 * A layer: finite network (`init`, `apply`) and infinite-width kernel (`kernelFn`, `kernel`).
 *
 * @example
 * ```ts
 * import { erf } from "../mod.ts";
 * import type { Layer } from "./layer.ts";
 * const l: Layer = erf();
 * console.log(l.name, l.stages !== undefined); // "erf" true
 * ```
 */
export interface Layer {
  /** Short description, e.g. `dense(512)` or `serial(dense, relu)`. */
  readonly name: string;
  /** Draws parameters for inputs of feature shape `inShape` (e.g. `[784]`). */
  init(key: Key, inShape: ShapeFlow): Params;
  /** The feature shape this layer outputs for `inShape`. */
  outputShape(inShape: ShapeFlow): ShapeFlow;
  /** The finite network: outputs for inputs `x` ([N, d] or [E, N, d]). */
  readonly apply: ApplyFn;
  /**
   * The infinite-width layer algebra: maps the kernel of this layer's inputs to the kernel of
   * its outputs. Functional: input tensors are untouched; the caller owns the result (wrap calls
   * in `scope` to free intermediates).
   */
  kernelFn(k: Flow<Kernel>): Flow<Kernel>;
  /**
   * NNGP and NTK of the whole network for inputs x1, x2 (x2 = null: x2 = x1), on the GPU.
   * Intermediates are freed; the returned kernel's tensors belong to the caller.
   */
  kernel(x1: Tensor, x2?: Tensor | null, options?: KernelOptions): Kernel;
  /**
   * Present for elementwise layers (and serial chains of them): the fusable transforms for an
   * input of `width` channels, fused with neighbours into one GPU pass by `serial`.
   */
  readonly stages?: (width: number) => Stage[];
  /**
   * Present for layers whose kernel map is a non-elementwise `head` followed by fusable stages
   * (a convolution: window means of the kernel, then the dense-layer affine map): `serial` runs
   * the head and fuses the stages with the elementwise layers after it into one GPU pass.
   */
  readonly headStages?: HeadStages;
  /**
   * True when the kernel map needs covariances across image locations (global average pooling
   * somewhere in the network): `kernel` then builds a cross-location input kernel (see
   * `Kernel.crossLocations`).
   */
  readonly crossLocations?: boolean;
}

/**
 * A kernel map split into a non-elementwise head and fusable stages (see
 * {@link Layer.headStages}); `kernelFn` must equal `applyStages(head(k), stages(head(k).width))`.
 *
 * @example
 * ```ts
 * import type { HeadStages } from "./layer.ts";
 * const h: HeadStages = { head: (k) => k, stages: () => [] };
 * console.log(typeof h.head); // "function"
 * ```
 */
export interface HeadStages {
  /** The non-elementwise part (its result is new tensors the caller owns). */
  head(k: Kernel): Kernel;
  /** Stages for the head's output of `width` channels. */
  stages(width: number): Stage[];
}

/**
 * The pieces from which {@link makeLayer} builds a layer.
 *
 * @example
 * ```ts
 * import type { LayerSpec } from "./layer.ts";
 * const spec: Partial<LayerSpec> = { name: "noop" };
 * console.log(spec.name); // "noop"
 * ```
 */
export interface LayerSpec {
  /** Name. */
  name: string;
  /** Parameter initialiser. */
  init(key: Key, inShape: ShapeFlow): Params;
  /** Output feature shape. */
  outputShape(inShape: ShapeFlow): ShapeFlow;
  /** Finite forward pass. */
  apply(params: Params, x: Flow<Tensor>): Flow<Tensor>;
  /** Kernel map. */
  kernelFn(k: Flow<Kernel>): Flow<Kernel>;
  /** Optional fusable stages. */
  stages?: (width: number) => Stage[];
  /** Optional head + stages split of `kernelFn` (see {@link Layer.headStages}). */
  headStages?: HeadStages;
  /** The kernel map needs cross-location covariances (see {@link Layer.crossLocations}). */
  crossLocations?: boolean;
}

/**
 * Completes a {@link LayerSpec} into a {@link Layer} (adds the `kernel` convenience method).
 *
 * @example
 * ```ts
 * import { makeLayer } from "./layer.ts";
 * const noop = makeLayer({ name: "noop", init: () => [], outputShape: (s) => s,
 *   apply: (_p, x) => x, kernelFn: (k) => k });
 * console.log(noop.name); // "noop"
 * ```
 */
export function makeLayer(spec: LayerSpec): Layer {
  const layer: Layer = {
    name: spec.name,
    init: spec.init,
    outputShape: spec.outputShape,
    apply: spec.apply as ApplyFn,
    kernelFn: spec.kernelFn,
    stages: spec.stages,
    headStages: spec.headStages,
    crossLocations: spec.crossLocations ?? false,
    kernel(x1: Tensor, x2: Tensor | null = null, options: KernelOptions = {}): Kernel {
      const get = options.get ?? "both";
      if (!["nngp", "ntk", "both"].includes(get)) {
        throw new InvalidArgumentError(
          `kernel: get must be "nngp", "ntk" or "both", got ${JSON.stringify(get)}`,
        );
      }
      return scope(() => {
        const k0 = inputKernel(x1, x2, {
          computeNtk: get !== "nngp",
          diagonal: options.diagonal ?? false,
          crossLocations: spec.crossLocations ?? false,
        });
        const out = spec.kernelFn(k0);
        return singleKernel(out, spec.name);
      });
    },
  };
  return layer;
}

/**
 * Asserts a flow is one kernel (not a list).
 *
 * @example
 * ```ts
 * import { singleKernel } from "./layer.ts";
 * import { inputKernel } from "../kernel.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * console.log(singleKernel(inputKernel(tensor([[1]])), "demo").width); // 1
 * ```
 */
export function singleKernel(k: Flow<Kernel>, where: string): Kernel {
  if (Array.isArray(k)) {
    throw new InvalidArgumentError(
      `${where}: the network outputs ${k.length} branches; combine them with fanInSum() or ` +
        `fanInConcat(), or call kernelFn directly`,
    );
  }
  return k as Kernel;
}

/**
 * Asserts a flow is one tensor.
 *
 * @example
 * ```ts
 * import { singleTensor } from "./layer.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * console.log(singleTensor(tensor([1]), "demo").shape); // [1]
 * ```
 */
export function singleTensor(x: Flow<Tensor>, where: string): Tensor {
  if (!(x instanceof Tensor)) {
    throw new InvalidArgumentError(`${where}: expected one input tensor, got a list`);
  }
  return x;
}

/**
 * Asserts a shape flow is one feature shape and returns its last dimension (channels).
 *
 * @example
 * ```ts
 * import { channels } from "./layer.ts";
 * console.log(channels([784], "demo")); // 784
 * ```
 */
export function channels(s: ShapeFlow, where: string): number {
  if (s.length === 0 || typeof s[0] !== "number") {
    throw new ShapeError(`${where}: expected a feature shape like [784], got ${JSON.stringify(s)}`);
  }
  const d = s[s.length - 1] as number;
  if (!Number.isInteger(d) || d <= 0) {
    throw new ShapeError(`${where}: feature count must be a positive integer, got ${d}`);
  }
  return d;
}

/**
 * Asserts a shape flow is an image feature shape `[H, W, C]` (positive integers) and returns it.
 *
 * @example
 * ```ts
 * import { imageShape } from "./layer.ts";
 * console.log(imageShape([28, 28, 1], "demo")); // [28, 28, 1]
 * ```
 */
export function imageShape(s: ShapeFlow, where: string): [number, number, number] {
  const ok = s.length === 3 &&
    s.every((v) => typeof v === "number" && Number.isInteger(v) && v > 0);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected an image feature shape [H, W, C] of positive integers (inputs ` +
        `[N, H, W, C]), got ${JSON.stringify(s)}`,
    );
  }
  return [s[0], s[1], s[2]] as [number, number, number];
}

/**
 * Parameters for an ensemble: `init` with E split keys, every leaf stacked on a new leading axis.
 * `apply` then runs all members at once (x [N, d] broadcasts to [E, N, out]).
 *
 * @example
 * ```ts
 * import { dense, initEnsemble, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * const net = serial(dense(8, { bStd: 0.1 }), relu(), dense(1));
 * const params = initEnsemble(net, random.key(0), [3], 4);
 * console.log(net.apply(params, random.normal(random.key(1), [5, 3])).shape); // [4, 5, 1]
 * ```
 */
export function initEnsemble(layer: Layer, key: Key, inShape: ShapeFlow, members: number): Params {
  if (!Number.isInteger(members) || members < 1) {
    throw new InvalidArgumentError(
      `initEnsemble: members must be a positive integer, got ${members}`,
    );
  }
  return scope(() => {
    const keys = splitKeys(key, members);
    const trees = keys.map((k) => layer.init(k, inShape));
    const flats = trees.map((t) => treeFlatten(t));
    const leaves = flats[0].leaves.map((_, i) => stack(flats.map((f) => f.leaves[i]), 0));
    return flats[0].rebuild(leaves) as Params;
  });
}

/**
 * `random.split(key, n)`, named for readability in layer code.
 *
 * @example
 * ```ts
 * import { splitKeys } from "./layer.ts";
 * import { random } from "../../gpu/mod.ts";
 * console.log(splitKeys(random.key(0), 3).length); // 3
 * ```
 */
export function splitKeys(key: Key, n: number): Key[] {
  return random.split(key, n);
}
