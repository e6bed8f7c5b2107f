/** Pipeline cost model: hand-computed known answers, overlap and head costs, monotone speedup. */
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { chunkPlan, denseForwardFlops, pipelineCost } from "../../src/optim/local/mod.ts";

Deno.test("known answer: unequal blocks, heads, overlap, transfer and micro-batches", () => {
  // Blocks 10, 20, 30, 40; chunks [0,1] and [2,3]; overlap 1; heads 5 and 7; backward 2x.
  const c = pipelineCost({
    plan: chunkPlan(4, { sizes: [2, 2], overlap: 1 }),
    blockFlops: [10, 20, 30, 40],
    headFlops: [5, 7],
    transferCost: 3,
    microbatches: 4,
  });
  assert.equal(c.backpropStep, 3 * (100 + 7)); // 321
  // Device 0: blocks 0-1 + head 0; device 1: block 1 (recomputed) + blocks 2-3 + head 1.
  assert.deepEqual(c.chunkStep, [3 * 35, 3 * 97]);
  assert.equal(c.localSequentialStep, 3 * 35 + 3 * 97);
  assert.equal(c.localParallelStep, 3 * 97 + 3);
  assert.equal(c.idealSpeedup, 321 / 294);
  assert.equal(c.computeOverhead, 396 / 321);
  assert.equal(c.parallelEfficiency, 321 / 294 / 2);
  // GPipe stages (no aux head, no overlap): 3 * 30 and 3 * (70 + 7); bubble (4 + 1) / 4.
  assert.equal(c.pipelinedBackpropStep, (5 / 4) * 231 + 3);
});

Deno.test("equal blocks: the ideal speedup grows with K, overhead from aux heads and overlap", () => {
  const depth = 8, batch = 128, width = 256;
  const blockFlops = Array.from(
    { length: depth },
    (_, l) => denseForwardFlops(batch, l === 0 ? 784 : width, width),
  );
  const head = denseForwardFlops(batch, width, 10);
  let prev = 0;
  for (const K of [1, 2, 4, 8]) {
    const plan = chunkPlan(depth, { chunks: K });
    const c = pipelineCost({ plan, blockFlops, headFlops: Array(K).fill(head) });
    assert.ok(c.idealSpeedup > prev, `K=${K}: ${c.idealSpeedup} > ${prev}`);
    assert.ok(c.idealSpeedup <= K + 1e-12, "never more than K");
    // Extra compute = the K - 1 auxiliary heads, exactly.
    assert.ok(Math.abs(c.localSequentialStep - c.backpropStep - 3 * (K - 1) * head) < 1e-6);
    prev = c.idealSpeedup;
  }
  const base = pipelineCost({
    plan: chunkPlan(depth, { chunks: 4 }),
    blockFlops,
    headFlops: Array(4).fill(head),
  });
  const ov = pipelineCost({
    plan: chunkPlan(depth, { chunks: 4, overlap: 1 }),
    blockFlops,
    headFlops: Array(4).fill(head),
  });
  // The wide first block makes device 0 the slowest, and overlap adds work to later devices
  // only: the pipelined step time is unchanged here, but not with equal blocks.
  assert.equal(ov.idealSpeedup, base.idealSpeedup);
  const eq = (overlap: number) =>
    pipelineCost({
      plan: chunkPlan(depth, { chunks: 4, overlap }),
      blockFlops: Array(depth).fill(1),
      headFlops: Array(4).fill(0),
    }).idealSpeedup;
  assert.equal(eq(0), 4);
  assert.equal(eq(1), 8 / 3);
  assert.ok(ov.computeOverhead > base.computeOverhead, "overlap costs compute");
  // K = 1 is backprop itself.
  const one = pipelineCost({
    plan: chunkPlan(depth, { chunks: 1 }),
    blockFlops,
    headFlops: [head],
  });
  assert.equal(one.idealSpeedup, 1);
  assert.equal(one.pipelinedBackpropStep, one.backpropStep);
});

Deno.test("bad cost inputs throw InvalidArgumentError naming the field", () => {
  const plan = chunkPlan(2, { chunks: 2 });
  const cases: [Parameters<typeof pipelineCost>[0], RegExp][] = [
    [{ plan, blockFlops: [1], headFlops: [1, 1] }, /blockFlops must be an array of 2 costs/],
    [{ plan, blockFlops: [1, 1], headFlops: [1] }, /headFlops must be an array of 2 costs/],
    [{ plan, blockFlops: [1, -1], headFlops: [1, 1] }, /blockFlops\[1\] = -1/],
    [{ plan, blockFlops: [1, NaN], headFlops: [1, 1] }, /blockFlops\[1\] = NaN/],
    [{ plan, blockFlops: [1, 1], headFlops: [1, 1], backwardFactor: -2 }, /backwardFactor/],
    [{ plan, blockFlops: [1, 1], headFlops: [1, 1], microbatches: 0 }, /microbatches = 0/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => pipelineCost(input),
      (e: Error) => e instanceof InvalidArgumentError && re.test(e.message),
    );
  }
  assert.throws(() => denseForwardFlops(0, 1, 1), /batch = 0/);
});
