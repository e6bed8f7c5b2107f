import assert from "node:assert/strict";
import { InvalidArgumentError, NonFiniteError } from "../../src/errors.ts";
import {
  add,
  dispose,
  mul,
  random,
  runtime,
  sum,
  type Tensor,
  tensor,
  zeros,
} from "../../src/gpu/mod.ts";
import {
  accuracy,
  adam,
  batches,
  dense,
  linearRegression,
  mlp,
  mse,
  sgd,
  softmaxCrossEntropy,
  toy2d,
  train,
} from "../../src/nn/mod.ts";
import { assertClose } from "../_util.ts";

Deno.test("train: the loss is accumulated on the GPU and averaged per read window", async () => {
  // lr 0 keeps params fixed; loss(step k) = k, so each window's mean is known exactly.
  function* counter() {
    for (let k = 0;; k++) yield tensor(k);
  }
  const { params, state, history } = await train({
    params: { w: zeros([2]) },
    loss: (p, b: Tensor) => add(mul(sum(p.w), 0), b),
    optimizer: sgd({ lr: 0 }),
    batches: counter(),
    steps: 25,
    readEvery: 10,
  });
  assert.deepEqual(history.step, [10, 20, 25]);
  assertClose(history.loss, [4.5, 14.5, 22]);
  assert.equal(state.count, 25);
  dispose([params, state]);
});

Deno.test("train: SGD recovers a noise-free linear model", async () => {
  const d = linearRegression(0, { n: 128, dim: 3, noise: 0 });
  const net = dense(1, { parameterization: "standard" });
  const { params } = net.init(random.key(1), [3]);
  const ticks: number[] = [];
  const out = await train({
    params,
    loss: (p, b) => mse(net.apply(p, b.x), b.y),
    optimizer: sgd({ lr: 0.1, momentum: 0.5 }),
    batches: batches(2, { x: d.x, y: d.y }, 32),
    steps: 300,
    readEvery: 100,
    progress: { tick: (n = 1) => void ticks.push(n), done: () => void ticks.push(-1) },
    disposeInitial: true,
  });
  assert.ok(params.w.disposed, "disposeInitial frees the initial params");
  assertClose(await out.params.w.read(), d.wTrue, { atol: 1e-3 }, "w");
  assertClose(await out.params.b.read(), d.bTrue, { atol: 1e-3 }, "b");
  assert.ok(out.history.loss[2] < 1e-5, `final loss ${out.history.loss}`);
  assert.equal(ticks.length, 301);
  dispose([out.params, out.state, d]);
});

Deno.test("train: no buffer leak over 200 steps (pool statistics)", async () => {
  const { x, labels } = toy2d("moons", 0, 256, { noise: 0.1 });
  const net = mlp([32, 32, 2], { parameterization: "standard", activation: "gelu" });
  const pool = runtime().pool;
  const before = pool.stats().inUseBuffers;
  const { params } = net.init(random.key(0), [2]);
  const inUse: number[] = [];
  const out = await train({
    params,
    loss: (p, b) => softmaxCrossEntropy(net.apply(p, b.x), b.y),
    optimizer: adam({ lr: 1e-2, weightDecay: 1e-4 }),
    batches: batches(random.key(1), { x, y: labels }, 64),
    steps: 200,
    readEvery: 20,
    evalEvery: 40, // a multiple of readEvery: no partial loss sum alive at the samples
    evaluate: (p) => ({ acc: accuracy(net.apply(p, x), labels), lr: 1e-2 }),
    onProgress: () => inUse.push(pool.stats().inUseBuffers),
    disposeInitial: true,
  });
  // every sample after the first window sees the same number of live buffers
  const steady = inUse.slice(1);
  assert.ok(steady.every((v) => v === steady[0]), `in-use buffers drift: ${inUse}`);
  assert.equal(out.history.eval.length, 5);
  const last = out.history.eval[4];
  assert.ok(last.metrics.acc > 0.95, `accuracy ${last.metrics.acc}`);
  assert.equal(last.metrics.lr, 1e-2);
  dispose([out.params, out.state]);
  assert.equal(pool.stats().inUseBuffers, before, "everything but the data is freed");
  dispose([x, labels]);
});

Deno.test("train: bad input and non-finite losses get typed errors", async () => {
  const p = { w: tensor([1]) };
  const once = () => [null][Symbol.iterator]();
  await assert.rejects(
    train({
      params: p,
      loss: (q) => sum(q.w),
      optimizer: sgd({ lr: 0.1 }),
      batches: once(),
      steps: 3,
    }),
    (e: Error) => e instanceof InvalidArgumentError && /ran out after 1 of 3 steps/.test(e.message),
  );
  await assert.rejects(
    train({
      params: { w: tensor([1e30]) },
      loss: (q) => mul(sum(mul(q.w, q.w)), 1e10),
      optimizer: sgd({ lr: 0.1 }),
      batches: [null, null],
      steps: 2,
    }),
    (e: Error) => e instanceof NonFiniteError && /steps 1\.\.2/.test(e.message),
  );
  await assert.rejects(
    train({
      params: p,
      loss: (q) => sum(q.w),
      optimizer: sgd({ lr: 0.1 }),
      batches: [],
      steps: 1,
      evalEvery: 1,
    }),
    (e: Error) =>
      e instanceof InvalidArgumentError && /evalEvery needs an evaluate/.test(e.message),
  );
  await assert.rejects(
    train({
      params: { w: tensor([1], "i32") },
      loss: (q) => sum(q.w),
      optimizer: sgd({ lr: 0.1 }),
      batches: [],
      steps: 1,
    }),
    (e: Error) => /params\.w \[1\] is i32/.test(e.message),
  );
  await assert.rejects(
    train({
      params: p,
      loss: (q) => sum(q.w),
      optimizer: sgd({ lr: 0.1 }),
      batches: [],
      steps: -1,
    }),
    (e: Error) => e instanceof InvalidArgumentError && /steps = -1/.test(e.message),
  );
  p.w.dispose();
});
