/**
 * f64 host reference for same-location (CNN-VEC) kernels: the neural-tangents recursions of
 * `Conv` (stride 1, diagonal_spatial), pointwise layers and `Flatten`, written directly over
 * plain arrays, independent of the GPU code.
 *
 * Layout as on the GPU: nngp/ntk `[n1, n2, P]`, c1 `[n1, P]`, c2 `[n2, P]`, P = h*w innermost.
 *
 * @module
 */
import type { DualActivation } from "../../src/kernels_inf/mod.ts";

/** One step of a reference network. */
export type SpatialRefLayer =
  | {
    kind: "conv";
    out: number;
    kh: number;
    kw: number;
    padding: "same" | "valid";
    wStd: number;
    bStd: number | null;
    param: "ntk" | "standard";
  }
  | { kind: "dense"; out: number; wStd: number; bStd: number | null; param: "ntk" | "standard" }
  | { kind: "act"; act: DualActivation }
  | { kind: "layerNorm"; eps: number }
  | { kind: "flatten" };

/** A same-location kernel in f64 (P = 1, h = w = 1 once flattened). */
export interface SpatialRef {
  nngp: Float64Array;
  ntk: Float64Array;
  c1: Float64Array;
  c2: Float64Array;
  n1: number;
  n2: number;
  h: number;
  w: number;
  width: number;
}

/** Per-location input kernel of NHWC images given row-major as [n, h, w, c]. */
export function refImageKernel(
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
): SpatialRef {
  const P = h * w, n1 = x1.length / (P * c), n2 = x2.length / (P * c);
  const dot = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, p: number) => {
    let s = 0;
    for (let t = 0; t < c; t++) s += a[(i * P + p) * c + t] * b[(j * P + p) * c + t];
    return s / c;
  };
  const nngp = new Float64Array(n1 * n2 * P);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      for (let p = 0; p < P; p++) nngp[(i * n2 + j) * P + p] = dot(x1, i, x2, j, p);
    }
  }
  const c1 = Float64Array.from(
    { length: n1 * P },
    (_, e) => dot(x1, e / P | 0, x1, e / P | 0, e % P),
  );
  const c2 = Float64Array.from(
    { length: n2 * P },
    (_, e) => dot(x2, e / P | 0, x2, e / P | 0, e % P),
  );
  return { nngp, ntk: new Float64Array(n1 * n2 * P), c1, c2, n1, n2, h, w, width: c };
}

/**
 * Window means of `b` maps [h, w]: the mean over all kh*kw taps of the zero-padded map (XLA SAME
 * padding puts floor((k - 1) / 2) zeros before, the rest after; "valid" pads nothing).
 */
export function refWindowMean(
  m: ArrayLike<number>,
  b: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  padding: "same" | "valid",
): { out: Float64Array; oh: number; ow: number } {
  const [pt, pl] = padding === "same"
    ? [Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2)]
    : [0, 0];
  const oh = padding === "same" ? h : h - kh + 1, ow = padding === "same" ? w : w - kw + 1;
  // explicit zero-padded copy, then a plain sum over the window
  const H = oh + kh - 1, W = ow + kw - 1;
  const out = new Float64Array(b * oh * ow);
  for (let q = 0; q < b; q++) {
    const pad = new Float64Array(H * W);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (y + pt < H && x + pl < W) pad[(y + pt) * W + x + pl] = m[(q * h + y) * w + x];
      }
    }
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let s = 0;
        for (let dy = 0; dy < kh; dy++) {
          for (let dx = 0; dx < kw; dx++) s += pad[(y + dy) * W + x + dx];
        }
        out[(q * oh + y) * ow + x] = s / (kh * kw);
      }
    }
  }
  return { out, oh, ow };
}

/** Applies reference layers in order. */
export function refSpatialKernel(k0: SpatialRef, layers: SpatialRefLayer[]): SpatialRef {
  let k = k0;
  for (const l of layers) {
    const { n1, n2 } = k;
    const P = k.h * k.w;
    if (l.kind === "conv") {
      const wm = (m: Float64Array, b: number) =>
        refWindowMean(m, b, k.h, k.w, l.kh, l.kw, l.padding);
      const nn = wm(k.nngp, n1 * n2);
      const patches: SpatialRef = {
        nngp: nn.out,
        ntk: wm(k.ntk, n1 * n2).out,
        c1: wm(k.c1, n1).out,
        c2: wm(k.c2, n2).out,
        n1,
        n2,
        h: nn.oh,
        w: nn.ow,
        width: k.width * l.kh * l.kw,
      };
      k = refSpatialKernel(patches, [{ ...l, kind: "dense" }]);
    } else if (l.kind === "dense") {
      const w2 = l.wStd ** 2,
        b2 = l.bStd === null ? 0 : l.bStd ** 2,
        bias = l.bStd === null ? 0 : 1;
      const nngp = k.nngp.map((v) => w2 * v + b2);
      const ntk = k.ntk.map((t, e) =>
        l.param === "ntk" ? nngp[e] + w2 * t : k.width * k.nngp[e] + bias + w2 * t
      );
      k = {
        ...k,
        nngp,
        ntk,
        c1: k.c1.map((v) => w2 * v + b2),
        c2: k.c2.map((v) => w2 * v + b2),
        width: l.out,
      };
    } else if (l.kind === "act" || l.kind === "layerNorm") {
      const f = (kk: number, a: number, b: number): [number, number] => {
        if (l.kind === "act") return l.act.dual(kk, a, b);
        const s = 1 / Math.sqrt((a + l.eps) * (b + l.eps));
        return [kk * s, s];
      };
      const nngp = new Float64Array(k.nngp.length), ntk = new Float64Array(k.ntk.length);
      for (let i = 0; i < n1; i++) {
        for (let j = 0; j < n2; j++) {
          for (let p = 0; p < P; p++) {
            const e = (i * n2 + j) * P + p;
            const [t, td] = f(k.nngp[e], k.c1[i * P + p], k.c2[j * P + p]);
            nngp[e] = t;
            ntk[e] = k.ntk[e] * td;
          }
        }
      }
      k = {
        ...k,
        nngp,
        ntk,
        c1: k.c1.map((v) => f(v, v, v)[0]),
        c2: k.c2.map((v) => f(v, v, v)[0]),
      };
    } else {
      const avg = (m: Float64Array, b: number) =>
        Float64Array.from({ length: b }, (_, q) => {
          let s = 0;
          for (let p = 0; p < P; p++) s += m[q * P + p];
          return s / P;
        });
      k = {
        nngp: avg(k.nngp, n1 * n2),
        ntk: avg(k.ntk, n1 * n2),
        c1: avg(k.c1, n1),
        c2: avg(k.c2, n2),
        n1,
        n2,
        h: 1,
        w: 1,
        width: k.width * P,
      };
    }
  }
  return k;
}
