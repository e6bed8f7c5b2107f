import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError, UnknownNameError } from "../../src/errors.ts";
import {
  dispose,
  grad,
  mul,
  random,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "../../src/gpu/mod.ts";
import {
  activation,
  ACTIVATION_NAMES,
  type ActivationName,
  dense,
  denseApply,
  denseInit,
  fourierEmbedding,
  layerNorm,
  mlp,
  mse,
  orthogonalInit,
  type Params,
  residual,
  serial,
} from "../../src/nn/mod.ts";
import { assertClose, numericGrad, randn } from "../_util.ts";

const erf = (x: number) => {
  // Abramowitz-Stegun 7.1.26 is too coarse; integrate the series (|x| < 3 here).
  let s = 0, term = x;
  for (let n = 0; n < 80; n++) {
    s += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * s;
};
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const REF: Record<ActivationName, (x: number) => number> = {
  identity: (x) => x,
  relu: (x) => Math.max(x, 0),
  leakyRelu: (x) => (x > 0 ? x : 0.01 * x),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  erf,
  tanh: Math.tanh,
  sigmoid: sig,
  softplus: (x) => Math.log1p(Math.exp(x)),
  swish: (x) => x * sig(x),
  silu: (x) => x * sig(x),
  sin: Math.sin,
  cos: Math.cos,
  abs: Math.abs,
  square: (x) => x * x,
  exp: Math.exp,
  step: (x) => (x > 0 ? 1 : 0),
  sign: Math.sign,
};

Deno.test("activation: every name matches an f64 reference", async () => {
  const xs = [-2.5, -1, -0.3, 0, 0.2, 0.7, 1.5, 2.8];
  const x = tensor(xs);
  for (const name of ACTIVATION_NAMES) {
    const y = activation(name).apply({}, x);
    assertClose(await y.read(), xs.map(REF[name]), { rtol: 2e-5, atol: 2e-6 }, name);
    y.dispose();
  }
  const l = activation("leakyRelu", { slope: 0.2 }).apply({}, tensor([-1]));
  assertClose(await l.read(), [-0.2]);
  assert.throws(
    () => activation("relux" as ActivationName),
    (e: Error) =>
      e instanceof UnknownNameError && /relux/.test(e.message) && /gelu/.test(e.message),
  );
  dispose([x, l]);
});

/** Host f64 Dense: x [n, i] W [i, o] b [o]. */
function denseRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  i: number,
  o: number,
  wc = 1,
  bc = 1,
) {
  const y = new Float64Array(n * o);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < o; c++) {
      let s = 0;
      for (let k = 0; k < i; k++) s += x[r * i + k] * w[k * o + c];
      y[r * o + c] = wc * s + bc * b[c];
    }
  }
  return y;
}

Deno.test("dense: NTK and standard parameterizations compute their formulas", async () => {
  const n = 5, i = 7, o = 3;
  const xh = randn(1, n * i), wh = randn(2, i * o), bh = randn(3, o);
  const x = tensor(xh, { shape: [n, i] });
  const p = { w: tensor(wh, { shape: [i, o] }), b: tensor(bh) };
  const std = denseApply(p, x, { parameterization: "standard" });
  assertClose(await std.read(), denseRef(xh, wh, bh, n, i, o), { rtol: 1e-5, atol: 1e-5 });
  const ntk = denseApply(p, x, { parameterization: "ntk", wStd: 1.5, bStd: 0.1 });
  assertClose(await ntk.read(), denseRef(xh, wh, bh, n, i, o, 1.5 / Math.sqrt(i), 0.1), {
    rtol: 1e-5,
    atol: 1e-5,
  });
  // bStd = 0 (the default) drops the bias in NTK parameterization
  const nb = denseApply(p, x);
  assertClose(await nb.read(), denseRef(xh, wh, bh, n, i, o, 1 / Math.sqrt(i), 0), {
    rtol: 1e-5,
    atol: 1e-5,
  });
  // batch dims beyond one are allowed
  const x3 = tensor(xh.slice(0, 4 * i), { shape: [2, 2, i] });
  assert.deepEqual(denseApply(p, x3).shape, [2, 2, o]);
  assert.throws(() => denseApply(p, tensor([[1, 2]])), ShapeError);
  dispose([x, p, std, ntk, nb, x3]);
});

Deno.test("denseInit: distributions of both parameterizations (z-tests)", async () => {
  const check = async (t: Tensor, std: number, what: string) => {
    const v = Array.from(await t.read());
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s2 = v.reduce((a, b) => a + b * b, 0) / v.length;
    // mean ~ N(0, std^2/N); var estimate ~ std^2 (1 +- sqrt(2/N))
    assert.ok(Math.abs(m) < 5 * std / Math.sqrt(v.length), `${what}: mean ${m}`);
    assert.ok(Math.abs(s2 / std ** 2 - 1) < 5 * Math.sqrt(2 / v.length), `${what}: var ${s2}`);
  };
  const ntk = denseInit(random.key(0), 400, 300, { wStd: 2, bStd: 0.5 });
  await check(ntk.w, 1, "ntk w");
  const std = denseInit(random.key(1), 400, 300, {
    parameterization: "standard",
    wStd: 2,
    bStd: 0.5,
  });
  await check(std.w, 2 / Math.sqrt(400), "standard w");
  const bigB = denseInit(random.key(2), 2, 20000, { parameterization: "standard", bStd: 0.5 });
  await check(bigB.b, 0.5, "standard b");
  const zb = denseInit(random.key(3), 3, 4, { parameterization: "standard" });
  assertClose(await zb.b.read(), [0, 0, 0, 0]);
  // the same key gives the same parameters
  const again = denseInit(random.key(0), 400, 300, { wStd: 2, bStd: 0.5 });
  assert.deepEqual(await again.b.read(), await ntk.b.read());
  assert.throws(() => denseInit(random.key(0), 0, 3), InvalidArgumentError);
  assert.throws(
    () => denseInit(random.key(0), 2, 3, { parameterization: "mup" as "ntk" }),
    (e: Error) => e instanceof InvalidArgumentError && /parameterization = "mup"/.test(e.message),
  );
  assert.throws(() => denseInit(random.key(0), 2, 3, { wStd: -1 }), InvalidArgumentError);
  dispose([ntk, std, bigB, zb, again]);
});

Deno.test("orthogonalInit: orthonormal columns (tall) or rows (wide), times gain", async () => {
  for (const [r, c, gain] of [[6, 4, 1], [3, 5, 2], [5, 5, 1]] as const) {
    const q = orthogonalInit(random.key(r * 10 + c), r, c, gain);
    const v = await q.read();
    const m = Math.min(r, c);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let k = 0; k < Math.max(r, c); k++) {
          s += r >= c ? v[k * c + a] * v[k * c + b] : v[a * c + k] * v[b * c + k];
        }
        assert.ok(Math.abs(s - (a === b ? gain * gain : 0)) < 1e-5, `${r}x${c} [${a},${b}] = ${s}`);
      }
    }
    q.dispose();
  }
});

Deno.test("serial and mlp: shapes, param structure, and composition", async () => {
  const net = mlp([16, 8, 3], { activation: "tanh", parameterization: "standard" });
  const { params, outShape } = net.init(random.key(0), [5]);
  assert.deepEqual(outShape, [3]);
  assert.equal(params.length, 5); // dense, act, dense, act, dense
  const p = params as { w: Tensor; b: Tensor }[];
  assert.deepEqual([p[0].w.shape, p[2].w.shape, p[4].w.shape], [[5, 16], [16, 8], [8, 3]]);
  assert.deepEqual(params[1], {});
  const x = random.normal(random.key(1), [4, 5]);
  const y = net.apply(params, x);
  // the same as composing by hand
  const manual = serial(
    dense(16, { parameterization: "standard" }),
    activation("tanh"),
    dense(8, { parameterization: "standard" }),
    activation("tanh"),
    dense(3, { parameterization: "standard" }),
  );
  assertClose(await manual.apply(params, x).read(), await y.read(), { rtol: 1e-6, atol: 1e-6 });
  // leading -1 (neural-tangents style)
  assert.deepEqual(net.init(random.key(0), [-1, 5]).outShape, [-1, 3]);
  assert.throws(() => net.apply(params.slice(0, 3), x), InvalidArgumentError);
  assert.throws(() => net.init(random.key(0), [0]), InvalidArgumentError);
  assert.throws(() => mlp([]), InvalidArgumentError);
  assert.throws(() => serial(dense(2), {} as never), InvalidArgumentError);
  dispose([params, x, y]);
});

Deno.test("mlp: gradients match finite differences of an f64 host model", async () => {
  // 3 -> 4 (tanh) -> 2, NTK parameterization with wStd 1.3, bStd 0.2; mse loss.
  const n = 6, i = 3, h = 4, o = 2, ws = 1.3, bs = 0.2;
  const net = mlp([h, o], { activation: "tanh", wStd: ws, bStd: bs });
  const { params } = net.init(random.key(5), [i]);
  const xh = randn(7, n * i), yh = randn(8, n * o);
  const x = tensor(xh, { shape: [n, i] }), y = tensor(yh, { shape: [n, o] });
  const lossFn = (p: Params[]) => mse(net.apply(p, x), y);
  const [lv, g] = valueAndGrad(lossFn)(params);
  const p = params as { w: Tensor; b: Tensor }[];
  const flat = [
    ...(await p[0].w.read()),
    ...(await p[0].b.read()),
    ...(await p[2].w.read()),
    ...(await p[2].b.read()),
  ];
  const host = (v: Float64Array) => {
    const w0 = v.subarray(0, i * h), b0 = v.subarray(i * h, i * h + h);
    const w1 = v.subarray(i * h + h, i * h + h + h * o), b1 = v.subarray(i * h + h + h * o);
    const a = denseRef(xh, w0, b0, n, i, h, ws / Math.sqrt(i), bs).map(Math.tanh);
    const out = denseRef(a, w1, b1, n, h, o, ws / Math.sqrt(h), bs);
    let s = 0;
    for (let k = 0; k < out.length; k++) s += (out[k] - yh[k]) ** 2;
    return s / out.length;
  };
  assertClose([await lv.item()], [host(Float64Array.from(flat))], { rtol: 1e-5 });
  const num = numericGrad(host, flat);
  const gp = g as { w: Tensor; b: Tensor }[];
  const got = [
    ...(await gp[0].w.read()),
    ...(await gp[0].b.read()),
    ...(await gp[2].w.read()),
    ...(await gp[2].b.read()),
  ];
  assertClose(got, num, { rtol: 1e-3, atol: 1e-5 }, "mlp grad");
  dispose([params, x, y, lv, g]);
});

Deno.test("dense: gradient with respect to the input (the input is a constant elsewhere)", async () => {
  const p = denseInit(random.key(0), 3, 2, { parameterization: "standard" });
  const x = random.normal(random.key(1), [4, 3]);
  const gx = grad((xx: Tensor) => sum(denseApply(p, xx, { parameterization: "standard" })))(x);
  // d/dx sum(x W + b) = 1 W^T: every row equals the row sums of W
  const w = await p.w.read();
  const rowSums = [0, 1, 2].map((k) => w[2 * k] + w[2 * k + 1]);
  assertClose(await gx.read(), [...rowSums, ...rowSums, ...rowSums, ...rowSums], { rtol: 1e-5 });
  dispose([p, x, gx]);
});

Deno.test("layerNorm: matches an f64 reference; gradients vs finite differences", async () => {
  const n = 3, d = 5;
  const xh = randn(11, n * d, 2);
  const ln = layerNorm();
  const { params } = ln.init(random.key(0), [d]);
  const p = params as { scale: Tensor; offset: Tensor };
  const scale = tensor([1, 2, 0.5, -1, 1.5]), offset = tensor([0, 0.1, 0.2, -0.3, 1]);
  const ref = (v: ArrayLike<number>, sc: ArrayLike<number>, of: ArrayLike<number>) => {
    const out = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      let m = 0, s2 = 0;
      for (let k = 0; k < d; k++) m += v[r * d + k] / d;
      for (let k = 0; k < d; k++) s2 += (v[r * d + k] - m) ** 2 / d;
      for (let k = 0; k < d; k++) {
        out[r * d + k] = ((v[r * d + k] - m) / Math.sqrt(s2 + 1e-5)) * sc[k] + of[k];
      }
    }
    return out;
  };
  const x = tensor(xh, { shape: [n, d] });
  const y = ln.apply({ scale, offset }, x);
  assertClose(await y.read(), ref(xh, await scale.read(), await offset.read()), {
    rtol: 1e-4,
    atol: 1e-5,
  });
  assertClose(await p.scale.read(), [1, 1, 1, 1, 1]);
  // d/dx of sum(y * c) for a fixed c, against finite differences
  const c = randn(12, n * d);
  const ct = tensor(c, { shape: [n, d] });
  const gx = grad((xx: Tensor) => sum(mul(ln.apply({ scale, offset }, xx), ct)))(x);
  const sc = await scale.read(), of = await offset.read();
  const num = numericGrad((v) => ref(v, sc, of).reduce((a, b, k) => a + b * c[k], 0), xh);
  assertClose(await gx.read(), num, { rtol: 2e-3, atol: 2e-4 }, "layerNorm dx");
  const noAffine = layerNorm({ affine: false });
  assert.deepEqual(noAffine.init(0, [d]).params, {});
  dispose([params, scale, offset, x, y, ct, gx]);
});

Deno.test("residual: x + branchScale * block(x); shape-changing blocks rejected", async () => {
  const r = residual(dense(3, { parameterization: "standard" }), 0.5);
  const { params } = r.init(random.key(0), [3]);
  const x = random.normal(random.key(1), [2, 3]);
  const blockOut = denseApply(params, x, { parameterization: "standard" });
  const xv = await x.read(), bv = await blockOut.read();
  assertClose(await r.apply(params, x).read(), Array.from(xv, (v, k) => v + 0.5 * bv[k]), {
    rtol: 1e-6,
    atol: 1e-6,
  });
  assert.throws(() => residual(dense(4)).init(random.key(0), [3]), ShapeError);
  assert.throws(() => residual(dense(3), NaN), InvalidArgumentError);
  dispose([params, x, blockOut]);
});

Deno.test("fourierEmbedding: [sin(2 pi t w), cos(2 pi t w)] with fixed frequencies", async () => {
  const emb = fourierEmbedding(6, 3);
  const { params, outShape } = emb.init(random.key(0), [1]);
  assert.deepEqual(outShape, [6]);
  const w = await params.w.read();
  // w ~ N(0, 9): the key is deterministic, so just check the scale loosely
  assert.equal(w.length, 3);
  const ts = [0, 0.25, 0.7];
  const y = emb.apply(params, tensor(ts));
  const want: number[] = [];
  for (const t of ts) {
    for (const f of [Math.sin, Math.cos]) for (const wk of w) want.push(f(2 * Math.PI * t * wk));
  }
  assertClose(await y.read(), want, { rtol: 1e-4, atol: 1e-4 });
  assert.deepEqual(emb.apply(params, tensor([[0.1], [0.2]])).shape, [2, 6]);
  // frequencies are fixed: zero gradient
  const g = grad((p: { w: Tensor }) => sum(emb.apply(p, tensor(ts))))(params);
  assertClose(await g.w.read(), [0, 0, 0]);
  assert.throws(() => fourierEmbedding(5), InvalidArgumentError);
  assert.throws(() => emb.init(random.key(0), [2]), ShapeError);
  dispose([params, y, g]);
});
