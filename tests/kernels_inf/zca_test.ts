/** ZCA whitening and per-example standardization. */
import assert from "node:assert/strict";
import { standardizeRows, zcaWhiten } from "../../src/kernels_inf/mod.ts";
import { matmul, random, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";

Deno.test("standardizeRows gives zero-mean, unit-variance rows", async () => {
  const x = Float32Array.from(
    await standardizeRows(random.normal(random.key(0), [5, 9], 3, 2)).read(),
  );
  for (let i = 0; i < 5; i++) {
    const r = x.subarray(i * 9, i * 9 + 9);
    const m = r.reduce((s, v) => s + v, 0) / 9;
    const v = r.reduce((s, u) => s + (u - m) ** 2, 0) / 9;
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(v - 1) < 1e-5);
  }
});

Deno.test("zcaWhiten with zcaReg = 0 whitens the training covariance to the identity", async () => {
  const n = 400, d = 6;
  // correlated features: x = z A
  const z = random.normal(random.key(1), [n, d]);
  const A = tensor([
    [1, 0.9, 0, 0, 0, 0],
    [0, 1, 0.5, 0, 0, 0],
    [0, 0, 1, 0, 0.3, 0],
    [0, 0, 0, 2, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0.4, 0, 0, 0, 0, 0.5],
  ]);
  const x = matmul(z, A);
  const { train } = await zcaWhiten(x, null, {
    zcaReg: 0,
    standardize: false,
    restandardize: false,
  });
  const c = await matmul(train, train, { transA: true }).read();
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(c[i * d + j] / n - (i === j ? 1 : 0)) < 1e-3, `C[${i},${j}]`);
    }
  }
  // a regularizer shrinks the whitened variance below 1: lambda / (lambda + eps)
  const reg = await zcaWhiten(x, null, { zcaReg: 1, standardize: false, restandardize: false });
  const cr = await matmul(reg.train, reg.train, { transA: true }).read();
  let trace = 0;
  for (let i = 0; i < d; i++) trace += cr[i * d + i] / n;
  assert.ok(trace < d * 0.9 && trace > 0);
});

Deno.test("zcaWhiten applies the training whitening to test inputs; options validated", async () => {
  const x = random.normal(random.key(2), [50, 4]);
  const t = random.normal(random.key(3), [7, 4]);
  const r = await zcaWhiten(x, t, { zcaReg: 0.1, restandardize: false });
  const direct = Float32Array.from(await matmul(standardizeRows(t), r.whitening).read());
  const got = await r.test!.read();
  direct.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-5));
  await assert.rejects(zcaWhiten(x, null, { zcaReg: -1 }), InvalidArgumentError);
  await assert.rejects(zcaWhiten(x, tensor([[1, 2]])), ShapeError);
});
