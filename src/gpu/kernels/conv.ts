/**
 * WGSL generators for 2-D convolution data movement: im2col (NHWC image -> patch rows) and its
 * adjoint col2im (patch rows -> image, summing the taps that read each pixel). Both are gathers
 * (one thread per output element, a fixed loop order, no atomics), so results are deterministic.
 *
 * The geometry travels as uniforms ({@link packConvParams}), so one pipeline serves every shape.
 *
 * @example
 * ```ts
 * import { col2imKernel, im2colKernel } from "./conv.ts";
 * im2colKernel().inputs; // 1
 * col2imKernel().outputs; // 1
 * ```
 * @module
 */
import type { KernelSpec } from "../runtime.ts";
import { ENTRY, LINEAR_INDEX } from "./indexing.ts";

/**
 * The resolved geometry of a 2-D convolution over an NHWC input with a KH x KW window: sizes,
 * strides, dilations and the low (top/left) padding. Output sizes follow
 * `OH = floor((H + padTop + padBottom - (KH - 1) * dh - 1) / sh) + 1`.
 */
export interface ConvGeometry {
  /** Batch size. */
  n: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Channels. */
  c: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
  /** Window height. */
  kh: number;
  /** Window width. */
  kw: number;
  /** Vertical stride. */
  sh: number;
  /** Horizontal stride. */
  sw: number;
  /** Vertical dilation. */
  dh: number;
  /** Horizontal dilation. */
  dw: number;
  /** Zero rows added above the input. */
  padTop: number;
  /** Zero columns added left of the input. */
  padLeft: number;
}

// Shared uniform block: the thread count, then the geometry (i32, so offsets can go negative).
const STRUCT = `struct P {
  total: u32, n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, kh: i32,
  kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, ph: i32, pw: i32,
};
@group(0) @binding(0) var<uniform> p: P;`;

/**
 * Writes the uniform words of {@link im2colKernel} / {@link col2imKernel}: `total` threads, then
 * the geometry. `words` is the i32 view of a `paramWords()` block.
 *
 * @example
 * ```ts
 * import { packConvParams } from "./conv.ts";
 * const words = new Int32Array(16);
 * const g = { n: 1, h: 3, w: 3, c: 1, oh: 2, ow: 2, kh: 2, kw: 2, sh: 1, sw: 1, dh: 1, dw: 1 };
 * packConvParams(words, 16, { ...g, padTop: 0, padLeft: 0 });
 * console.log(words[0], words[7]); // 16 2
 * ```
 */
export function packConvParams(words: Int32Array, total: number, g: ConvGeometry): void {
  words.set([
    total,
    g.n,
    g.h,
    g.w,
    g.c,
    g.oh,
    g.ow,
    g.kh,
    g.kw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
    g.padTop,
    g.padLeft,
  ]);
}

/**
 * im2col over f32 NHWC: `cols[(n, oh, ow), (kh, kw, c)] = x[n, oh*sh - padTop + kh*dh,
 * ow*sw - padLeft + kw*dw, c]`, zero where that position lies in the padding. One thread per
 * element of cols `[N*OH*OW, KH*KW*C]`; `total` = its size.
 *
 * @example
 * ```ts
 * import { im2colKernel } from "./conv.ts";
 * console.log(im2colKernel().code.includes("fn main")); // true
 * ```
 */
export function im2colKernel(): KernelSpec {
  return {
    code: `${STRUCT}
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.total) { return; }
  let k = u32(p.kh * p.kw * p.c);
  let col = i32(i % k);
  let row = i32(i / k);
  let ch = col % p.c;
  let tap = col / p.c;
  let kx = tap % p.kw;
  let ky = tap / p.kw;
  let ox = row % p.ow;
  let oy = (row / p.ow) % p.oh;
  let b = row / (p.ow * p.oh);
  let y = oy * p.sh - p.ph + ky * p.dh;
  let x = ox * p.sw - p.pw + kx * p.dw;
  if (y < 0 || y >= p.h || x < 0 || x >= p.w) { out[i] = 0.0; return; }
  out[i] = xs[u32(((b * p.h + y) * p.w + x) * p.c + ch)];
}`,
    inputs: 1,
    outputs: 1,
  };
}

/**
 * col2im, the adjoint of {@link im2colKernel}: `x[n, y, x, c]` = the sum of every cols entry that
 * im2col copied from that pixel (taps in (kh, kw) order; none for pixels no window reads). One
 * thread per element of the image `[N, H, W, C]`; `total` = its size.
 *
 * @example
 * ```ts
 * import { col2imKernel } from "./conv.ts";
 * console.log(col2imKernel().inputs); // 1
 * ```
 */
export function col2imKernel(): KernelSpec {
  return {
    code: `${STRUCT}
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.total) { return; }
  let e = i32(i);
  let ch = e % p.c;
  let x = (e / p.c) % p.w;
  let y = (e / (p.c * p.w)) % p.h;
  let b = e / (p.c * p.w * p.h);
  let k = p.kh * p.kw * p.c;
  var acc = 0.0;
  for (var ky = 0; ky < p.kh; ky++) {
    let ty = y + p.ph - ky * p.dh; // = oy * sh for the output row that reads y with tap ky
    if (ty < 0) { break; } // ty only decreases with ky
    if (ty % p.sh != 0 || ty / p.sh >= p.oh) { continue; }
    let rowBase = (b * p.oh + ty / p.sh) * p.ow;
    for (var kx = 0; kx < p.kw; kx++) {
      let tx = x + p.pw - kx * p.dw;
      if (tx < 0) { break; }
      if (tx % p.sw != 0 || tx / p.sw >= p.ow) { continue; }
      acc += cols[u32((rowBase + tx / p.sw) * k + (ky * p.kw + kx) * p.c + ch)];
    }
  }
  out[i] = acc;
}`,
    inputs: 1,
    outputs: 1,
  };
}
