/**
 * 2-D convolution (NHWC input, HWIO kernel, as in JAX/flax) built from im2col and the matmul,
 * with im2col/col2im as differentiable ops of their own. im2col's VJP is col2im and col2im's VJP
 * is im2col, so `conv2d` differentiates w.r.t. input and kernel, to any order, by composition.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { conv2d } from "./conv.ts";
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] });
 * const w = tensor([1, 0, 0, 1], { shape: [2, 2, 1, 1] });
 * console.log(await conv2d(x, w, { padding: "valid" }).read()); // Float32Array [6, 8, 12, 14]
 * ```
 * @module
 */
import { DtypeError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import { col2imKernel, type ConvGeometry, im2colKernel, packConvParams } from "../kernels/conv.ts";
import { memoKernel, paramWords } from "../kernels/indexing.ts";
import { grid } from "../runtime.ts";
import { fmtShape, type Shape } from "../shape.ts";
import { record } from "../tape.ts";
import { checkOperands, composite, Tensor } from "../tensor.ts";
import { matmul } from "./matmul.ts";
import { reshape } from "./shape.ts";

const im2colK = memoKernel(im2colKernel);
const col2imK = memoKernel(col2imKernel);

/**
 * Spatial padding of {@link conv2d}: `"same"` (XLA/TF SAME: output `ceil(H / stride)`, the odd
 * pixel of padding at the bottom/right), `"valid"` (none), a number (that many zeros on every
 * side), or explicit `[[top, bottom], [left, right]]`.
 */
export type Conv2dPadding =
  | "same"
  | "valid"
  | number
  | readonly [readonly [number, number], readonly [number, number]];

/** Options of {@link conv2d}, {@link im2col} and {@link col2im}. */
export interface Conv2dOptions {
  /** Window step, one number for both spatial dims or `[sh, sw]`; positive integers (default 1). */
  stride?: number | readonly [number, number];
  /** Zero padding of the input (default `"same"`, as in flax `nn.Conv`). */
  padding?: Conv2dPadding;
  /** Kernel dilation (spacing between taps), one number or `[dh, dw]`; positive (default 1). */
  dilation?: number | readonly [number, number];
}

const OPTION_KEYS = ["stride", "padding", "dilation"];

const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

const isNat = (v: unknown, min: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min;

function pair(v: unknown, name: string, where: string): [number, number] {
  if (isNat(v, 1)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isNat(v[0], 1) && isNat(v[1], 1)) return [v[0], v[1]];
  throw new InvalidArgumentError(
    `${where}: option ${name} = ${show(v)}: expected a positive integer or a pair ` +
      `[${name === "stride" ? "sh, sw" : "dh, dw"}] of positive integers`,
  );
}

/** [[top, bottom], [left, right]] from a padding option, given the dilated window extents. */
function pads(
  v: unknown,
  h: number,
  w: number,
  ext: [number, number],
  stride: [number, number],
  where: string,
): [[number, number], [number, number]] {
  if (v === "valid") return [[0, 0], [0, 0]];
  if (v === "same") {
    return ([[h, 0], [w, 1]] as const).map(([size, d]) => {
      const total = Math.max((Math.ceil(size / stride[d]) - 1) * stride[d] + ext[d] - size, 0);
      const lo = Math.floor(total / 2);
      return [lo, total - lo];
    }) as [[number, number], [number, number]];
  }
  if (isNat(v, 0)) return [[v, v], [v, v]];
  const ok = Array.isArray(v) && v.length === 2 &&
    v.every((p) => Array.isArray(p) && p.length === 2 && isNat(p[0], 0) && isNat(p[1], 0));
  if (ok) return [[v[0][0], v[0][1]], [v[1][0], v[1][1]]];
  throw new InvalidArgumentError(
    `${where}: option padding = ${show(v)}: expected "same", "valid", a non-negative integer ` +
      `or [[top, bottom], [left, right]] of non-negative integers`,
  );
}

/**
 * Validates conv options against an input shape `[N, H, W, C]` and a KH x KW window and resolves
 * the geometry {@link conv2d} uses: output size, strides, dilations and the top/left padding
 * (InvalidArgumentError for bad options, ShapeError for an empty output). Layers whose kernel
 * maps follow a convolution's windows (the infinite-width `conv`) use it to agree with `conv2d`.
 *
 * @example
 * ```ts
 * import { convGeometry } from "./conv.ts";
 * const g = convGeometry([1, 5, 4, 3], 3, 3, { stride: 2 }, "demo");
 * console.log(g.oh, g.ow, g.padTop, g.padLeft); // 3 2 1 0
 * ```
 */
export function convGeometry(
  xShape: Shape,
  kh: number,
  kw: number,
  options: Conv2dOptions | undefined,
  where: string,
): ConvGeometry {
  const o = options ?? {};
  if (typeof o !== "object" || Array.isArray(o)) {
    throw new InvalidArgumentError(`${where}: options = ${show(o)}: expected an object`);
  }
  const unknown = Object.keys(o).filter((k) => !OPTION_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `${where}: option(s) ${unknown.join(", ")} not recognised; expected keys: ` +
        OPTION_KEYS.join(", "),
    );
  }
  const [n, h, w, c] = xShape;
  const stride = pair(o.stride ?? 1, "stride", where);
  const dil = pair(o.dilation ?? 1, "dilation", where);
  const ext: [number, number] = [(kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1];
  const [[pt, pb], [pl, pr]] = pads(o.padding ?? "same", h, w, ext, stride, where);
  const outSize = (size: number, lo: number, hi: number, d: 0 | 1) =>
    Math.floor((size + lo + hi - ext[d]) / stride[d]) + 1;
  const oh = outSize(h, pt, pb, 0), ow = outSize(w, pl, pr, 1);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      `${where}: output would be ${oh} x ${ow} (expected at least 1 x 1): input ` +
        `${fmtShape(xShape)} padded by [[${pt}, ${pb}], [${pl}, ${pr}]] is ${h + pt + pb} x ` +
        `${w + pl + pr}, smaller than the dilated ${kh} x ${kw} window (${ext[0]} x ${ext[1]})`,
    );
  }
  return {
    n,
    h,
    w,
    c,
    oh,
    ow,
    kh,
    kw,
    sh: stride[0],
    sw: stride[1],
    dh: dil[0],
    dw: dil[1],
    padTop: pt,
    padLeft: pl,
  };
}

function checkImage(x: Tensor, name: string, where: string): void {
  checkOperands(where, x);
  if (x.dtype !== "f32") throw new DtypeError(`${where}: ${name} must be f32, got ${x.dtype}`);
  if (x.rank !== 4) {
    throw new ShapeError(
      `${where}: ${name} must have rank 4 [N, H, W, C], got shape ${fmtShape(x.shape)}`,
    );
  }
}

function checkKernelSize(k: unknown, where: string): [number, number] {
  if (!Array.isArray(k) || k.length !== 2 || !isNat(k[0], 1) || !isNat(k[1], 1)) {
    throw new InvalidArgumentError(
      `${where}: kernelSize = ${show(k)}: expected a pair [KH, KW] of positive integers`,
    );
  }
  return [k[0], k[1]];
}

function launch(g: ConvGeometry, src: Tensor, shape: Shape, col2im: boolean): Tensor {
  const where = col2im ? "col2im" : "im2col";
  const rt = checkOperands(where, src);
  const out = Tensor.empty(shape, "f32", where);
  const p = paramWords();
  packConvParams(p.i, out.size, g);
  rt.dispatch(
    col2im ? col2imK() : im2colK(),
    [src.buffer(where)],
    [out.buffer()],
    p.u,
    grid(out.size),
  );
  return out;
}

function im2colRaw(x: Tensor, g: ConvGeometry): Tensor {
  const out = launch(g, x, [g.n * g.oh * g.ow, g.kh * g.kw * g.c], false);
  return record(out, [x], (ct) => [col2imRaw(ct, g)]);
}

function col2imRaw(cols: Tensor, g: ConvGeometry): Tensor {
  const out = launch(g, cols, [g.n, g.h, g.w, g.c], true);
  return record(out, [cols], (ct) => [im2colRaw(ct, g)]);
}

/**
 * Extracts the convolution patches of an NHWC image: row `(n, oh, ow)` of the result holds the
 * `kernelSize` window under output position (oh, ow), flattened in (kh, kw, c) order (the order
 * of a reshaped HWIO kernel), with zeros where the window covers padding. Result shape
 * `[N*OH*OW, KH*KW*C]`: KH*KW times the input's size when the stride is 1. Differentiable (its
 * VJP is {@link col2im}).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { im2col } from "./conv.ts";
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 3, 3, 1] });
 * const cols = im2col(x, [2, 2], { padding: "valid" });
 * console.log(await cols.toArray()); // [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]
 * ```
 * @param x Input `[N, H, W, C]`, f32.
 * @param kernelSize Window `[KH, KW]`.
 * @param options Stride, padding (default `"same"`) and dilation, as in {@link conv2d}.
 * @returns The patch matrix `[N*OH*OW, KH*KW*C]`.
 */
export function im2col(
  x: Tensor,
  kernelSize: readonly [number, number],
  options?: Conv2dOptions,
): Tensor {
  checkImage(x, "x", "im2col");
  const [kh, kw] = checkKernelSize(kernelSize, "im2col");
  return im2colRaw(x, convGeometry(x.shape, kh, kw, options, "im2col"));
}

/**
 * The adjoint (transpose) of {@link im2col}: scatters a patch matrix back onto an image of shape
 * `inputShape`, each pixel receiving the sum of every patch entry taken from it (zero for pixels
 * no window reads). Written as a gather, so it is deterministic. Differentiable (its VJP is
 * {@link im2col}). Used for the input gradient of {@link conv2d}.
 *
 * @example
 * ```ts
 * import { ones } from "./creation.ts";
 * import { col2im } from "./conv.ts";
 * // How many 2x2 windows cover each pixel of a 3x3 image:
 * const counts = col2im(ones([4, 4]), [1, 3, 3, 1], [2, 2], { padding: "valid" });
 * console.log(await counts.read()); // Float32Array [1, 2, 1, 2, 4, 2, 1, 2, 1]
 * ```
 * @param cols Patch matrix `[N*OH*OW, KH*KW*C]`, f32, as produced by {@link im2col}.
 * @param inputShape The image shape `[N, H, W, C]` to produce.
 * @param kernelSize Window `[KH, KW]`.
 * @param options Stride, padding (default `"same"`) and dilation, as given to {@link im2col}.
 * @returns The image `[N, H, W, C]`.
 */
export function col2im(
  cols: Tensor,
  inputShape: readonly [number, number, number, number],
  kernelSize: readonly [number, number],
  options?: Conv2dOptions,
): Tensor {
  checkOperands("col2im", cols);
  if (cols.dtype !== "f32") throw new DtypeError(`col2im: cols must be f32, got ${cols.dtype}`);
  const shape = inputShape as unknown;
  if (
    !Array.isArray(shape) || shape.length !== 4 || !shape.every((d: unknown) => isNat(d, 0))
  ) {
    throw new InvalidArgumentError(
      `col2im: inputShape = ${show(shape)}: expected [N, H, W, C] of non-negative integers`,
    );
  }
  const [kh, kw] = checkKernelSize(kernelSize, "col2im");
  const g = convGeometry(inputShape, kh, kw, options, "col2im");
  const want = [g.n * g.oh * g.ow, kh * kw * g.c];
  if (cols.rank !== 2 || cols.shape[0] !== want[0] || cols.shape[1] !== want[1]) {
    throw new ShapeError(
      `col2im: cols ${fmtShape(cols.shape)} does not match inputShape ` +
        `${fmtShape(inputShape)} with a ${kh} x ${kw} window (expected ${fmtShape(want)})`,
    );
  }
  return col2imRaw(cols, g);
}

/**
 * 2-D convolution (cross-correlation, as in `jax.lax.conv_general_dilated` and flax `nn.Conv`)
 * of an NHWC input with an HWIO kernel: `out[n, oh, ow, o] = sum_{kh, kw, c}
 * xpad[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * w[kh, kw, c, o]`. Runs as {@link im2col} followed by
 * one matmul with the kernel reshaped to `[KH*KW*C, O]` (a 1x1 kernel with stride 1 and no
 * padding skips im2col), so the patch matrix costs KH*KW times the input's memory (divided by
 * the strides). Differentiable w.r.t. `x` and `w`, including higher orders.
 *
 * @example
 * ```ts
 * import * as random from "../random.ts";
 * import { conv2d } from "./conv.ts";
 * const [kx, kw] = random.split(random.key(0));
 * const x = random.normal(kx, [2, 8, 8, 3]); // N, H, W, C
 * const w = random.normal(kw, [3, 3, 3, 16]); // KH, KW, C, O
 * conv2d(x, w).shape; // [2, 8, 8, 16]
 * conv2d(x, w, { stride: 2 }).shape; // [2, 4, 4, 16]
 * conv2d(x, w, { padding: "valid", dilation: 2 }).shape; // [2, 4, 4, 16]
 * ```
 * @param x Input `[N, H, W, C]`, f32.
 * @param w Kernel `[KH, KW, C, O]`, f32.
 * @param options Stride (default 1), padding (default `"same"`), dilation (default 1).
 * @returns `[N, OH, OW, O]`.
 */
export function conv2d(x: Tensor, w: Tensor, options?: Conv2dOptions): Tensor {
  checkImage(x, "x", "conv2d");
  checkOperands("conv2d", w);
  if (w.dtype !== "f32") throw new DtypeError(`conv2d: w must be f32, got ${w.dtype}`);
  if (w.rank !== 4) {
    throw new ShapeError(
      `conv2d: w must have rank 4 [KH, KW, C, O], got shape ${fmtShape(w.shape)}`,
    );
  }
  const [kh, kw, c, o] = w.shape;
  if (c !== x.shape[3]) {
    throw new ShapeError(
      `conv2d: w ${fmtShape(w.shape)} has ${c} input channels (axis 2), but x ` +
        `${fmtShape(x.shape)} has ${x.shape[3]} (axis 3); expected them equal`,
    );
  }
  if (kh < 1 || kw < 1) {
    throw new ShapeError(
      `conv2d: w ${fmtShape(w.shape)} has an empty window; expected KH, KW >= 1`,
    );
  }
  const g = convGeometry(x.shape, kh, kw, options, "conv2d");
  const pointwise = kh === 1 && kw === 1 && g.sh === 1 && g.sw === 1 && g.oh === g.h &&
    g.ow === g.w;
  return composite(() => {
    const rows = g.n * g.oh * g.ow;
    const cols = pointwise ? reshape(x, [rows, c]) : im2colRaw(x, g);
    const y = matmul(cols, reshape(w, [kh * kw * c, o]));
    return reshape(y, [g.n, g.oh, g.ow, o]);
  });
}
