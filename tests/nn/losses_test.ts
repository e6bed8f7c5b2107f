import assert from "node:assert/strict";
import { DtypeError, InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import {
  add,
  dispose,
  grad,
  hvp,
  mul,
  runtime,
  sub,
  type Tensor,
  tensor,
} from "../../src/gpu/mod.ts";
import { accuracy, mse, sigmoidCrossEntropy, softmaxCrossEntropy } from "../../src/nn/mod.ts";
import { assertClose, randn } from "../_util.ts";

Deno.test("mse: mean, sum and none against f64", async () => {
  const p = randn(1, 12), q = randn(2, 12);
  const pt = tensor(p, { shape: [3, 4] }), qt = tensor(q, { shape: [3, 4] });
  const sq = Array.from(p, (v, i) => (v - q[i]) ** 2);
  const s = sq.reduce((a, b) => a + b, 0);
  assertClose([await mse(pt, qt).item()], [s / 12], { rtol: 1e-6 });
  assertClose([await mse(pt, qt, "sum").item()], [s], { rtol: 1e-6 });
  assertClose(await mse(pt, qt, "none").read(), sq, { rtol: 1e-6 });
  // gradient of the mean: 2 (p - q) / N
  const g = grad((x: Tensor) => mse(x, qt))(pt);
  assertClose(await g.read(), Array.from(p, (v, i) => (2 * (v - q[i])) / 12), { rtol: 1e-5 });
  assert.throws(() => mse(pt, tensor([1, 2])), ShapeError);
  assert.throws(() => mse(pt, qt, "avg" as "mean"), InvalidArgumentError);
  dispose([pt, qt, g]);
});

/** f64 softmax cross-entropy per row. */
function sceRef(z: ArrayLike<number>, y: ArrayLike<number>, n: number, c: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let k = 0; k < c; k++) m = Math.max(m, z[r * c + k]);
    let s = 0, dot = 0;
    for (let k = 0; k < c; k++) {
      s += Math.exp(z[r * c + k] - m);
      dot += y[r * c + k] * z[r * c + k];
    }
    out.push(m + Math.log(s) - dot);
  }
  return out;
}

Deno.test("softmaxCrossEntropy: one-hot and class ids agree with f64; gradient softmax - y", async () => {
  const n = 4, c = 5;
  const z = randn(3, n * c, 3);
  const ids = [0, 3, 4, 1];
  const oh = new Float32Array(n * c);
  ids.forEach((k, r) => (oh[r * c + k] = 1));
  const zt = tensor(z, { shape: [n, c] });
  const ref = sceRef(z, oh, n, c);
  const a = softmaxCrossEntropy(zt, tensor(oh, { shape: [n, c] }), "none");
  const b = softmaxCrossEntropy(zt, tensor(ids, "i32"), "none");
  assertClose(await a.read(), ref, { rtol: 1e-5 });
  assertClose(await b.read(), ref, { rtol: 1e-5 });
  const mean = ref.reduce((x, y) => x + y, 0) / n;
  assertClose([await softmaxCrossEntropy(zt, tensor(ids, "i32")).item()], [mean], { rtol: 1e-5 });
  assertClose([await softmaxCrossEntropy(zt, tensor(ids, "i32"), "sum").item()], [mean * n], {
    rtol: 1e-5,
  });
  const g = grad((x: Tensor) => softmaxCrossEntropy(x, tensor(ids, "i32")))(zt);
  const want: number[] = [];
  for (let r = 0; r < n; r++) {
    const row = Array.from(z.slice(r * c, (r + 1) * c));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    e.forEach((v, k) => want.push((v / s - oh[r * c + k]) / n));
  }
  assertClose(await g.read(), want, { rtol: 1e-4, atol: 1e-6 });
  dispose([zt, a, b, g]);
});

Deno.test("softmaxCrossEntropy: stable for huge logits", async () => {
  const z = tensor([[1000, 0, -1000], [-1e4, 1e4, 0]]);
  const l = softmaxCrossEntropy(z, tensor([0, 0], "i32"), "none");
  assertClose(await l.read(), [0, 2e4], { rtol: 1e-6 });
  const g = grad((x: Tensor) => softmaxCrossEntropy(x, tensor([1, 1], "i32")))(z);
  const gv = await g.read();
  assert.ok(gv.every(Number.isFinite), `gradient not finite: ${gv}`);
  assertClose(gv, [0.5, -0.5, 0, 0, 0, 0], { atol: 1e-6 });
  dispose([z, l, g]);
});

Deno.test("sigmoidCrossEntropy: f64 reference, stability, gradient sigmoid - t", async () => {
  const zs = [-30, -2, -0.5, 0, 0.5, 2, 30, 80];
  const ts = [0, 1, 0.3, 1, 0, 0.5, 1, 0];
  const ref = zs.map((z, i) => Math.max(z, 0) - z * ts[i] + Math.log1p(Math.exp(-Math.abs(z))));
  const zt = tensor(zs), tt = tensor(ts);
  assertClose(await sigmoidCrossEntropy(zt, tt, "none").read(), ref, { rtol: 1e-5, atol: 1e-6 });
  assertClose([await sigmoidCrossEntropy(zt, tt).item()], [ref.reduce((a, b) => a + b) / 8], {
    rtol: 1e-5,
  });
  const g = grad((x: Tensor) => sigmoidCrossEntropy(x, tt, "sum"))(zt);
  assertClose(await g.read(), zs.map((z, i) => 1 / (1 + Math.exp(-z)) - ts[i]), { atol: 1e-6 });
  assert.throws(() => sigmoidCrossEntropy(zt, tensor([1])), ShapeError);
  dispose([zt, tt, g]);
});

Deno.test("accuracy: class ids and one-hot labels; result stays a GPU scalar", async () => {
  const z = tensor([[1, 0, 0], [0, 2, 1], [0, 0, 3], [5, 1, 0]]);
  const acc = accuracy(z, tensor([0, 2, 2, 0], "i32"));
  assert.deepEqual(acc.shape, []);
  assertClose([await acc.item()], [0.75]);
  const oh = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]);
  assertClose([await accuracy(z, oh).item()], [0.75]);
  dispose([z, acc, oh]);
});

Deno.test("losses: bad input names the operand and both shapes", () => {
  const z = tensor([[1, 2], [3, 4]]);
  assert.throws(
    () => softmaxCrossEntropy(z, tensor([0, 1, 1], "i32")),
    (e: Error) => e instanceof ShapeError && /\[3\]/.test(e.message) && /\[2\]/.test(e.message),
  );
  assert.throws(
    () => softmaxCrossEntropy(z, tensor([[1, 0, 0]])),
    (e: Error) => e instanceof ShapeError && /one-hot/.test(e.message),
  );
  assert.throws(
    () => softmaxCrossEntropy(tensor([[1, 2]], "i32"), tensor([0], "i32")),
    (e: Error) => e instanceof DtypeError && /logits must be f32/.test(e.message),
  );
  assert.throws(() => accuracy(z, tensor([0], "i32")), ShapeError);
  z.dispose();
});

Deno.test("softmaxCrossEntropy: fused first order equals the op path; exact second order", async () => {
  const n = 3, c = 4;
  const z = tensor(randn(21, n * c, 2), { shape: [n, c] });
  const soft = tensor([[0.2, 0.3, 0.5, 0], [0, 0, 0, 1], [0.25, 0.25, 0.25, 0.25]]);
  const v = tensor(randn(22, n * c), { shape: [n, c] });
  // gradient with respect to soft labels: -z / n
  const gy = grad((y: Tensor) => softmaxCrossEntropy(z, y))(soft);
  assertClose(await gy.read(), Array.from(await z.read(), (x) => -x / n), { rtol: 1e-5 });
  // Hessian-vector product (nested traces take the op path) vs differences of fused gradients
  const f = (x: Tensor) => softmaxCrossEntropy(x, soft);
  const hv = hvp(f, z, v);
  const eps = 1e-2;
  const zp = add(z, mul(v, eps)), zm = sub(z, mul(v, eps));
  const gp = await grad(f)(zp).read(), gm = await grad(f)(zm).read();
  const fd = Array.from(gp, (a, i) => (a - gm[i]) / (2 * eps));
  assertClose(await hv.read(), fd, { rtol: 2e-2, atol: 2e-4 }, "hvp");
  dispose([z, soft, v, gy, hv, zp, zm]);
});

Deno.test("softmaxCrossEntropy: leading batch dims; reduction none keeps them; nothing leaks", async () => {
  const z = tensor(randn(31, 2 * 3 * 5), { shape: [2, 3, 5] });
  const ids = tensor([0, 1, 2, 3, 4, 0], { shape: [2, 3], dtype: "i32" });
  const before = runtime().pool.stats().inUseBuffers;
  const per = softmaxCrossEntropy(z, ids, "none");
  assert.deepEqual(per.shape, [2, 3]);
  const m = softmaxCrossEntropy(z, ids);
  const pv = Array.from(await per.read());
  assertClose([await m.item()], [pv.reduce((a, b) => a + b, 0) / 6], { rtol: 1e-5 });
  dispose([per, m]);
  assert.equal(runtime().pool.stats().inUseBuffers, before);
  dispose([z, ids]);
});
