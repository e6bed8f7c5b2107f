/**
 * f64 host references for infinite-width kernels: the neural-tangents recursion written
 * directly, independent of the GPU stages.
 *
 * @module
 */
import { random, scope, type Tensor } from "../../src/gpu/mod.ts";
import {
  type DualActivation,
  empiricalNtk,
  inputKernel,
  type Kernel,
  type Layer,
} from "../../src/kernels_inf/mod.ts";

/** One step of a reference network. */
export type RefLayer =
  | { kind: "dense"; wStd: number; bStd: number | null; param: "ntk" | "standard"; out: number }
  | { kind: "act"; act: DualActivation }
  | { kind: "layerNorm"; eps: number };

/** NNGP/NTK matrices and variances in f64. */
export interface RefKernel {
  nngp: Float64Array;
  ntk: Float64Array;
  c1: Float64Array;
  c2: Float64Array;
  n1: number;
  n2: number;
  width: number;
}

/** The input kernel x1 x2^T / d (x given as row-major [n, d]). */
export function refInput(x1: ArrayLike<number>, x2: ArrayLike<number>, d: number): RefKernel {
  const n1 = x1.length / d, n2 = x2.length / d;
  const dot = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += a[i * d + t] * b[j * d + t];
    return s / d;
  };
  const nngp = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) nngp[i * n2 + j] = dot(x1, i, x2, j);
  const c1 = Float64Array.from({ length: n1 }, (_, i) => dot(x1, i, x1, i));
  const c2 = Float64Array.from({ length: n2 }, (_, j) => dot(x2, j, x2, j));
  return { nngp, ntk: new Float64Array(n1 * n2), c1, c2, n1, n2, width: d };
}

/** Applies reference layers in order. */
export function refKernel(k: RefKernel, layers: RefLayer[]): RefKernel {
  let { nngp, ntk, c1, c2, width } = k;
  const { n1, n2 } = k;
  for (const l of layers) {
    const nn = new Float64Array(n1 * n2), nt = new Float64Array(n1 * n2);
    if (l.kind === "dense") {
      const w2 = l.wStd ** 2, b2 = l.bStd === null ? 0 : l.bStd ** 2;
      for (let e = 0; e < nn.length; e++) {
        nn[e] = w2 * nngp[e] + b2;
        nt[e] = l.param === "ntk"
          ? nn[e] + w2 * ntk[e]
          : width * nngp[e] + (l.bStd === null ? 0 : 1) + w2 * ntk[e];
      }
      c1 = c1.map((v) => w2 * v + b2);
      c2 = c2.map((v) => w2 * v + b2);
      width = l.out;
    } else if (l.kind === "act") {
      for (let i = 0; i < n1; i++) {
        for (let j = 0; j < n2; j++) {
          const e = i * n2 + j;
          const [t, td] = l.act.dual(nngp[e], c1[i], c2[j]);
          nn[e] = t;
          nt[e] = ntk[e] * td;
        }
      }
      c1 = c1.map((v) => l.act.dual(v, v, v)[0]);
      c2 = c2.map((v) => l.act.dual(v, v, v)[0]);
    } else {
      for (let i = 0; i < n1; i++) {
        for (let j = 0; j < n2; j++) {
          const e = i * n2 + j;
          const s = 1 / Math.sqrt((c1[i] + l.eps) * (c2[j] + l.eps));
          nn[e] = nngp[e] * s;
          nt[e] = ntk[e] * s;
        }
      }
      c1 = c1.map((v) => v / (v + l.eps));
      c2 = c2.map((v) => v / (v + l.eps));
    }
    nngp = nn;
    ntk = nt;
  }
  return { nngp, ntk, c1, c2, n1, n2, width };
}

/** Asserts |a - e| <= atol + rtol * scale elementwise, with scale = max |e| (matrix-wide). */
export function closeScaled(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  what: string,
): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} vs ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= rtol * Math.max(scale, 1e-30))) {
      throw new Error(
        `${what}[${i}]: got ${actual[i]}, expected ${
          expected[i]
        } (|err| ${err}, scale ${scale}, rtol ${rtol})`,
      );
    }
  }
}

/**
 * Mean over `seeds` of the relative Frobenius error |K_emp - K| / |K| between the empirical NTK
 * of `net` initialized with each seed (feature shape `inShape`) and its analytic NTK on `x`.
 */
export async function meanEmpiricalNtkError(
  net: Layer,
  x: Tensor,
  inShape: number[],
  seeds: number[],
): Promise<number> {
  const exact = await net.kernel(x).ntk!.read();
  let s = 0;
  for (const seed of seeds) {
    const e = await empiricalNtk(net.apply, net.init(random.key(seed), inShape), x).read();
    let num = 0, den = 0;
    for (let i = 0; i < e.length; i++) {
      num += (e[i] - exact[i]) ** 2;
      den += exact[i] ** 2;
    }
    s += Math.sqrt(num / den);
  }
  return s / seeds.length;
}

/** The four arrays of a GPU kernel read back (ntk null when not tracked). */
export async function readKernel(k: Kernel) {
  const [nngp, ntk, c1, c2] = await Promise.all([
    k.nngp.read(),
    k.ntk ? k.ntk.read() : Promise.resolve(null),
    k.cov1.read(),
    k.cov2.read(),
  ]);
  return { nngp, ntk, c1, c2 };
}

/** Kernel map of `net` on the cross-location input kernel of a, b (intermediates freed). */
export function crossKernelOf(net: Layer, a: Tensor, b: Tensor | null, diagonal = false): Kernel {
  return scope(() => {
    const k = net.kernelFn(inputKernel(a, b, { crossLocations: true, diagonal }));
    if (Array.isArray(k)) throw new Error("crossKernelOf: one kernel expected");
    return k as Kernel;
  });
}
