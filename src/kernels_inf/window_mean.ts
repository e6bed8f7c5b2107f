/**
 * The window mean of same-location kernel maps: the kernel map of a convolution's patch
 * extraction (neural-tangents' `Conv` with `diagonal_spatial` kernels).
 *
 * For maps `x [..., H, W]` (one per pair of inputs) and a KH x KW filter with strides (sh, sw) and
 * dilations (dh, dw),
 * `out[..., y, x] = (1 / (KH KW)) sum_{ky < KH, kx < KW} x[..., y sh + ky dh - padTop, x sw + kx dw - padLeft]`,
 * where taps falling into the zero padding contribute 0 but still count in the divisor (as in
 * neural-tangents: the mean is over the filter, not over the valid taps). The geometry (output
 * size, padding) is `conv2d`'s for the same options: `"same"` pads as XLA SAME (the odd row of
 * padding at the bottom), `"valid"` pads nothing, a number or `[[top, bottom], [left, right]]`
 * pads explicitly.
 *
 * One small gather kernel (one thread per output entry), not a convolution with a ones filter.
 * Records no gradient (kernel computations are not differentiated).
 *
 * {@link pairedWindowMean} is the same map on cross-location kernels `[..., H, W, H, W]`: both
 * locations of a pair move by the same tap, since a filter's weights are shared across
 * locations (neural-tangents' `Conv` without `diagonal_spatial`).
 *
 * @example
 * ```ts
 * import { windowMean } from "./window_mean.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const x = tensor([1, 2, 3, 4, 5, 6], { shape: [1, 2, 3] });
 * console.log(await windowMean(x, [1, 3], "valid").read()); // Float32Array [2, 5]
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  type Conv2dOptions,
  type Conv2dPadding,
  convGeometry,
  type KernelSpec,
  runtime,
  Tensor,
} from "../gpu/mod.ts";
import { grid } from "../gpu/runtime.ts";
import { ENTRY, LINEAR_INDEX, paramWords } from "../gpu/kernels/indexing.ts";

/**
 * Spatial padding of {@link windowMean} (and the `conv` layer): `conv2d`'s padding.
 *
 * @example
 * ```ts
 * import type { WindowPadding } from "./window_mean.ts";
 * const p: WindowPadding = [[1, 0], [0, 1]];
 * console.log(p[0]); // [1, 0]
 * ```
 */
export type WindowPadding = Conv2dPadding;

/**
 * Stride, padding and dilation of a window (`conv2d`'s options), or a padding alone.
 *
 * @example
 * ```ts
 * import type { WindowOptions } from "./window_mean.ts";
 * const o: WindowOptions = { stride: 2, padding: "valid" };
 * console.log(o.stride); // 2
 * ```
 */
export type WindowOptions = Conv2dOptions | Conv2dPadding;

/**
 * The resolved geometry of a window over an H x W map.
 *
 * @example
 * ```ts
 * import { windowGeometry } from "./window_mean.ts";
 * const g = windowGeometry([5, 4], [3, 3], "same");
 * console.log(g.oh, g.ow, g.padTop, g.padLeft); // 5 4 1 1
 * ```
 */
export interface WindowGeometry {
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Filter height. */
  readonly kh: number;
  /** Filter width. */
  readonly kw: number;
  /** Output height. */
  readonly oh: number;
  /** Output width. */
  readonly ow: number;
  /** Zero rows above the map. */
  readonly padTop: number;
  /** Zero columns left of the map. */
  readonly padLeft: number;
  /** Vertical stride. */
  readonly sh: number;
  /** Horizontal stride. */
  readonly sw: number;
  /** Vertical dilation. */
  readonly dh: number;
  /** Horizontal dilation. */
  readonly dw: number;
}

const isPos = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/**
 * Validates a filter shape `[KH, KW]` (positive integers), naming `where` in the error.
 *
 * @example
 * ```ts
 * import { checkFilterShape } from "./window_mean.ts";
 * console.log(checkFilterShape([3, 1], "demo")); // [3, 1]
 * ```
 */
export function checkFilterShape(filterShape: unknown, where: string): [number, number] {
  const f = filterShape as unknown[];
  if (!Array.isArray(f) || f.length !== 2 || !isPos(f[0]) || !isPos(f[1])) {
    throw new InvalidArgumentError(
      `${where}: filterShape = ${JSON.stringify(filterShape)}: expected [KH, KW], two positive ` +
        `integers`,
    );
  }
  return [f[0], f[1]];
}

/**
 * The geometry of a `filterShape` window over an `[H, W]` map with `options` (a padding, or
 * `conv2d`'s `{ stride, padding, dilation }`; default "same"), exactly as `conv2d` resolves it;
 * throws a ShapeError when the window does not fit and InvalidArgumentError for bad options.
 *
 * @example
 * ```ts
 * import { windowGeometry } from "./window_mean.ts";
 * const g = windowGeometry([5, 4], [2, 3], "valid");
 * console.log(g.oh, g.ow, windowGeometry([5, 4], [3, 3], { stride: 2 }).oh); // 4 2 3
 * ```
 */
export function windowGeometry(
  spatial: readonly [number, number],
  filterShape: readonly [number, number],
  options: WindowOptions = {},
  where = "windowMean",
): WindowGeometry {
  const [kh, kw] = checkFilterShape(filterShape, where);
  const o = windowOptions(options, where);
  const g = convGeometry([1, spatial[0], spatial[1], 1], kh, kw, o, where);
  const { h, w, oh, ow, padTop, padLeft, sh, sw, dh, dw } = g;
  return { h, w, kh, kw, oh, ow, padTop, padLeft, sh, sw, dh, dw };
}

/**
 * `conv2d` options from {@link WindowOptions} (a bare padding means `{ padding }`).
 *
 * @example
 * ```ts
 * import { windowOptions } from "./window_mean.ts";
 * console.log(windowOptions("valid", "demo")); // { padding: "valid" }
 * ```
 */
export function windowOptions(options: WindowOptions, where: string): Conv2dOptions {
  if (typeof options === "string" || typeof options === "number" || Array.isArray(options)) {
    return { padding: options as Conv2dPadding };
  }
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError(
      `${where}: options = ${String(options)}: expected a padding or { stride, padding, dilation }`,
    );
  }
  return options as Conv2dOptions;
}

/**
 * Checks the form of window options when a layer is built, before any input size is known (on a
 * 65536 x 65536 map, which any sensible window fits), so bad options fail at construction.
 *
 * @example
 * ```ts
 * import { checkWindowOptions } from "./window_mean.ts";
 * checkWindowOptions([3, 3], { stride: 2, padding: "valid" }, "demo"); // passes
 * try { checkWindowOptions([3, 3], { stride: 0 }, "demo"); } catch (e) { console.log((e as Error).name); } // InvalidArgumentError
 * ```
 */
export function checkWindowOptions(
  filterShape: readonly [number, number],
  options: WindowOptions,
  where: string,
): void {
  windowGeometry([1 << 16, 1 << 16], filterShape, options, where);
}

/** The 16 uniform words both window kernels read. */
function packWindow(n: number, g: WindowGeometry): Uint32Array {
  const words = paramWords();
  words.u.set([
    n,
    g.h,
    g.w,
    g.oh,
    g.ow,
    g.kh,
    g.kw,
    g.padTop,
    g.padLeft,
    0,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
  ]);
  words.f[9] = 1 / (g.kh * g.kw);
  return words.u;
}

const WINDOW_PARAMS = `struct P { n: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32,
  padTop: u32, padLeft: u32, inv: f32, sh: u32, sw: u32, dh: u32, dw: u32, p0: u32, p1: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;`;

let spec: KernelSpec | null = null;

function windowMeanKernel(): KernelSpec {
  spec ??= {
    inputs: 1,
    outputs: 1,
    code: `${WINDOW_PARAMS}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let m = p.oh * p.ow;
  let b = i / m;
  let q = i - b * m;
  let y = q / p.ow;
  let x = q - y * p.ow;
  let base = b * p.h * p.w;
  var s = 0.0;
  for (var ky = 0u; ky < p.kh; ky++) {
    let iy = i32(y * p.sh + ky * p.dh) - i32(p.padTop);
    if (iy < 0 || iy >= i32(p.h)) { continue; }
    for (var kx = 0u; kx < p.kw; kx++) {
      let ix = i32(x * p.sw + kx * p.dw) - i32(p.padLeft);
      if (ix < 0 || ix >= i32(p.w)) { continue; }
      s += X[base + u32(iy) * p.w + u32(ix)];
    }
  }
  O[i] = s * p.inv;
}`,
  };
  return spec;
}

/**
 * Window means of maps `x [..., H, W]` (rank >= 2) with a `filterShape` window and `options` (a
 * padding, or `conv2d`'s `{ stride, padding, dilation }`); returns `[..., OH, OW]`. Padding taps
 * count as zeros in a mean over all KH*KW taps.
 *
 * @example
 * ```ts
 * import { windowMean } from "./window_mean.ts";
 * import { ones } from "../gpu/mod.ts";
 * // corners of a 3 x 3 "same" window over a 2 x 2 map see 4 of the 9 taps
 * console.log(await windowMean(ones([2, 2]), [3, 3], "same").read()); // [0.444, 0.444, 0.444, 0.444]
 * ```
 */
export function windowMean(
  x: Tensor,
  filterShape: readonly [number, number],
  options: WindowOptions = {},
): Tensor {
  const where = "windowMean";
  if (x.rank < 2) {
    throw new ShapeError(
      `${where}: x must be maps [..., H, W] (rank >= 2), got shape [${x.shape.join(", ")}]`,
    );
  }
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  const g = windowGeometry([h, w], filterShape, options, where);
  return runWindow(windowMeanKernel(), x, [...x.shape.slice(0, -2), g.oh, g.ow], g, where);
}

/** Allocates the output and runs a window kernel on `x`, one invocation per output entry. */
function runWindow(
  spec: KernelSpec,
  x: Tensor,
  outShape: number[],
  g: WindowGeometry,
  where: string,
): Tensor {
  if (x.dtype !== "f32") throw new DtypeError(`${where}: x must be f32, got ${x.dtype}`);
  const out = Tensor.empty(outShape, "f32", where);
  const words = packWindow(out.size, g);
  runtime().dispatch(spec, [x.buffer(where)], [out.buffer(where)], words, grid(out.size));
  return out;
}

let pairedSpec: KernelSpec | null = null;

function pairedWindowMeanKernel(): KernelSpec {
  pairedSpec ??= {
    inputs: 1,
    outputs: 1,
    code: `${WINDOW_PARAMS}
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let m = p.oh * p.ow;
  let b = i / (m * m);
  let q = i - b * m * m;
  let a = q / m; // first location (y1, x1), then the second (y2, x2)
  let c = q - a * m;
  let y1 = a / p.ow;
  let x1 = a - y1 * p.ow;
  let y2 = c / p.ow;
  let x2 = c - y2 * p.ow;
  let hw = p.h * p.w;
  let base = b * hw * hw;
  var s = 0.0;
  for (var ky = 0u; ky < p.kh; ky++) {
    let iy1 = i32(y1 * p.sh + ky * p.dh) - i32(p.padTop);
    let iy2 = i32(y2 * p.sh + ky * p.dh) - i32(p.padTop);
    if (iy1 < 0 || iy1 >= i32(p.h) || iy2 < 0 || iy2 >= i32(p.h)) { continue; }
    for (var kx = 0u; kx < p.kw; kx++) {
      let ix1 = i32(x1 * p.sw + kx * p.dw) - i32(p.padLeft);
      let ix2 = i32(x2 * p.sw + kx * p.dw) - i32(p.padLeft);
      if (ix1 < 0 || ix1 >= i32(p.w) || ix2 < 0 || ix2 >= i32(p.w)) { continue; }
      s += X[base + (u32(iy1) * p.w + u32(ix1)) * hw + u32(iy2) * p.w + u32(ix2)];
    }
  }
  O[i] = s * p.inv;
}`,
  };
  return pairedSpec;
}

/**
 * Window means of cross-location maps `x [..., H, W, H, W]` (rank >= 4, the pair's first
 * location, then its second): `out[.., y1, x1, y2, x2]` is the mean over the KH*KW taps
 * `(ky, kx)` of `x` at the pair of tapped locations (`y sh + ky dh - padTop`,
 * `x sw + kx dw - padLeft` for each), a term being zero when either location falls in the
 * padding. `options` as {@link windowMean}. Returns `[..., OH, OW, OH, OW]`.
 *
 * @example
 * ```ts
 * import { pairedWindowMean } from "./window_mean.ts";
 * import { ones } from "../gpu/mod.ts";
 * // 1 x 2 maps, a 1 x 2 "same" filter: the pair (x=0, x=1) has one tap with both in range
 * console.log(await pairedWindowMean(ones([1, 2, 1, 2]), [1, 2], "same").read()); // [1, 0.5, 0.5, 0.5]
 * ```
 */
export function pairedWindowMean(
  x: Tensor,
  filterShape: readonly [number, number],
  options: WindowOptions = {},
): Tensor {
  const where = "pairedWindowMean";
  const [h, w, h2, w2] = x.shape.slice(-4);
  if (x.rank < 4 || h !== h2 || w !== w2) {
    throw new ShapeError(
      `${where}: x must be location pairs [..., H, W, H, W], got shape [${x.shape.join(", ")}]`,
    );
  }
  const g = windowGeometry([h, w], filterShape, options, where);
  const outShape = [...x.shape.slice(0, -4), g.oh, g.ow, g.oh, g.ow];
  return runWindow(pairedWindowMeanKernel(), x, outShape, g, where);
}
