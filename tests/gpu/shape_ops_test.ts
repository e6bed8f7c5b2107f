import assert from "node:assert/strict";
import {
  arange,
  AxisError,
  broadcastTo,
  concat,
  cumsum,
  DtypeError,
  expandDims,
  eye,
  full,
  InvalidArgumentError,
  linspace,
  oneHot,
  ones,
  reshape,
  ShapeError,
  slice,
  squeeze,
  stack,
  take,
  tensor,
  transpose,
  zeros,
} from "../../mod.ts";
import { assertClose, randn } from "../_util.ts";

Deno.test("reshape infers -1 and shares storage", async () => {
  const x = tensor([1, 2, 3, 4, 5, 6]);
  const y = reshape(x, [3, -1]);
  assert.deepEqual(y.shape, [3, 2]);
  assert.deepEqual(await y.toArray(), [[1, 2], [3, 4], [5, 6]]);
  x.dispose();
  assert.deepEqual(Array.from(await y.read()), [1, 2, 3, 4, 5, 6], "storage outlives the original");
  assert.throws(() => reshape(y, [4, 2]), ShapeError);
  assert.throws(() => reshape(y, [-1, -1]), ShapeError);
});

Deno.test("transpose permutes like NumPy", async () => {
  const d = randn(1, 2 * 3 * 4);
  const x = tensor(d, { shape: [2, 3, 4] });
  const y = transpose(x, [1, 2, 0]);
  assert.deepEqual(y.shape, [3, 4, 2]);
  const got = await y.read();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 2; k++) assert.equal(got[(i * 4 + j) * 2 + k], d[(k * 3 + i) * 4 + j]);
    }
  }
  assert.deepEqual(transpose(tensor([[1, 2, 3]])).shape, [3, 1]);
  assert.throws(() => transpose(x, [0, 0, 1]), ShapeError);
});

Deno.test("broadcastTo, expandDims, squeeze", async () => {
  assert.deepEqual(await broadcastTo(tensor([[1], [2]]), [2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.throws(() => broadcastTo(tensor([1, 2]), [3]), ShapeError);
  assert.deepEqual(expandDims(tensor([1, 2]), -1).shape, [2, 1]);
  assert.deepEqual(squeeze(tensor([[[1]], [[2]]]), 2).shape, [2, 1]);
  assert.throws(() => squeeze(tensor([[1, 2]]), 1), ShapeError);
});

Deno.test("slice with steps and negative indices", async () => {
  const x = reshape(arange(24), [4, 6]);
  assert.deepEqual(await slice(x, [[1, 3], [0, 6, 2]]).toArray(), [[6, 8, 10], [12, 14, 16]]);
  assert.deepEqual(await slice(x, [[-1], null]).toArray(), [[18, 19, 20, 21, 22, 23]]);
  assert.deepEqual(slice(x, [[2, 2]]).shape, [0, 6]);
  assert.throws(() => slice(x, [[0, 9]]), InvalidArgumentError);
  assert.throws(() => slice(x, [[0, 2, 0]]), InvalidArgumentError);
});

Deno.test("concat and stack", async () => {
  const a = tensor([[1, 2]]), b = tensor([[3, 4], [5, 6]]);
  assert.deepEqual(await concat([a, b], 0).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(await concat([b, b], 1).toArray(), [[3, 4, 3, 4], [5, 6, 5, 6]]);
  assert.deepEqual(await stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  assert.throws(() => concat([a, tensor([[1, 2, 3]])], 0), ShapeError);
  assert.throws(() => concat([a, tensor([[1, 2]], "i32")], 0), DtypeError);
  assert.throws(() => concat([], 0), InvalidArgumentError);
});

Deno.test("take gathers along an axis with negative wrap; oneHot; out-of-range gives NaN", async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(await take(x, tensor([2, -3], "i32"), 1).toArray(), [[3, 1], [6, 4]]);
  assert.deepEqual(take(x, tensor([[0, 1]], "i32"), 0).shape, [1, 2, 3]);
  const bad = await take(x, tensor([5], "i32"), 1).read();
  assert.ok(Number.isNaN(bad[0]));
  assert.throws(() => take(x, tensor([0]), 0), DtypeError);
  assert.deepEqual(await oneHot(tensor([1, 0, 7], "i32"), 3).toArray(), [[0, 1, 0], [1, 0, 0], [
    0,
    0,
    0,
  ]]);
});

Deno.test("cumsum along axes, forward and reverse", async () => {
  const d = randn(5, 3 * 50);
  const x = tensor(d, { shape: [3, 50] });
  const got = await cumsum(x, 1).read();
  const ref: number[] = [];
  for (let i = 0; i < 3; i++) {
    let s = 0;
    for (let j = 0; j < 50; j++) ref.push(s += d[i * 50 + j]);
  }
  assertClose(got, ref, { rtol: 1e-5, atol: 1e-5 }, "cumsum");
  assert.deepEqual(await cumsum(tensor([[1, 2], [3, 4]]), 0, true).toArray(), [[4, 6], [3, 4]]);
  assert.throws(() => cumsum(x, 2), AxisError);
});

Deno.test("creation ops", async () => {
  assert.deepEqual(Array.from(await zeros([3]).read()), [0, 0, 0]);
  assert.deepEqual(Array.from(await ones([2], "i32").read()), [1, 1]);
  assert.deepEqual(Array.from(await full([2], -3, "i32").read()), [-3, -3]);
  assert.deepEqual(Array.from(await arange(2, 8, 2).read()), [2, 4, 6]);
  assert.deepEqual(Array.from(await arange(5, 0, -2, "i32").read()), [5, 3, 1]);
  assertClose(await linspace(-1, 1, 5).read(), [-1, -0.5, 0, 0.5, 1], {}, "linspace");
  assert.deepEqual(await eye(2, 3, 1).toArray(), [[0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(zeros([0, 4]).shape, [0, 4]);
  assert.throws(() => zeros([2, -1]), /shape\[1\] must be a non-negative integer, got -1/);
  assert.throws(() => zeros([NaN]), InvalidArgumentError);
  assert.throws(() => full([1], 1.5, "i32"), InvalidArgumentError);
  assert.throws(() => arange(0, 1, 0), InvalidArgumentError);
});

Deno.test("cumsum over a long axis (llvmpipe stops loops after 65535 iterations)", async () => {
  const L = 1_200_001; // more than two dispatch chunks (520,000 positions each)
  const f = await cumsum(ones([L])).read();
  assert.equal(f[L - 1], L);
  assert.equal(f[520_000], 520_001); // the first position of the second chunk
  const r = await cumsum(ones([L]), 0, true).read();
  assert.equal(r[0], L);
  assert.equal(r[L - 520_001], 520_001); // the reverse scan's second chunk starts here
  const cols = await cumsum(ones([2, L, 1]), 1).read();
  assert.equal(cols[L - 1], L);
  assert.equal(cols[2 * L - 1], L);
});
