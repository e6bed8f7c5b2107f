import assert from "node:assert/strict";
import * as g from "../../mod.ts";
import {
  add,
  concat,
  cumsum,
  customVjp,
  div,
  grad,
  GradError,
  hvp,
  jvp,
  logsumexp,
  matmul,
  max,
  mean,
  mul,
  prod,
  reshape,
  runtime,
  scope,
  slice,
  stack,
  stopGradient,
  sub,
  sum,
  take,
  type Tensor,
  tensor,
  transpose,
  valueAndGrad,
  variance,
  vjp,
  where,
} from "../../mod.ts";
import { assertClose, numericGrad, randn } from "../_util.ts";
import { UNARY_REF } from "./_refs.ts";

interface Input {
  data: Float32Array;
  shape: number[];
}
const inp = (seed: number, shape: number[], scale = 1, shift = 0): Input => ({
  data: randn(seed, shape.reduce((a, b) => a * b, 1), scale).map((v) => v + shift),
  shape,
});

/**
 * Compares autodiff gradients of `gpuF` (w.r.t. every input) with central finite differences of
 * the f64 host function `hostF`.
 */
async function checkGrad(
  what: string,
  gpuF: (xs: Tensor[]) => Tensor,
  hostF: (xs: Float64Array[]) => number,
  inputs: Input[],
  tol = { rtol: 2e-3, atol: 2e-4 },
) {
  const ts = inputs.map((i) => tensor(i.data, { shape: i.shape }));
  const [value, grads] = valueAndGrad(gpuF)(ts);
  const host64 = inputs.map((i) => Float64Array.from(i.data));
  assertClose([await value.item()], [hostF(host64)], { rtol: 1e-4, atol: 1e-4 }, `${what} value`);
  for (let k = 0; k < inputs.length; k++) {
    const num = numericGrad((x) => hostF(host64.map((h, j) => (j === k ? x : h))), host64[k], 1e-5);
    assertClose(await grads[k].read(), num, tol, `${what} d/dx${k}`);
  }
}

// Random fixed weights make sum(w * f(x)) sensitive to every output element.
const W = (n: number) => Float64Array.from(randn(999 + n, n));

const unaryDomains: Record<string, [number, number]> = {
  log: [1, 0.2],
  sqrt: [1.5, 0.2],
  rsqrt: [1.5, 0.2],
  reciprocal: [1.5, 0.2],
  log1p: [0.5, 0.2],
};

for (const name of Object.keys(UNARY_REF)) {
  if (name === "sign") continue;
  Deno.test(`grad of ${name} matches finite differences`, async () => {
    const [shift, scale] = unaryDomains[name] ?? [0, 1];
    const fn = name === "geluTanh"
      ? (x: Tensor) => g.gelu(x, true)
      : name === "leakyRelu"
      ? (x: Tensor) => g.leakyRelu(x, 0.2)
      : (g as unknown as Record<string, (x: Tensor) => Tensor>)[name];
    // Keep kinks (relu, abs, ...) away from 0 so finite differences are valid.
    const x = inp(name.length, [11], scale, shift).data.map((
      v,
    ) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
    const w = W(11);
    const wt = tensor(Float32Array.from(w));
    await checkGrad(
      name,
      ([t]) => sum(mul(fn(t), wt)),
      ([h]) => h.reduce((acc, v, i) => acc + w[i] * UNARY_REF[name](v), 0),
      [{ data: x, shape: [11] }],
    );
  });
}

Deno.test("grads of broadcasting binary ops", async () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
    ["add", add, (a, b) => a + b],
    ["sub", sub, (a, b) => a - b],
    ["mul", mul, (a, b) => a * b],
    ["div", div, (a, b) => a / b],
    ["pow", g.pow, (a, b) => a ** b],
    ["maximum", g.maximum, Math.max],
    ["minimum", g.minimum, Math.min],
    ["atan2", g.atan2, Math.atan2],
  ];
  for (const [name, op, ref] of ops) {
    const a = inp(1, [3, 1], 0.5, name === "pow" ? 1.5 : 0),
      b = inp(2, [1, 4], 0.5, name === "div" ? 2 : 0.1);
    const w = W(12);
    const wt = tensor(Float32Array.from(w), { shape: [3, 4] });
    await checkGrad(name, ([x, y]) => sum(mul(op(x, y), wt)), ([x, y]) => {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) s += w[i * 4 + j] * ref(x[i], y[j]);
      return s;
    }, [a, b]);
  }
});

Deno.test("grads of reductions over axes", async () => {
  const x = inp(3, [3, 4], 1, 1.5);
  const rowRef = (h: Float64Array, f: (r: number[]) => number) => {
    let s = 0;
    for (let i = 0; i < 3; i++) s += (i + 1) * f(Array.from(h.subarray(i * 4, i * 4 + 4)));
    return s;
  };
  const wRows = tensor([1, 2, 3]);
  await checkGrad(
    "sum",
    ([t]) => sum(mul(sum(t, 1), wRows)),
    ([h]) => rowRef(h, (r) => r.reduce((a, b) => a + b)),
    [x],
  );
  await checkGrad(
    "mean",
    ([t]) => sum(mul(mean(t, 1), wRows)),
    ([h]) => rowRef(h, (r) => r.reduce((a, b) => a + b) / 4),
    [x],
  );
  await checkGrad(
    "max",
    ([t]) => sum(mul(max(t, 1), wRows)),
    ([h]) => rowRef(h, (r) => Math.max(...r)),
    [x],
  );
  await checkGrad(
    "prod",
    ([t]) => sum(mul(prod(t, 1), wRows)),
    ([h]) => rowRef(h, (r) => r.reduce((a, b) => a * b)),
    [x],
  );
  await checkGrad(
    "logsumexp",
    ([t]) => sum(mul(logsumexp(t, 1), wRows)),
    ([h]) => rowRef(h, (r) => Math.log(r.reduce((a, b) => a + Math.exp(b), 0))),
    [x],
  );
  await checkGrad("variance", ([t]) => sum(mul(variance(t, 1), wRows)), ([h]) =>
    rowRef(h, (r) => {
      const m = r.reduce((a, b) => a + b) / 4;
      return r.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
    }), [x]);
  await checkGrad("sum axis 0", ([t]) => sum(mul(sum(t, 0), tensor([1, -1, 2, 3]))), ([h]) => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += [1, -1, 2, 3][i % 4] * h[i];
    return s;
  }, [x]);
});

Deno.test("grad of matmul with transpose flags and batch broadcasting", async () => {
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
    const [M, K, N] = [3, 4, 5];
    const a = inp(4, tA ? [K, M] : [M, K]), b = inp(5, tB ? [N, K] : [K, N]);
    const w = W(M * N);
    const wt = tensor(Float32Array.from(w), { shape: [M, N] });
    await checkGrad(
      `matmul ${tA} ${tB}`,
      ([x, y]) => sum(mul(matmul(x, y, { transA: tA, transB: tB }), wt)),
      ([x, y]) => {
        let s = 0;
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let c = 0;
            for (let k = 0; k < K; k++) {
              c += (tA ? x[k * M + i] : x[i * K + k]) * (tB ? y[j * K + k] : y[k * N + j]);
            }
            s += w[i * N + j] * c;
          }
        }
        return s;
      },
      [a, b],
    );
  }
  const a = inp(6, [2, 3, 4]), b = inp(7, [4, 2]);
  await checkGrad("batched matmul", ([x, y]) => sum(g.square(matmul(x, y))), ([x, y]) => {
    let s = 0;
    for (let z = 0; z < 2; z++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 2; j++) {
          let c = 0;
          for (let k = 0; k < 4; k++) c += x[z * 12 + i * 4 + k] * y[k * 2 + j];
          s += c * c;
        }
      }
    }
    return s;
  }, [a, b]);
});

Deno.test("grads of shape ops: transpose, slice, concat, stack, take, cumsum, where, broadcastTo", async () => {
  const x = inp(8, [2, 3]);
  const w6 = W(6), w6t = tensor(Float32Array.from(w6), { shape: [3, 2] });
  await checkGrad("transpose", ([t]) => sum(mul(transpose(t), w6t)), ([h]) => {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) s += w6[i * 2 + j] * h[j * 3 + i];
    return s;
  }, [x]);
  await checkGrad(
    "slice",
    ([t]) => sum(g.square(slice(t, [null, [1, 3]]))),
    ([h]) => h[1] ** 2 + h[2] ** 2 + h[4] ** 2 + h[5] ** 2,
    [x],
  );
  const y = inp(9, [1, 3]);
  await checkGrad(
    "concat",
    ([a, b]) => sum(mul(g.square(concat([a, b], 0)), tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))),
    ([a, b]) => {
      const all = [...a, ...b];
      return all.reduce((s, v, i) => s + (i + 1) * v * v, 0);
    },
    [x, y],
  );
  await checkGrad(
    "stack",
    ([a]) => sum(g.square(stack([a, mul(a, 2)], 1))),
    ([a]) => a.reduce((s, v) => s + 5 * v * v, 0),
    [x],
  );
  const idx = tensor([2, 0, 2], "i32");
  await checkGrad("take", ([t]) => sum(g.square(take(t, idx, 1))), ([h]) => {
    let s = 0;
    for (let i = 0; i < 2; i++) for (const j of [2, 0, 2]) s += h[i * 3 + j] ** 2;
    return s;
  }, [x]);
  await checkGrad("cumsum", ([t]) => sum(g.square(cumsum(t, 1))), ([h]) => {
    let s = 0;
    for (let i = 0; i < 2; i++) {
      let c = 0;
      for (let j = 0; j < 3; j++) s += (c += h[i * 3 + j]) ** 2;
    }
    return s;
  }, [x]);
  const cond = tensor([[1, 0, 1], [0, 1, 0]]);
  await checkGrad("where", ([a, b]) => sum(g.square(where(cond, a, b))), ([a, b]) => {
    let s = 0;
    for (let i = 0; i < 6; i++) s += ([1, 0, 1, 0, 1, 0][i] ? a[i] : b[i % 3]) ** 2;
    return s;
  }, [x, inp(10, [3])]);
  await checkGrad(
    "broadcastTo+reshape",
    ([t]) => sum(g.square(reshape(g.broadcastTo(t, [4, 3]), [12]))),
    ([h]) => 4 * h.reduce((s, v) => s + v * v, 0),
    [inp(11, [3])],
  );
});

Deno.test("composite: 2-layer tanh MLP loss", async () => {
  const X = inp(12, [5, 3]),
    W1 = inp(13, [3, 4], 0.5),
    W2 = inp(14, [4, 2], 0.5),
    Y = inp(15, [5, 2]);
  const Xt = tensor(X.data, { shape: X.shape }), Yt = tensor(Y.data, { shape: Y.shape });
  await checkGrad(
    "mlp",
    ([w1, w2]) => mean(g.square(sub(matmul(g.tanh(matmul(Xt, w1)), w2), Yt))),
    ([w1, w2]) => {
      let s = 0;
      for (let n = 0; n < 5; n++) {
        const h = [0, 1, 2, 3].map((j) =>
          Math.tanh([0, 1, 2].reduce((a, k) => a + X.data[n * 3 + k] * w1[k * 4 + j], 0))
        );
        for (let o = 0; o < 2; o++) {
          const out = h.reduce((a, v, j) => a + v * w2[j * 2 + o], 0);
          s += (out - Y.data[n * 2 + o]) ** 2;
        }
      }
      return s / 10;
    },
    [W1, W2],
  );
});

Deno.test("grad of grad: the Hessian of a quadratic form is A + A^T", async () => {
  const A = tensor([[1, 2], [3, 4]]);
  const f = (x: Tensor) => sum(mul(x, matmul(A, x)));
  const x0 = tensor([0.3, -0.7]);
  // d/dx_i of (dF/dx)_j summed against e_j: build the Hessian column by column with hvp.
  const cols = await Promise.all([[1, 0], [0, 1]].map((e) => hvp(f, x0, tensor(e)).read()));
  assertClose(
    [cols[0][0], cols[0][1], cols[1][0], cols[1][1]],
    [2, 5, 5, 8],
    { rtol: 1e-6 },
    "hessian",
  );
  // Nested grad explicitly: d/dx sum(grad f(x) * c) = H c.
  const c = tensor([1, 2]);
  const nested = grad((x: Tensor) => sum(mul(grad(f)(x), c)))(x0);
  assertClose(await nested.read(), [2 + 10, 5 + 16], { rtol: 1e-6 }, "nested");
  // Third derivative of x^4: 24 x.
  const d3 = grad((x: Tensor) =>
    sum(grad((y: Tensor) => sum(grad((z: Tensor) => sum(g.pow(z, 4)))(y)))(x))
  )(tensor([0.5]));
  assertClose(await d3.read(), [12], { rtol: 1e-4 }, "third derivative");
});

Deno.test("vjp and jvp on a vector function", async () => {
  const f = (x: Tensor) => mul(g.sin(x), x); // elementwise: J = diag(cos x * x + sin x)
  const x = tensor([0.1, 0.5, 1.0]);
  const d = [0.1, 0.5, 1.0].map((v) => Math.cos(v) * v + Math.sin(v));
  const [y, gx] = vjp(f, x, tensor([1, 2, 3]));
  assertClose(
    await y.read(),
    [0.1, 0.5, 1.0].map((v) => Math.sin(v) * v),
    { rtol: 1e-5 },
    "vjp value",
  );
  assertClose(await gx.read(), d.map((v, i) => v * (i + 1)), { rtol: 1e-5 }, "vjp");
  const [, t] = jvp(f, x, tensor([1, 0, -1]));
  assertClose(await t.read(), [d[0], 0, -d[2]], { rtol: 1e-5 }, "jvp");
  // jvp of a non-elementwise function: f(x) = A x has J v = A v.
  const A = tensor([[1, 2], [3, 4], [5, 6]]);
  const [, jv] = jvp((v: Tensor) => matmul(A, v), tensor([1, 1]), tensor([1, -1]));
  assert.deepEqual(Array.from(await jv.read()), [-1, -1, -1]);
});

Deno.test("parameter trees, stopGradient and customVjp", async () => {
  const p = { w: tensor([1, 2]), layers: [{ b: tensor([3]) }] };
  const gp = grad((q: typeof p) => add(sum(g.square(q.w)), sum(mul(q.layers[0].b, 4))))(p);
  assert.deepEqual(Array.from(await gp.w.read()), [2, 4]);
  assert.deepEqual(Array.from(await gp.layers[0].b.read()), [4]);
  const gs = grad((x: Tensor) => sum(mul(x, stopGradient(x))))(tensor([3, 5]));
  assert.deepEqual(Array.from(await gs.read()), [3, 5]);
  const clipGrad = customVjp((x: Tensor) => mul(x, 1), (gr) => [g.minimum(gr, 0.5)]);
  const gc = grad((x: Tensor) => sum(mul(clipGrad(x), tensor([1, 0.1]))))(tensor([1, 1]));
  assertClose(await gc.read(), [0.5, 0.1], { rtol: 1e-6 }, "customVjp");
  // Unused parameters get zero gradients.
  const gz = grad((q: { a: Tensor; b: Tensor }) => sum(q.a))({ a: tensor([1]), b: tensor([1, 2]) });
  assert.deepEqual(Array.from(await gz.b.read()), [0, 0]);
});

Deno.test("autodiff misuse gives GradError", () => {
  assert.throws(
    () => grad((x: Tensor) => mul(x, 2))(tensor([1, 2])),
    (e: Error) => e instanceof GradError && /scalar/.test(e.message),
  );
  assert.throws(() => grad((x: Tensor) => sum(x))(tensor([1], "i32")), GradError);
  assert.throws(
    () => grad((x: Tensor[]) => sum(x[0]))([tensor([1]), 3 as unknown as Tensor]),
    GradError,
  );
  assert.throws(() => vjp((x: Tensor) => mul(x, 2), tensor([1, 2]), tensor([1])), GradError);
});

Deno.test("1,000 gradient steps do not leak buffers", async () => {
  const rt = runtime();
  const x = tensor(randn(1, 64 * 8), { shape: [64, 8] });
  const y = tensor(randn(2, 64), { shape: [64, 1] });
  let w = tensor(randn(3, 8, 0.1), { shape: [8, 1] });
  const loss = (v: Tensor) => mean(g.square(sub(matmul(x, v), y)));
  const step = () => {
    const next = scope(() => sub(w, mul(grad(loss)(w), 0.05)));
    w.dispose();
    w = next;
  };
  for (let i = 0; i < 50; i++) step();
  await rt.sync();
  const before = rt.pool.stats();
  for (let i = 0; i < 1000; i++) step();
  await rt.sync();
  const after = rt.pool.stats();
  assert.equal(after.inUseBuffers, before.inUseBuffers, "no tensors outlive their step");
  assert.equal(after.allocatedBytes, before.allocatedBytes, "the pool stops growing");
  const l = await loss(w).item();
  assert.ok(Number.isFinite(l));
});
