/**
 * The window mean of same-location kernel maps: the kernel map of a stride-1 convolution's patch
 * extraction (neural-tangents' `Conv` with `diagonal_spatial` kernels).
 *
 * For maps `x [..., H, W]` (one per pair of inputs) and a KH x KW filter,
 * `out[..., y, x] = (1 / (KH KW)) sum_{dy < KH, dx < KW} x[..., y + dy - padTop, x + dx - padLeft]`,
 * where taps falling into the zero padding contribute 0 but still count in the divisor (as in
 * neural-tangents: the mean is over the filter, not over the valid taps). `"same"` padding keeps
 * H x W (XLA SAME: `padTop = floor((KH - 1) / 2)`, the odd row of padding at the bottom, as
 * `conv2d` does); `"valid"` has no padding and gives (H - KH + 1) x (W - KW + 1).
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
import { type KernelSpec, runtime, Tensor } from "../gpu/mod.ts";
import { grid } from "../gpu/runtime.ts";
import { ENTRY, LINEAR_INDEX, paramWords } from "../gpu/kernels/indexing.ts";

/**
 * Spatial padding of {@link windowMean} (and the `conv` layer).
 *
 * @example
 * ```ts
 * import type { WindowPadding } from "./window_mean.ts";
 * const p: WindowPadding = "valid";
 * console.log(p); // "valid"
 * ```
 */
export type WindowPadding = "same" | "valid";

/**
 * The resolved geometry of a stride-1 window over an H x W map.
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
 * The geometry of a stride-1 `filterShape` window over an `[H, W]` map with `padding`; throws a
 * ShapeError when a "valid" window does not fit.
 *
 * @example
 * ```ts
 * import { windowGeometry } from "./window_mean.ts";
 * const g = windowGeometry([5, 4], [2, 3], "valid");
 * console.log(g.oh, g.ow); // 4 2
 * ```
 */
export function windowGeometry(
  spatial: readonly [number, number],
  filterShape: readonly [number, number],
  padding: WindowPadding,
  where = "windowMean",
): WindowGeometry {
  const [kh, kw] = checkFilterShape(filterShape, where);
  const [h, w] = spatial;
  if (padding === "same") {
    return { h, w, kh, kw, oh: h, ow: w, padTop: (kh - 1) >> 1, padLeft: (kw - 1) >> 1 };
  }
  if (padding !== "valid") {
    throw new InvalidArgumentError(
      `${where}: padding = ${JSON.stringify(padding)}: expected "same" or "valid"`,
    );
  }
  const oh = h - kh + 1, ow = w - kw + 1;
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      `${where}: a ${kh} x ${kw} filter with "valid" padding does not fit a ${h} x ${w} image ` +
        `(output would be ${oh} x ${ow}; expected at least 1 x 1)`,
    );
  }
  return { h, w, kh, kw, oh, ow, padTop: 0, padLeft: 0 };
}

let spec: KernelSpec | null = null;

function windowMeanKernel(): KernelSpec {
  spec ??= {
    inputs: 1,
    outputs: 1,
    code: `struct P { n: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, padTop: u32,
  padLeft: u32, inv: f32, p0: u32, p1: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
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
  for (var dy = 0u; dy < p.kh; dy++) {
    let iy = i32(y + dy) - i32(p.padTop);
    if (iy < 0 || iy >= i32(p.h)) { continue; }
    for (var dx = 0u; dx < p.kw; dx++) {
      let ix = i32(x + dx) - i32(p.padLeft);
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
 * Window means of maps `x [..., H, W]` (rank >= 2) with a stride-1 `filterShape` window;
 * returns `[..., OH, OW]`. Padding taps count as zeros in a mean over all KH*KW taps.
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
  padding: WindowPadding,
): Tensor {
  if (x.dtype !== "f32") throw new DtypeError(`windowMean: x must be f32, got ${x.dtype}`);
  if (x.rank < 2) {
    throw new ShapeError(
      `windowMean: x must be maps [..., H, W] (rank >= 2), got shape [${x.shape.join(", ")}]`,
    );
  }
  const h = x.shape[x.rank - 2], w = x.shape[x.rank - 1];
  const g = windowGeometry([h, w], filterShape, padding);
  const lead = x.shape.slice(0, -2);
  const out = Tensor.empty([...lead, g.oh, g.ow], "f32", "windowMean");
  const n = out.size;
  const words = paramWords();
  words.u.set([n, h, w, g.oh, g.ow, g.kh, g.kw, g.padTop, g.padLeft]);
  words.f[9] = 1 / (g.kh * g.kw);
  runtime().dispatch(
    windowMeanKernel(),
    [x.buffer("windowMean")],
    [out.buffer("windowMean")],
    words.u,
    grid(n),
  );
  return out;
}

let pairedSpec: KernelSpec | null = null;

function pairedWindowMeanKernel(): KernelSpec {
  pairedSpec ??= {
    inputs: 1,
    outputs: 1,
    code: `struct P { n: u32, h: u32, w: u32, oh: u32, ow: u32, kh: u32, kw: u32, padTop: u32,
  padLeft: u32, inv: f32, p0: u32, p1: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
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
  for (var dy = 0u; dy < p.kh; dy++) {
    let iy1 = i32(y1 + dy) - i32(p.padTop);
    let iy2 = i32(y2 + dy) - i32(p.padTop);
    if (iy1 < 0 || iy1 >= i32(p.h) || iy2 < 0 || iy2 >= i32(p.h)) { continue; }
    for (var dx = 0u; dx < p.kw; dx++) {
      let ix1 = i32(x1 + dx) - i32(p.padLeft);
      let ix2 = i32(x2 + dx) - i32(p.padLeft);
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
 * `(dy, dx)` of `x[.., y1 + dy - padTop, x1 + dx - padLeft, y2 + dy - padTop, x2 + dx - padLeft]`,
 * a term being zero when either location falls in the padding. Returns `[..., OH, OW, OH, OW]`.
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
  padding: WindowPadding,
): Tensor {
  const where = "pairedWindowMean";
  if (x.dtype !== "f32") throw new DtypeError(`${where}: x must be f32, got ${x.dtype}`);
  const [h, w, h2, w2] = x.shape.slice(-4);
  if (x.rank < 4 || h !== h2 || w !== w2) {
    throw new ShapeError(
      `${where}: x must be location pairs [..., H, W, H, W], got shape [${x.shape.join(", ")}]`,
    );
  }
  const g = windowGeometry([h, w], filterShape, padding, where);
  const lead = x.shape.slice(0, -4);
  const out = Tensor.empty([...lead, g.oh, g.ow, g.oh, g.ow], "f32", where);
  const n = out.size;
  const words = paramWords();
  words.u.set([n, h, w, g.oh, g.ow, g.kh, g.kw, g.padTop, g.padLeft]);
  words.f[9] = 1 / (g.kh * g.kw);
  runtime().dispatch(
    pairedWindowMeanKernel(),
    [x.buffer(where)],
    [out.buffer(where)],
    words.u,
    grid(n),
  );
  return out;
}
