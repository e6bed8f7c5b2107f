/** Whitening a train/test split: fit on train+test groups (the paper's theorem) or on train. */
import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { tensor } from "../../src/gpu/mod.ts";
import { whitenTrainTest } from "../../src/optim/whitening/train_test_whitening.ts";
import { fitWhiteningHost } from "../../src/optim/whitening/whitening_transform.ts";
import { assertClose } from "../_util.ts";
import { correlated, mm, tr } from "./_whitening_refs.ts";

Deno.test("train+test fit, n + b <= d: test points are orthogonal to training points", async () => {
  const n = 9, d = 16, b = 5, G = 3;
  const xTrain = correlated(11, n, d), xTest = correlated(12, G * b, d);
  const s = await whitenTrainTest(
    tensor(xTrain, { shape: [n, d] }),
    tensor(xTest, { shape: [G * b, d] }),
    { fit: "train+test", groupSize: b },
  );
  assert.deepEqual([s.groups, s.groupSize], [G, b]);
  assert.deepEqual(s.train.shape, [G, n, d]);
  assert.deepEqual(s.test.shape, [G, b, d]);
  const [tw, sw] = await Promise.all([s.train.read(), s.test.read()]);
  const m = n + b;
  for (let g = 0; g < G; g++) {
    // f64 reference of the fit set: the union of the training set and test group g.
    const fitSet = new Float32Array(m * d);
    fitSet.set(xTrain);
    fitSet.set(xTest.subarray(g * b * d, (g + 1) * b * d), n * d);
    let c2 = 0;
    for (const v of fitSet) c2 += v * v;
    c2 /= m; // mean squared norm of the fit set
    assert.equal(s.transforms[g].rank, m);
    // The whitened union's Gram matrix is c2 * I: test rows orthogonal to training rows.
    const union = new Float32Array(m * d);
    union.set(tw.subarray(g * n * d, (g + 1) * n * d));
    union.set(sw.subarray(g * b * d, (g + 1) * b * d), n * d);
    const gram = mm(union, tr(union, m, d), m, d, m);
    const eye = Float64Array.from({ length: m * m }, (_, i) => (i % (m + 1) === 0 ? c2 : 0));
    assertClose(gram, eye, { atol: 1e-4 * c2, rtol: 0 }, `group ${g} Gram`);
    // and the transform is the one fitted on that union in f64
    const ref = fitWhiteningHost(fitSet, m, d);
    assertClose(s.transforms[g].matrix, ref.matrix, { rtol: 1e-9, atol: 1e-12 }, `W_${g}`);
  }
});

Deno.test("train fit: one transform of the training set, applied to every test point", async () => {
  const n = 30, d = 6, t = 7;
  const xTrain = correlated(13, n, d), xTest = correlated(14, t, d);
  const s = await whitenTrainTest(
    tensor(xTrain, { shape: [n, d] }),
    tensor(xTest, { shape: [t, d] }),
    { fit: "train", reg: 0.05 },
  );
  assert.deepEqual([s.groups, s.groupSize, ...s.test.shape], [1, t, 1, t, d]);
  const ref = fitWhiteningHost(xTrain, n, d, { reg: 0.05 });
  assertClose(s.transforms[0].matrix, ref.matrix, { rtol: 1e-9, atol: 1e-12 }, "W");
  const want = ref.applyHost(xTest, t);
  const scale = Math.max(...want.map(Math.abs));
  assertClose(await s.test.read(), want, { atol: 1e-5 * scale, rtol: 0 }, "test");
  assertClose(await s.train.read(), ref.applyHost(xTrain, n), {
    atol: 1e-5 * scale,
    rtol: 0,
  }, "train");
});

Deno.test("train+test fit with centring and the f32 path agree with f64 references", async () => {
  const n = 12, d = 5, b = 4, G = 2;
  const xTrain = correlated(15, n, d).map((v) => v + 2);
  const xTest = correlated(16, G * b, d).map((v) => v + 2);
  const X = tensor(xTrain, { shape: [n, d] }), T = tensor(xTest, { shape: [G * b, d] });
  const c = await whitenTrainTest(X, T, { groupSize: b, reg: 0.1, center: true });
  const f = await whitenTrainTest(X, T, { groupSize: b, reg: 0.1, precision: "f32" });
  const [cw, fw] = await Promise.all([c.test.read(), f.test.read()]);
  for (let g = 0; g < G; g++) {
    const fitSet = new Float32Array((n + b) * d);
    fitSet.set(xTrain);
    fitSet.set(xTest.subarray(g * b * d, (g + 1) * b * d), n * d);
    const group = xTest.subarray(g * b * d, (g + 1) * b * d);
    const refC = fitWhiteningHost(fitSet, n + b, d, { reg: 0.1, center: true });
    const wantC = refC.applyHost(group, b);
    const sc = Math.max(...wantC.map(Math.abs));
    assertClose(cw.subarray(g * b * d, (g + 1) * b * d), wantC, { atol: 1e-5 * sc, rtol: 0 }, "c");
    const refF = fitWhiteningHost(fitSet, n + b, d, { reg: 0.1 });
    const wantF = refF.applyHost(group, b);
    const sf = Math.max(...wantF.map(Math.abs));
    assertClose(fw.subarray(g * b * d, (g + 1) * b * d), wantF, { atol: 1e-4 * sf, rtol: 0 }, "f");
  }
});

Deno.test("whitenTrainTest rejects bad input with typed errors", async () => {
  const x = tensor(correlated(17, 4, 3), { shape: [4, 3] });
  const t = tensor(correlated(18, 5, 3), { shape: [5, 3] });
  await assert.rejects(whitenTrainTest(x, t, { groupSize: 2 }), (e: Error) => {
    assert.ok(e instanceof InvalidArgumentError && e.message.includes("groupSize"), e.message);
    return true;
  });
  await assert.rejects(whitenTrainTest(x, tensor([[1, 2]])), ShapeError);
  await assert.rejects(whitenTrainTest(x, t, { fit: "test" as never }), InvalidArgumentError);
  await assert.rejects(whitenTrainTest(x, t, { groupSize: 0 }), InvalidArgumentError);
});
