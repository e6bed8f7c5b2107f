/** Chunk partitions: equal splits, reach sets with overlap, and typed errors for bad input. */
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import { dense } from "../../src/nn/mod.ts";
import {
  checkLocalNetwork,
  chunkPlan,
  equalChunkSizes,
  reachedBlocks,
} from "../../src/optim/local/mod.ts";

Deno.test("equal chunks: sizes differ by at most one and cover the depth", () => {
  for (let depth = 1; depth <= 12; depth++) {
    for (let K = 1; K <= depth; K++) {
      const s = equalChunkSizes(depth, K);
      assert.equal(s.length, K);
      assert.equal(s.reduce((a, b) => a + b, 0), depth);
      assert.ok(Math.max(...s) - Math.min(...s) <= 1, `${depth}/${K}: ${s}`);
      assert.ok(s.every((v, i) => i === 0 || v <= s[i - 1]), "longer chunks first");
    }
  }
  const plan = chunkPlan(8, { chunks: 8 });
  assert.deepEqual(plan.starts, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(plan.ends, [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("reach sets: own blocks, plus the last `overlap` blocks of the previous chunk", () => {
  const none = chunkPlan(6, { sizes: [1, 2, 3] });
  assert.deepEqual([0, 1, 2].map((k) => reachedBlocks(none, k)), [[0], [1, 2], [3, 4, 5]]);
  const ov = chunkPlan(7, { sizes: [3, 2, 2], overlap: 2 });
  assert.deepEqual([0, 1, 2].map((k) => reachedBlocks(ov, k)), [[0, 1, 2], [1, 2, 3, 4], [
    3,
    4,
    5,
    6,
  ]]);
  // Every block is reached by its own chunk's loss; with overlap m, blocks in the last m of a
  // chunk (except the final chunk) are reached by exactly two losses.
  const count = new Array(7).fill(0);
  for (let k = 0; k < 3; k++) for (const l of reachedBlocks(ov, k)) count[l]++;
  assert.deepEqual(count, [1, 2, 2, 2, 2, 1, 1]);
  assert.deepEqual(reachedBlocks(chunkPlan(3, { chunks: 1, overlap: 5 }), 0), [0, 1, 2]);
});

Deno.test("bad partitions throw InvalidArgumentError naming the field and the expectation", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => chunkPlan(8, { sizes: [3, 3] }),
      /options\.sizes \[3, 3\] sum to 6; expected the network depth 8/,
    ],
    [() => chunkPlan(4, { sizes: [2, 0, 2] }), /options\.sizes\[1\] = 0/],
    [() => chunkPlan(4, { sizes: [2, 1.5, 0.5] }), /options\.sizes\[1\] = 1\.5/],
    [() => chunkPlan(4, { sizes: [] }), /options\.sizes must be a non-empty array/],
    [
      () => chunkPlan(4, { chunks: 5 }),
      /options\.chunks must be an integer in \[1, depth = 4\], got 5/,
    ],
    [() => chunkPlan(4, { chunks: 0 }), /options\.chunks/],
    [() => chunkPlan(4, {}), /exactly one of options\.chunks .* got neither/],
    [() => chunkPlan(4, { chunks: 2, sizes: [2, 2] }), /got both/],
    [() => chunkPlan(0, { chunks: 1 }), /depth must be a positive integer, got 0/],
    [
      () => chunkPlan(4, { chunks: 2, overlap: -1 }),
      /options\.overlap must be a non-negative integer/,
    ],
    [
      () => chunkPlan(6, { sizes: [1, 3, 2], overlap: 2 }),
      /overlap = 2 exceeds the size 1 of chunk 0; expected at most 1/,
    ],
    [() => equalChunkSizes(3, 4), /chunks must be an integer in \[1, depth = 3\]/],
    [
      () => reachedBlocks(chunkPlan(4, { chunks: 2 }), 2),
      /chunk index k must be an integer in \[0, 1\], got 2/,
    ],
  ];
  for (const [f, re] of cases) {
    assert.throws(
      f,
      (e: Error) => e instanceof InvalidArgumentError && re.test(e.message),
      String(re),
    );
  }
  const plan = chunkPlan(2, { chunks: 2 });
  assert.throws(
    () => checkLocalNetwork("t", { blocks: [dense(2)], heads: [dense(1), dense(1)] }, plan),
    /net\.blocks has 1 layers; expected the plan's depth 2/,
  );
  assert.throws(
    () => checkLocalNetwork("t", { blocks: [dense(2), dense(2)], heads: [dense(1)] }, plan),
    /net\.heads has 1 layers; expected 2/,
  );
});
