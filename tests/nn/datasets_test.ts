import assert from "node:assert/strict";
import { InvalidArgumentError, ShapeError, UnknownNameError } from "../../src/errors.ts";
import { dispose, random, type Tensor, tensor, zeros } from "../../src/gpu/mod.ts";
import {
  batches,
  checkerboard,
  gaussianMixture,
  linearRegression,
  loadMnist,
  loadMnistHost,
  MNIST_SIZE,
  mnistDigits,
  regression,
  rings,
  sequentialBatches,
  shuffled,
  sineRegression,
  swissRoll,
  toy2d,
  toy2dHost,
  type Toy2dName,
  twoMoons,
} from "../../src/nn/mod.ts";
import { assertClose } from "../_util.ts";

Deno.test("mnist: 10,000 digits, pixels in [0, 1], all ten classes", () => {
  const { pixels, labels } = mnistDigits();
  assert.equal(labels.length, MNIST_SIZE);
  assert.equal(pixels.length, MNIST_SIZE * 784);
  let lo = Infinity, hi = -Infinity;
  for (const v of pixels) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `range ${lo}..${hi}`);
  const counts = new Array(10).fill(0);
  labels.forEach((c) => counts[c]++);
  assert.ok(counts.every((c) => c > 800), `class counts ${counts}`);
});

Deno.test("mnist: deterministic seeded split, disjoint train/test, scaling", () => {
  const a = loadMnistHost({ train: 300, test: 200, seed: 3 });
  const b = loadMnistHost({ train: 300, test: 200, seed: 3 });
  assert.deepEqual(a.labelsTrain, b.labelsTrain);
  assert.deepEqual(a.xTest, b.xTest);
  const c = loadMnistHost({ train: 300, test: 200, seed: 4 });
  assert.notDeepEqual(a.labelsTrain, c.labelsTrain);
  // test set depends only on (seed, test): a larger train set keeps it
  const d = loadMnistHost({ train: 5000, test: 200, seed: 3 });
  assert.deepEqual(d.xTest, a.xTest);
  // disjoint: no test image equals a training image of the big split
  const key = (x: Float32Array, i: number) => x.subarray(i * 784, (i + 1) * 784).join(",");
  const train = new Set(Array.from({ length: 5000 }, (_, i) => key(d.xTrain, i)));
  let shared = 0;
  for (let i = 0; i < 200; i++) if (train.has(key(d.xTest, i))) shared++;
  assert.equal(shared, 0);
  // standardization uses train statistics
  const s = loadMnistHost({ train: 1000, test: 10, scaling: "standardize" });
  let m = 0, v = 0;
  for (const x of s.xTrain) m += x / s.xTrain.length;
  for (const x of s.xTrain) v += (x - m) ** 2 / s.xTrain.length;
  assert.ok(Math.abs(m) < 1e-4 && Math.abs(v - 1) < 1e-3, `mean ${m} var ${v}`);
  assert.ok(s.mean > 0.1 && s.mean < 0.16 && s.std > 0.28 && s.std < 0.34, `${s.mean} ${s.std}`);
});

Deno.test("mnist: tensors, one-hot targets, shapes, errors", async () => {
  const d = loadMnist({ train: 50, test: 20 });
  assert.deepEqual([d.xTrain.shape, d.yTrain.shape, d.xTest.shape], [[50, 784], [50, 10], [
    20,
    784,
  ]]);
  const y = await d.yTrain.read();
  d.labelsTrain.forEach((c, i) => {
    for (let k = 0; k < 10; k++) assert.equal(y[i * 10 + k], k === c ? 1 : 0);
  });
  const ids = loadMnist({ train: 5, test: 5, oneHot: false, flatten: false });
  assert.equal(ids.yTrain.dtype, "i32");
  assert.deepEqual(ids.xTrain.shape, [5, 28, 28]);
  assert.deepEqual(Array.from(await ids.yTrain.read()), Array.from(ids.labelsTrain));
  assert.throws(
    () => loadMnist({ train: 9000, test: 2000 }),
    (e: Error) => e instanceof InvalidArgumentError && /9000 \+ 2000/.test(e.message),
  );
  assert.throws(
    () => loadMnist({ scaling: "minmax" as "unit" }),
    (e: Error) => e instanceof InvalidArgumentError && /scaling = "minmax"/.test(e.message),
  );
  dispose([d, ids]);
});

Deno.test("toy2d: shapes, determinism, labels, geometry", () => {
  for (const name of ["moons", "swissRoll", "checkerboard", "gaussianMixture", "rings"] as const) {
    const a = toy2dHost(name, 7, 101), b = toy2dHost(name, 7, 101);
    assert.equal(a.x.length, 202, name);
    assert.deepEqual(a.x, b.x, name);
    assert.ok(a.x.every(Number.isFinite), name);
    assert.notDeepEqual(toy2dHost(name, 8, 101).x, a.x, name);
  }
  // noise-free moons lie on their arcs
  const m = toy2dHost("moons", 1, 400, { noise: 0 });
  for (let i = 0; i < 400; i++) {
    const [x, y, l] = [m.x[2 * i], m.x[2 * i + 1], m.labels[i]];
    const r = l === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5);
    assertClose([r], [1], { rtol: 1e-5 }, `moon ${l}`);
  }
  assert.equal(m.labels.reduce((s, v) => s + v, 0), 200);
  // rings: radius close to the ring's radius
  const r = toy2dHost("rings", 2, 300, { radii: [1, 3], noise: 0 });
  for (let i = 0; i < 300; i++) {
    assertClose([Math.hypot(r.x[2 * i], r.x[2 * i + 1])], [[1, 3][r.labels[i]]], { rtol: 1e-5 });
  }
  // checkerboard: points on dark squares only
  const c = toy2dHost("checkerboard", 3, 500, { cells: 4, halfWidth: 2 });
  for (let i = 0; i < 500; i++) {
    const ci = Math.floor(c.x[2 * i] + 2), cj = Math.floor(c.x[2 * i + 1] + 2);
    assert.equal((ci + cj) % 2, 0, `point ${c.x[2 * i]}, ${c.x[2 * i + 1]}`);
  }
  // mixture weights: component frequencies within 5 sigma of the weights
  const n = 4000;
  const g = toy2dHost("gaussianMixture", 4, n, {
    means: [[-3, 0], [3, 0]],
    stds: [0.1, 0.2],
    weights: [1, 3],
  });
  const ones = g.labels.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(ones / n - 0.75) < 5 * Math.sqrt(0.75 * 0.25 / n), `frequency ${ones / n}`);
  let mx = 0;
  for (let i = 0; i < n; i++) if (g.labels[i] === 1) mx += g.x[2 * i] / ones;
  assert.ok(Math.abs(mx - 3) < 5 * 0.2 / Math.sqrt(ones), `mean ${mx}`);
  // tensor helpers
  const ts: Tensor[] = [
    twoMoons(0, 9),
    swissRoll(0, 9),
    checkerboard(0, 9),
    gaussianMixture(0, 9),
    rings(0, 9),
  ];
  for (const t of ts) assert.deepEqual(t.shape, [9, 2]);
  const { x, labels } = toy2d("rings", 0, 12);
  assert.equal(labels.dtype, "i32");
  dispose([ts, x, labels]);
  assert.throws(
    () => toy2d("spirals" as Toy2dName, 0, 10),
    (e: Error) =>
      e instanceof UnknownNameError && /spirals/.test(e.message) && /moons/.test(e.message),
  );
  assert.throws(() => twoMoons(0, 0), InvalidArgumentError);
  assert.throws(
    () => gaussianMixture(0, 5, { means: [[0, 0]], stds: [1, 2] }),
    InvalidArgumentError,
  );
});

Deno.test("regression: linear targets equal x W + b without noise; sine", async () => {
  const d = linearRegression(0, { n: 20, dim: 3, outDim: 2, noise: 0 });
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 2; j++) {
      let s = d.bTrue[j];
      for (let k = 0; k < 3; k++) s += d.xHost[i * 3 + k] * d.wTrue[k * 2 + j];
      assertClose([d.yHost[i * 2 + j]], [s], { rtol: 1e-5, atol: 1e-6 });
    }
  }
  assertClose(await d.y.read(), d.yHost);
  const s = sineRegression(1, { n: 50, noise: 0, xMin: 0, xMax: 1 });
  assertClose(s.yHost, Array.from(s.xHost, Math.sin), { rtol: 1e-6 });
  assert.ok(s.xHost.every((x) => x >= 0 && x <= 1));
  assert.deepEqual(regression("sine", 0, { n: 4 }).x.shape, [4, 1]);
  assert.throws(() => regression("cubic" as "sine", 0), UnknownNameError);
  assert.throws(() => sineRegression(0, { xMin: 1, xMax: 0 }), InvalidArgumentError);
  dispose([d, s]);
});

Deno.test("batches: each epoch is a permutation; reshuffled per epoch; deterministic", async () => {
  const n = 10;
  const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
  const y = tensor(Array.from({ length: n }, (_, i) => i), "i32");
  const seen: number[][] = [];
  for (const b of batches(random.key(0), { x, y }, 3, { epochs: 2, dropLast: false })) {
    const xv = await b.x.read(), yv = await b.y.read();
    // rows stay aligned across leaves
    for (let r = 0; r < yv.length; r++) {
      assert.deepEqual([xv[2 * r], xv[2 * r + 1]], [yv[r], 10 * yv[r]]);
    }
    seen.push(Array.from(yv));
    dispose(b);
  }
  assert.deepEqual(seen.map((s) => s.length), [3, 3, 3, 1, 3, 3, 3, 1]);
  const e0 = seen.slice(0, 4).flat(), e1 = seen.slice(4).flat();
  assert.deepEqual([...e0].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.deepEqual([...e1].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.notDeepEqual(e0, e1);
  const again: number[] = [];
  for (const b of batches(random.key(0), { x, y }, 3, { epochs: 1, dropLast: false })) {
    again.push(...(await b.y.read()));
    dispose(b);
  }
  assert.deepEqual(again, e0);
  // dropLast (default) and in-order
  const ordered: number[] = [];
  for (const b of batches(0, y, 4, { epochs: 1, shuffle: false })) {
    ordered.push(...(await b.read()));
    b.dispose();
  }
  assert.deepEqual(ordered, [0, 1, 2, 3, 4, 5, 6, 7]);
  const sizes: number[] = [];
  for (const b of sequentialBatches({ x }, 4)) sizes.push(b.x.shape[0]), dispose(b);
  assert.deepEqual(sizes, [4, 4, 2]);
  const sh = shuffled(1, { y });
  assert.deepEqual(
    [...(await sh.y.read())].sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
  dispose([x, y, sh]);
});

Deno.test("batches: bad input gets typed errors", () => {
  const x = zeros([5, 2]);
  assert.throws(
    () => batches(0, x, 6),
    (e: Error) =>
      e instanceof InvalidArgumentError &&
      /batchSize 6 exceeds the data set size 5/.test(e.message),
  );
  assert.throws(
    () => batches(0, { x, y: zeros([4]) }, 2),
    (e: Error) => e instanceof ShapeError && /y has 4 examples/.test(e.message),
  );
  assert.throws(() => batches(0, { x }, 0), InvalidArgumentError);
  assert.throws(() => batches(0, { x }, 2, { epochs: 1.5 }), InvalidArgumentError);
  assert.throws(() => batches("k" as never, { x }, 2), InvalidArgumentError);
  x.dispose();
});
