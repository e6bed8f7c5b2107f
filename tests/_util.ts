/**
 * Test helpers: seeded host random data, closeness assertions, finite differences in f64.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ExperimentContext } from "../src/report/experiment.ts";
import { mulberry32 } from "../src/nn/host_rng.ts";

/** A seeded host PRNG (mulberry32) returning floats in [0, 1). */
export const rng: (seed: number) => () => number = mulberry32;

/** `n` seeded standard-normal floats (Box-Muller), as a Float32Array. */
export function randn(seed: number, n: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = scale * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** `n` seeded uniform floats in [lo, hi). */
export function randu(seed: number, n: number, lo = 0, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Asserts |a - e| <= atol + rtol * |e| elementwise (NaN matches NaN), naming the first miss. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { rtol?: number; atol?: number } = {},
  what = "value",
): void {
  const rtol = tol.rtol ?? 1e-5, atol = tol.atol ?? 1e-6;
  assert.equal(
    actual.length,
    expected.length,
    `${what}: length ${actual.length} vs ${expected.length}`,
  );
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e);
    if (!(err <= atol + rtol * Math.abs(e))) {
      assert.fail(
        `${what}[${i}]: got ${a}, expected ${e} (|err| ${err}, rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}

/** Central finite-difference gradient of a host f64 function. */
export function numericGrad(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  eps = 1e-6,
): Float64Array {
  const xx = Float64Array.from(x);
  const g = new Float64Array(xx.length);
  for (let i = 0; i < xx.length; i++) {
    const v = xx[i];
    xx[i] = v + eps;
    const fp = f(xx);
    xx[i] = v - eps;
    const fm = f(xx);
    xx[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** An experiment context that logs nothing and is never aborted, for tiny experiment runs. */
export function quietContext(seed = 0): ExperimentContext {
  return {
    seed,
    quick: true,
    outDir: "/tmp",
    adapter: "test",
    log: () => {},
    progress: () => ({ tick() {}, done() {} }),
    signal: new AbortController().signal,
  };
}
