import assert from "node:assert/strict";
import {
  argmax,
  argmin,
  AxisError,
  DtypeError,
  logsumexp,
  max,
  mean,
  min,
  prod,
  sum,
  tensor,
  variance,
} from "../../mod.ts";
import { assertClose, randn } from "../_util.ts";

/** f64 reference reduction over `axes` of a row-major array. */
function reduceRef(
  x: ArrayLike<number>,
  shape: number[],
  axes: number[],
  init: number,
  f: (acc: number, v: number) => number,
): number[] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Array(n).fill(init);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let rem = k, o = 0, mulAcc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const c = rem % shape[i];
      rem = Math.floor(rem / shape[i]);
      if (!axes.includes(i)) o += c * mulAcc;
      mulAcc *= outShape[i];
    }
    out[o] = f(out[o], x[k]);
  }
  return out;
}

const cases: [number[], number[]][] = [
  [[7], [0]],
  [[3, 5], [0]],
  [[3, 5], [1]],
  [[4, 3, 6], [1]],
  [[4, 3, 6], [0, 2]],
  [[2, 3, 4, 5], [1, 2]],
  [[2, 3, 4, 5], [0, 3]],
  [[300, 3], [0]], // long columns: transposed path
  [[2, 40000], [1]], // long rows: two-stage
  [[5, 1000], [1]], // workgroup-per-row
  [[1000, 7], [1]], // short rows: thread-per-row
];

Deno.test("sum/max/min/prod over axes match the f64 reference", async () => {
  for (const [shape, axes] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = randn(n, n).map((v) => 1 + 0.01 * v);
    const t = tensor(x, { shape });
    const [s, mx, mn, p] = await Promise.all([
      sum(t, axes).read(),
      max(t, axes).read(),
      min(t, axes).read(),
      prod(t, axes).read(),
    ]);
    const what = JSON.stringify([shape, axes]);
    assertClose(
      s,
      reduceRef(x, shape, axes, 0, (a, v) => a + v),
      { rtol: 1e-5, atol: 1e-4 },
      `sum ${what}`,
    );
    assertClose(mx, reduceRef(x, shape, axes, -Infinity, Math.max), { rtol: 0 }, `max ${what}`);
    assertClose(mn, reduceRef(x, shape, axes, Infinity, Math.min), { rtol: 0 }, `min ${what}`);
    if (n < 10000) {
      assertClose(p, reduceRef(x, shape, axes, 1, (a, v) => a * v), { rtol: 1e-4 }, `prod ${what}`);
    }
  }
});

Deno.test("keepdims, negative axes and full reductions", async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(sum(x, -1, true).shape, [2, 1]);
  assert.deepEqual(await sum(x, -1, true).toArray(), [[6], [15]]);
  assert.equal(await sum(x).item(), 21);
  assert.deepEqual(sum(x).shape, []);
  assert.equal(await mean(x).item(), 3.5);
  assert.deepEqual(await mean(x, 0).toArray(), [2.5, 3.5, 4.5]);
});

Deno.test("variance, logsumexp (stable at large and -inf inputs)", async () => {
  const x = randn(3, 64);
  const m = x.reduce((a, b) => a + b, 0) / 64;
  const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / 64;
  assertClose([await variance(tensor(x)).item()], [v], { rtol: 1e-5 }, "variance");
  assertClose(
    [await variance(tensor(x), 0, false, 1).item()],
    [(v * 64) / 63],
    { rtol: 1e-5 },
    "ddof",
  );
  assertClose(
    [await logsumexp(tensor([1000, 1000, 999])).item()],
    [1000 + Math.log(2 + Math.exp(-1))],
    { rtol: 1e-6 },
    "lse",
  );
  const lse = await logsumexp(tensor([[-Infinity, -Infinity], [0, 0]]), 1).read();
  assert.equal(lse[0], -Infinity);
  assertClose([lse[1]], [Math.log(2)], { rtol: 1e-6 }, "lse row");
});

Deno.test("argmax/argmin return the first extremum as i32", async () => {
  const x = tensor([[1, 7, 7, 0], [5, 5, -1, -1]]);
  const [a1, a0, m1, flat] = await Promise.all([
    argmax(x, 1).read(),
    argmax(x, 0).read(),
    argmin(x, 1).read(),
    argmax(x).read(),
  ]);
  assert.ok(a1 instanceof Int32Array);
  assert.deepEqual([...a1], [1, 0]);
  assert.deepEqual([...a0], [1, 0, 0, 0]);
  assert.deepEqual([...m1], [3, 2]);
  assert.deepEqual([...flat], [1]);
  const big = new Float32Array(5000).fill(0);
  big[3777] = 2;
  assert.equal(await argmax(tensor(big)).item(), 3777);
});

Deno.test("integer reductions and NaN propagation", async () => {
  assert.equal(await sum(tensor([1, 2, 3], "i32")).item(), 6);
  assert.equal(await max(tensor([-5, -2], "i32")).item(), -2);
  assert.ok(Number.isNaN(await max(tensor([1, NaN, 3])).item()));
  assert.throws(() => mean(tensor([1], "i32")), DtypeError);
});

Deno.test("invalid axes throw AxisError", () => {
  const x = tensor([[1, 2]]);
  assert.throws(() => sum(x, 2), AxisError);
  assert.throws(() => sum(x, [0, 0]), AxisError);
  assert.throws(() => sum(x, -3), /out of range for rank 2/);
});
