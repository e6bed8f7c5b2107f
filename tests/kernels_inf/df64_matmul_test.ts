/** matmulDf64 against f64 products of the same hi + lo values, with cancelling sums. */
import assert from "node:assert/strict";
import { matmulDf64 } from "../../src/kernels_inf/linalg/df64_matmul.ts";
import { tensor } from "../../src/gpu/mod.ts";
import { ShapeError } from "../../src/errors.ts";
import { randn } from "../_util.ts";

/** A df64 matrix [n, m, 2] of large values whose f32 rounding loses ~8 digits, and its f64 sum. */
function df64Matrix(n: number, m: number, seed: number) {
  const v = randn(seed, n * m).map((z) => 1e3 * z + 1e-4 * Math.sin(z)); // f64 values
  const pairs = new Float32Array(2 * n * m);
  const exact = new Float64Array(n * m);
  v.forEach((x, i) => {
    const hi = Math.fround(x), lo = Math.fround(x - hi);
    pairs[2 * i] = hi;
    pairs[2 * i + 1] = lo;
    exact[i] = hi + lo;
  });
  return { t: tensor(pairs, { shape: [n, m, 2] }), exact };
}

Deno.test("matmulDf64 matches f64 where an f32 product cancels (sizes across tile edges)", async () => {
  for (const [t, n, m] of [[1, 1, 1], [5, 17, 3], [33, 40, 16], [16, 100, 17]]) {
    const { t: x, exact } = df64Matrix(n, m, 10 + n);
    // random signs: the sums cancel to ~1/sqrt(n) of their magnitude; an f32 accumulation
    // (error ~n 2^-24 of the magnitude) fails the tolerance below
    const a = Float32Array.from(randn(20 + t, t * n));
    const want = new Float64Array(t * m), mag = new Float64Array(t * m);
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0, g = 0;
        for (let l = 0; l < n; l++) {
          s += a[i * n + l] * exact[l * m + j];
          g += Math.abs(a[i * n + l] * exact[l * m + j]);
        }
        want[i * m + j] = s;
        mag[i * m + j] = g;
      }
    }
    const got = await matmulDf64(tensor(a, { shape: [t, n] }), x).read();
    for (let e = 0; e < t * m; e++) {
      // one f32 rounding of the result plus df64 accumulation error (~n 2^-48 of the magnitude)
      const tol = 2 ** -24 * Math.abs(want[e]) + n * 2 ** -46 * mag[e];
      assert.ok(
        Math.abs(got[e] - want[e]) <= tol,
        `[${t}, ${n}, ${m}] entry ${e}: ${got[e]} vs ${want[e]} (tol ${tol})`,
      );
    }
  }
});

Deno.test("matmulDf64 rejects mismatched shapes and non-pair inputs", () => {
  const a = tensor([[1, 2]]);
  assert.throws(() => matmulDf64(a, tensor([[1, 2], [3, 4]])), ShapeError);
  assert.throws(() => matmulDf64(a, tensor([[[1, 0]], [[1, 0]], [[1, 0]]])), /x must be df64/);
  assert.throws(() => matmulDf64(tensor([1, 2]), tensor([[[1, 0]], [[1, 0]]])), /a must be/);
});
