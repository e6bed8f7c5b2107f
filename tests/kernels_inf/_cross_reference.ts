/**
 * f64 host reference for cross-location ("full spatial") kernels: the neural-tangents
 * recursions of `Conv` (stride 1, without `diagonal_spatial`), pointwise layers, `Flatten`,
 * `GlobalAvgPool` and `AvgPool` (Novak et al. 2019, "Bayesian deep convolutional networks with
 * many channels are Gaussian processes"), written directly over plain arrays, independent of the
 * GPU code.
 *
 * Layout as on the GPU: nngp/ntk `[n1, n2, P, P]` (entry [i, j, p, q]: input i at location p
 * with input j at location q), c1 `[n1, P, P]`, c2 `[n2, P, P]`, P = h*w row-major
 * (p = y*w + x). After `flatten` or `gap` the kernel is flat: h = w = 1, so the same arrays read
 * as `[n1, n2]`, `[n1]`, `[n2]`.
 *
 * @module
 */
import type { SpatialRefLayer } from "./_spatial_reference.ts";

/**
 * Local average pooling (neural-tangents' `AvgPool`, `normalize_edges=False`): a KH x KW window
 * with strides, padding and dilations as `conv2d` (stride defaults to the window, padding to
 * "valid"); padding taps count as zeros in the mean over all KH KW taps. `tied: true` moves both
 * locations of a pair by the same tap, as a convolution's shared weight does: the wrong map for
 * pooling, kept to show that tests tell the two apart.
 */
export interface RefAvgPool {
  kind: "avgPool";
  kh: number;
  kw: number;
  stride?: readonly [number, number];
  padding?: "same" | "valid" | readonly [readonly [number, number], readonly [number, number]];
  dilation?: readonly [number, number];
  tied?: boolean;
}

/** One step of a reference network: the same-location steps plus average pooling. */
export type CrossRefLayer = SpatialRefLayer | { kind: "gap" } | RefAvgPool;

/** Output size and top/left padding of an average-pooling window over an h x w grid. */
export interface RefPoolGeometry {
  oh: number;
  ow: number;
  padTop: number;
  padLeft: number;
}

/**
 * Geometry of `l` over h x w: XLA SAME (output ceil(n / s), total padding
 * max((out - 1) s + ext - n, 0), the smaller half on top/left), "valid", or explicit pads;
 * ext = (k - 1) d + 1 the dilated window.
 */
export function refPoolGeometry(l: RefAvgPool, h: number, w: number): RefPoolGeometry {
  const s = l.stride ?? [l.kh, l.kw], d = l.dilation ?? [1, 1], pad = l.padding ?? "valid";
  const dim = (n: number, k: number, i: 0 | 1) => {
    const ext = (k - 1) * d[i] + 1;
    let lo = 0, hi = 0;
    if (pad === "same") {
      const total = Math.max((Math.ceil(n / s[i]) - 1) * s[i] + ext - n, 0);
      lo = Math.floor(total / 2);
      hi = total - lo;
    } else if (pad !== "valid") [lo, hi] = pad[i];
    return { out: Math.floor((n + lo + hi - ext) / s[i]) + 1, lo };
  };
  const y = dim(h, l.kh, 0), x = dim(w, l.kw, 1);
  return { oh: y.out, ow: x.out, padTop: y.lo, padLeft: x.lo };
}

/**
 * The input locations (row-major y * w + x) under each window tap, per output location:
 * `taps[o][t]`, -1 where the tap falls in the padding.
 */
export function refPoolTaps(l: RefAvgPool, h: number, w: number): number[][] {
  const g = refPoolGeometry(l, h, w);
  const s = l.stride ?? [l.kh, l.kw], d = l.dilation ?? [1, 1];
  const taps: number[][] = [];
  for (let oy = 0; oy < g.oh; oy++) {
    for (let ox = 0; ox < g.ow; ox++) {
      const t: number[] = [];
      for (let ky = 0; ky < l.kh; ky++) {
        for (let kx = 0; kx < l.kw; kx++) {
          const y = oy * s[0] + ky * d[0] - g.padTop, x = ox * s[1] + kx * d[1] - g.padLeft;
          t.push(y >= 0 && y < h && x >= 0 && x < w ? y * w + x : -1);
        }
      }
      taps.push(t);
    }
  }
  return taps;
}

/**
 * Average pooling of `b` cross maps [P, P]: untied,
 * out[o1, o2] = (1 / T^2) sum_{s in taps(o1)} sum_{t in taps(o2)} m[s, t] (T = KH KW, padding
 * terms zero); tied (`l.tied`), out[o1, o2] = (1 / T) sum_tap m[taps(o1)[tap], taps(o2)[tap]].
 */
export function refAvgPoolMaps(
  m: ArrayLike<number>,
  b: number,
  h: number,
  w: number,
  l: RefAvgPool,
): { out: Float64Array; oh: number; ow: number } {
  const { oh, ow } = refPoolGeometry(l, h, w);
  const taps = refPoolTaps(l, h, w), T = l.kh * l.kw, P = h * w, Q = oh * ow;
  const out = new Float64Array(b * Q * Q);
  for (let e = 0; e < b; e++) {
    for (let o1 = 0; o1 < Q; o1++) {
      for (let o2 = 0; o2 < Q; o2++) {
        let s = 0;
        for (let t1 = 0; t1 < T; t1++) {
          const a = taps[o1][t1];
          if (a < 0) continue;
          if (l.tied) {
            const c = taps[o2][t1];
            if (c >= 0) s += m[(e * P + a) * P + c];
          } else {
            for (const c of taps[o2]) if (c >= 0) s += m[(e * P + a) * P + c];
          }
        }
        out[(e * Q + o1) * Q + o2] = s / (l.tied ? T : T * T);
      }
    }
  }
  return { out, oh, ow };
}

/** A cross-location kernel in f64. */
export interface CrossRef {
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

/** Cross-location input kernel of NHWC images given row-major as [n, h, w, c]. */
export function refCrossImageKernel(
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
): CrossRef {
  const P = h * w, n1 = x1.length / (P * c), n2 = x2.length / (P * c);
  // sum_c a[i, p, c] b[j, q, c] / C for every (i, j, p, q)
  const cross = (a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number) => {
    const out = new Float64Array(na * nb * P * P);
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < nb; j++) {
        for (let p = 0; p < P; p++) {
          for (let q = 0; q < P; q++) {
            let s = 0;
            for (let t = 0; t < c; t++) s += a[(i * P + p) * c + t] * b[(j * P + q) * c + t];
            out[((i * nb + j) * P + p) * P + q] = s / c;
          }
        }
      }
    }
    return out;
  };
  // cov of x_i with itself: the (i, i) blocks of the self kernel
  const self = (a: ArrayLike<number>, na: number) => {
    const all = cross(a, na, a, na), out = new Float64Array(na * P * P);
    for (let i = 0; i < na; i++) {
      out.set(all.subarray((i * na + i) * P * P, (i * na + i + 1) * P * P), i * P * P);
    }
    return out;
  };
  return {
    nngp: cross(x1, n1, x2, n2),
    ntk: new Float64Array(n1 * n2 * P * P),
    c1: self(x1, n1),
    c2: self(x2, n2),
    n1,
    n2,
    h,
    w,
    width: c,
  };
}

/**
 * Paired window means of `b` cross maps [P, P] over an h x w grid: output entry
 * ((y1, x1), (y2, x2)) is (1 / (kh kw)) sum over taps (dy, dx) of
 * m[(y1 + dy - pt, x1 + dx - pl), (y2 + dy - pt, x2 + dx - pl)], both locations moved by the same
 * tap (one filter weight multiplies both); a term is zero when either location is padding, but
 * the divisor stays kh kw. XLA SAME: pt = floor((kh - 1) / 2), pl likewise; "valid": none.
 */
export function refPairWindowMean(
  m: ArrayLike<number>,
  b: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  padding: "same" | "valid",
): { out: Float64Array; oh: number; ow: number } {
  const pt = padding === "same" ? Math.floor((kh - 1) / 2) : 0;
  const pl = padding === "same" ? Math.floor((kw - 1) / 2) : 0;
  const oh = padding === "same" ? h : h - kh + 1, ow = padding === "same" ? w : w - kw + 1;
  const P = h * w, Q = oh * ow;
  const inside = (y: number, x: number) => y >= 0 && y < h && x >= 0 && x < w;
  const out = new Float64Array(b * Q * Q);
  for (let e = 0; e < b; e++) {
    for (let p = 0; p < Q; p++) {
      const y1 = Math.floor(p / ow), x1 = p % ow;
      for (let q = 0; q < Q; q++) {
        const y2 = Math.floor(q / ow), x2 = q % ow;
        let s = 0;
        for (let dy = 0; dy < kh; dy++) {
          for (let dx = 0; dx < kw; dx++) {
            const ya = y1 + dy - pt, xa = x1 + dx - pl, yb = y2 + dy - pt, xb = x2 + dx - pl;
            if (inside(ya, xa) && inside(yb, xb)) s += m[(e * P + ya * w + xa) * P + yb * w + xb];
          }
        }
        out[(e * Q + p) * Q + q] = s / (kh * kw);
      }
    }
  }
  return { out, oh, ow };
}

/** Applies reference layers in order. */
export function refCrossKernel(k0: CrossRef, layers: CrossRefLayer[]): CrossRef {
  let k = k0;
  for (const l of layers) {
    const { n1, n2 } = k;
    const P = k.h * k.w;
    if (l.kind === "conv") {
      // patch extraction (paired window means, width KH KW C), then the dense map
      const wm = (m: Float64Array, b: number) =>
        refPairWindowMean(m, b, k.h, k.w, l.kh, l.kw, l.padding);
      const nn = wm(k.nngp, n1 * n2);
      const patches: CrossRef = {
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
      k = refCrossKernel(patches, [{ ...l, kind: "dense" }]);
    } else if (l.kind === "avgPool") {
      // no parameters: all four maps pooled alike, width unchanged, still cross-location
      const pool = (m: Float64Array, b: number) => refAvgPoolMaps(m, b, k.h, k.w, l);
      const nn = pool(k.nngp, n1 * n2);
      k = {
        ...k,
        nngp: nn.out,
        ntk: pool(k.ntk, n1 * n2).out,
        c1: pool(k.c1, n1).out,
        c2: pool(k.c2, n2).out,
        h: nn.oh,
        w: nn.ow,
      };
    } else if (l.kind === "dense") {
      // every entry (any pair of locations) maps alike: the bias is shared by all locations
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
      // variance of input n at location p: the (p, p) entry of its own cov block
      const v = (c: Float64Array, n: number, p: number) => c[(n * P + p) * P + p];
      const nngp = new Float64Array(k.nngp.length), ntk = new Float64Array(k.ntk.length);
      for (let i = 0; i < n1; i++) {
        for (let j = 0; j < n2; j++) {
          for (let p = 0; p < P; p++) {
            for (let q = 0; q < P; q++) {
              const e = ((i * n2 + j) * P + p) * P + q;
              const [t, td] = f(k.nngp[e], v(k.c1, i, p), v(k.c2, j, q));
              nngp[e] = t;
              ntk[e] = k.ntk[e] * td;
            }
          }
        }
      }
      const cov = (c: Float64Array, n: number) =>
        Float64Array.from({ length: n * P * P }, (_, e) => {
          const i = Math.floor(e / (P * P)), p = Math.floor(e / P) % P, q = e % P;
          return f(c[e], v(c, i, p), v(c, i, q))[0];
        });
      k = { ...k, nngp, ntk, c1: cov(k.c1, n1), c2: cov(k.c2, n2) };
    } else {
      // flatten: mean of the same-location (diagonal) entries, width C P;
      // gap: mean over all pairs of locations, width C
      const gap = l.kind === "gap";
      const avg = (m: Float64Array, b: number) =>
        Float64Array.from({ length: b }, (_, e) => {
          let s = 0;
          for (let p = 0; p < P; p++) {
            if (gap) { for (let q = 0; q < P; q++) s += m[(e * P + p) * P + q]; }
            else s += m[(e * P + p) * P + p];
          }
          return s / (gap ? P * P : P);
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
        width: gap ? k.width : k.width * P,
      };
    }
  }
  return k;
}

/** The (i, i) blocks of a self kernel k(x, x): the diagonal-mode result, [n, P, P]. */
export function refDiagonalBlocks(k: CrossRef, which: "nngp" | "ntk"): Float64Array {
  const PP = (k.h * k.w) ** 2, out = new Float64Array(k.n1 * PP);
  for (let i = 0; i < k.n1; i++) {
    out.set(k[which].subarray((i * k.n2 + i) * PP, (i * k.n2 + i + 1) * PP), i * PP);
  }
  return out;
}
