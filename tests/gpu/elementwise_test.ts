import assert from "node:assert/strict";
import {
  abs,
  add,
  astype,
  atan2,
  cos,
  div,
  DtypeError,
  elu,
  equal,
  erf,
  exp,
  expm1,
  gelu,
  greater,
  greaterEqual,
  InvalidArgumentError,
  isFinite,
  leakyRelu,
  less,
  lessEqual,
  log,
  log1p,
  maximum,
  minimum,
  mod,
  mul,
  neg,
  notEqual,
  pow,
  reciprocal,
  relu,
  rsqrt,
  selu,
  ShapeError,
  sigmoid,
  sign,
  sin,
  softplus,
  sqrt,
  square,
  sub,
  swish,
  tanh,
  type Tensor,
  tensor,
  where,
} from "../../mod.ts";
import { assertClose, randn, randu } from "../_util.ts";

import { UNARY_REF as R } from "./_refs.ts";

const unaryCases: [string, (x: Tensor) => Tensor, [number, number]][] = [
  ["neg", neg, [-10, 10]],
  ["abs", abs, [-10, 10]],
  ["sign", sign, [-10, 10]],
  ["exp", exp, [-20, 20]],
  ["log", log, [1e-3, 1e4]],
  ["log1p", log1p, [-0.9, 100]],
  ["expm1", expm1, [-10, 10]],
  ["sqrt", sqrt, [0, 1e4]],
  ["rsqrt", rsqrt, [1e-2, 1e4]],
  ["square", square, [-100, 100]],
  ["reciprocal", reciprocal, [0.1, 100]],
  ["sin", sin, [-6, 6]],
  ["cos", cos, [-6, 6]],
  ["tanh", tanh, [-30, 30]],
  ["sigmoid", sigmoid, [-60, 60]],
  ["relu", relu, [-5, 5]],
  ["erf", erf, [-4, 4]],
  ["gelu", (x) => gelu(x), [-6, 6]],
  ["geluTanh", (x) => gelu(x, true), [-6, 6]],
  ["softplus", softplus, [-50, 50]],
  ["elu", (x) => elu(x), [-5, 5]],
  ["selu", selu, [-5, 5]],
  ["swish", swish, [-20, 20]],
  ["leakyRelu", (x) => leakyRelu(x, 0.2), [-5, 5]],
];

for (const [name, op, [lo, hi]] of unaryCases) {
  const ref = R[name];
  Deno.test(`unary ${name} matches the f64 reference (odd sizes)`, async () => {
    for (const n of [1, 5, 1027]) {
      const xs = randu(n + name.length, n, lo, hi);
      const got = await op(tensor(xs)).read();
      const want = Array.from(xs, ref);
      assertClose(got, want, { rtol: 2e-5, atol: 2e-6 }, `${name} n=${n}`);
    }
  });
}

Deno.test("unary ops keep relative accuracy near their zeros and tails (log1p, expm1, log, tanh, softplus, erf, gelu)", async () => {
  // atol 0: a relative check (the default atol would pass any answer below 1e-6).
  const xs = new Float32Array([
    1e-7,
    -1e-7,
    1e-6,
    1.3e-6,
    1e-5,
    -3e-5,
    3e-4,
    2e-3,
    -0.01,
    0.2,
    -0.45,
  ]);
  const rel = { rtol: 1e-6, atol: 0 };
  assertClose(await log1p(tensor(xs)).read(), Array.from(xs, Math.log1p), rel, "log1p");
  assertClose(await expm1(tensor(xs)).read(), Array.from(xs, Math.expm1), rel, "expm1");
  // log near 1, where GPU builtins are only absolutely accurate
  const near1 = new Float32Array([1 + 1e-6, 1 - 1e-5, 1 - 1e-3, 0.99, 1.01, 0.5, 0.75, 1.5, 2]);
  assertClose(await log(tensor(near1)).read(), Array.from(near1, Math.log), rel, "log");
  assertClose(await erf(tensor(xs)).read(), Array.from(xs, R.erf), rel, "erf");
  assertClose(await tanh(tensor(xs)).read(), Array.from(xs, Math.tanh), rel, "tanh");
  // softplus(c) ~ e^c for c << 0 goes through log1p of a tiny argument.
  const cs = new Float32Array([-16, -13.8, -12, -9, -3]);
  assertClose(await softplus(tensor(cs)).read(), Array.from(cs, R.softplus), rel, "softplus");
  // gelu on the negative tail, where 1 + tanh(u) and 1 + erf(u) cancel (they were 1.3e-5
  // relative at -3, and 4 % at -5 and 0 from -6 on).
  const ns = new Float32Array([-6, -4, -3, -1]);
  assertClose(await gelu(tensor(ns), true).read(), Array.from(ns, R.geluTanh), rel, "geluTanh");
  // (f32 exp(-a^2 - 1.27 + ...) carries a few ULP per unit of its argument: ~5e-6 at -8)
  const tail = new Float32Array([-8, -6, -4, -3, -1, -0.5]);
  assertClose(
    await gelu(tensor(tail)).read(),
    Array.from(tail, R.gelu),
    { rtol: 1e-5, atol: 0 },
    "gelu",
  );
});

Deno.test("unary: integer tensors accept neg/abs/sign/square and reject exp", async () => {
  const i = tensor([-3, 0, 4], "i32");
  assert.deepEqual(Array.from(await neg(i).read()), [3, 0, -4]);
  assert.deepEqual(Array.from(await abs(i).read()), [3, 0, 4]);
  assert.deepEqual(Array.from(await square(i).read()), [9, 0, 16]);
  assert.throws(() => exp(i), DtypeError);
});

Deno.test("isFinite flags NaN and infinities", async () => {
  assert.deepEqual(Array.from(await isFinite(tensor([1, Infinity, -Infinity, NaN])).read()), [
    1,
    0,
    0,
    0,
  ]);
});

const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] =
  [
    ["add", add, (a, b) => a + b],
    ["sub", sub, (a, b) => a - b],
    ["mul", mul, (a, b) => a * b],
    ["div", div, (a, b) => a / b],
    ["maximum", maximum, Math.max],
    ["minimum", minimum, Math.min],
    ["atan2", atan2, Math.atan2],
    ["mod", mod, (a, b) => a - b * Math.floor(a / b)],
    ["less", less, (a, b) => +(a < b)],
    ["greaterEqual", greaterEqual, (a, b) => +(a >= b)],
  ];

/** f64 broadcast reference. */
function broadcastRef(
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  f: (x: number, y: number) => number,
): { shape: number[]; data: number[] } {
  const r = Math.max(as.length, bs.length);
  const pa = [...Array(r - as.length).fill(1), ...as],
    pb = [...Array(r - bs.length).fill(1), ...bs];
  const shape = pa.map((d, i) => Math.max(d, pb[i]) * (d === 0 || pb[i] === 0 ? 0 : 1));
  const n = shape.reduce((x, y) => x * y, 1);
  const data: number[] = [];
  const idx = (p: number[], c: number[]) =>
    p.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : c[i]), 0);
  for (let k = 0; k < n; k++) {
    const c: number[] = [];
    let rem = k;
    for (let i = r - 1; i >= 0; i--) {
      c[i] = rem % shape[i];
      rem = Math.floor(rem / shape[i]);
    }
    data.push(f(a[idx(pa, c)], b[idx(pb, c)]));
  }
  return { shape, data };
}

const shapePairs: [number[], number[]][] = [
  [[7], [7]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[2, 1, 5], [3, 1]],
  [[1], [6]],
  [[], [3, 2]],
  [[5, 1, 1, 2], [1, 3, 1, 1]],
  [[0, 3], [1, 3]],
  [[1030], [1]],
];

for (const [name, op, ref] of binaryCases) {
  Deno.test(`binary ${name} broadcasts like NumPy`, async () => {
    for (const [sa, sb] of shapePairs) {
      const na = sa.reduce((x, y) => x * y, 1), nb = sb.reduce((x, y) => x * y, 1);
      const a = randn(na + 1, na, 3),
        b = randn(nb + 7, nb, 3).map((
          v,
        ) => (name === "div" || name === "mod" ? (Math.abs(v) + 0.5) * Math.sign(v || 1) : v));
      const out = op(tensor(a, { shape: sa }), tensor(b, { shape: sb }));
      const want = broadcastRef(a, sa, b, sb, ref);
      assert.deepEqual(out.shape, want.shape, `${name} ${sa} ${sb}`);
      assertClose(
        await out.read(),
        want.data,
        { rtol: 1e-5, atol: 1e-6 },
        `${name} ${JSON.stringify([sa, sb])}`,
      );
    }
  });
}

Deno.test("binary ops accept JS numbers on either side", async () => {
  const x = tensor([1, 2, 4]);
  assert.deepEqual(Array.from(await sub(10, x).read()), [9, 8, 6]);
  assert.deepEqual(Array.from(await div(x, 2).read()), [0.5, 1, 2]);
  assert.deepEqual(Array.from(await pow(2, x).read()), [2, 4, 16]);
  assert.deepEqual(Array.from(await equal(x, 2).read()), [0, 1, 0]);
  assert.deepEqual(Array.from(await notEqual(x, 2).read()), [1, 0, 1]);
  assert.deepEqual(Array.from(await greater(x, 2).read()), [0, 0, 1]);
  assert.deepEqual(Array.from(await lessEqual(x, 2).read()), [1, 1, 0]);
});

Deno.test("pow follows NumPy for negative bases and zero exponents", async () => {
  const got = await pow(tensor([-2, -2, 0, 0, 3, -8]), tensor([2, 3, 0, 2, 0.5, 1 / 3])).read();
  assertClose(got.slice(0, 5), [4, -8, 1, 0, Math.sqrt(3)], { rtol: 1e-6 }, "pow");
  assert.ok(Number.isNaN(got[5]), "negative base with a fractional exponent is NaN");
});

Deno.test("maximum/minimum propagate NaN", async () => {
  const a = tensor([NaN, 1]), b = tensor([0, NaN]);
  const [mx, mn] = await Promise.all([maximum(a, b).read(), minimum(a, b).read()]);
  assert.ok([...mx, ...mn].every(Number.isNaN));
});

Deno.test("integer arithmetic and comparisons", async () => {
  const a = tensor([7, -7, 9], "i32"), b = tensor([2, 2, 3], "i32");
  assert.deepEqual(Array.from(await div(a, b).read()), [3, -3, 3]);
  assert.deepEqual(Array.from(await add(a, 1).read()), [8, -6, 10]);
  assert.deepEqual(Array.from(await less(a, b).read()), [0, 1, 0]);
  const u = tensor([5, 6], "u32");
  assert.deepEqual(Array.from(await mul(u, 3).read()), [15, 18]);
  assert.throws(() => add(a, 0.5), InvalidArgumentError);
  assert.throws(() => add(u, -1), InvalidArgumentError);
});

Deno.test("where broadcasts condition and branches", async () => {
  const c = tensor([[1], [0]]);
  const out = where(
    c,
    tensor([1, 2, 3]),
    tensor(0, { shape: [] }).dtype === "f32" ? tensor([[9], [8]]) : tensor([0]),
  );
  assert.deepEqual(await out.toArray(), [[1, 2, 3], [8, 8, 8]]);
  const ci = where(tensor([0, 5], "i32"), tensor([1, 1]), tensor([2, 2]));
  assert.deepEqual(Array.from(await ci.read()), [2, 1]);
});

Deno.test("astype converts between dtypes", async () => {
  assert.deepEqual(Array.from(await astype(tensor([1.7, -2.2, 3]), "i32").read()), [1, -2, 3]);
  assert.deepEqual(Array.from(await astype(tensor([3, 4], "i32"), "f32").read()), [3, 4]);
});

Deno.test("mismatched operands give typed errors naming both shapes", () => {
  assert.throws(() => add(tensor([1, 2, 3]), tensor([1, 2])), (e: Error) => {
    assert.ok(e instanceof ShapeError);
    assert.match(e.message, /\[3\].*\[2\]/);
    return true;
  });
  assert.throws(() => add(tensor([1]), tensor([1], "i32")), DtypeError);
  assert.throws(() => add(1 as unknown as Tensor, 2), InvalidArgumentError);
});
