import assert from "node:assert/strict";
import {
  add,
  BufferTooLargeError,
  dispose,
  DisposedError,
  InvalidArgumentError,
  keep,
  mul,
  runtime,
  scope,
  type Tensor,
  tensor,
  zeros,
} from "../../mod.ts";
import { BufferPool, sizeClass } from "../../src/gpu/buffer_pool.ts";

Deno.test("tensor() from nested arrays, typed arrays and scalars", async () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.equal(a.dtype, "f32");
  assert.deepEqual(await a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const b = tensor(new Int32Array([1, -2]));
  assert.equal(b.dtype, "i32");
  assert.deepEqual(Array.from(await b.read()), [1, -2]);
  const c = tensor(2.5);
  assert.deepEqual(c.shape, []);
  assert.equal(await c.item(), 2.5);
  assert.equal(await c.toArray(), 2.5);
  const d = tensor(new Float32Array(6), { shape: [3, 2] });
  assert.deepEqual(d.shape, [3, 2]);
  const e = tensor([1, 2], { dtype: "u32" });
  assert.ok((await e.read()) instanceof Uint32Array);
  const empty = tensor([]);
  assert.deepEqual(empty.shape, [0]);
  assert.deepEqual(Array.from(await empty.read()), []);
});

Deno.test("tensor() rejects ragged arrays and wrong sizes", () => {
  assert.throws(() => tensor([[1, 2], [3]]), InvalidArgumentError);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /holds 4 elements but data has 3/);
  assert.throws(() => tensor([1], { dtype: "f64" as never }), /dtype must be one of/);
});

Deno.test("disposed tensors throw DisposedError naming the tensor", async () => {
  const t = tensor([1, 2]);
  t.dispose();
  t.dispose(); // idempotent
  assert.ok(t.disposed);
  assert.throws(
    () => add(t, 1),
    (e: Error) => e instanceof DisposedError && /shape \[2\]/.test(e.message),
  );
  await assert.rejects(() => t.read(), DisposedError);
});

Deno.test("using and dispose() of trees", () => {
  let outer: Tensor;
  {
    using t = tensor([1]);
    outer = t;
  }
  assert.ok(outer.disposed);
  const tree = { a: tensor([1]), b: [tensor([2])] };
  dispose(tree);
  assert.ok(tree.a.disposed && tree.b[0].disposed);
});

Deno.test("scope frees intermediates and keeps results and keep()", async () => {
  const x = tensor([1, 2, 3]);
  let inner: Tensor | undefined, kept: Tensor | undefined;
  const y = scope(() => {
    inner = mul(x, x);
    kept = keep(add(x, 10));
    return add(inner, 1);
  });
  assert.ok(inner!.disposed);
  assert.ok(!kept!.disposed);
  assert.ok(!x.disposed);
  assert.deepEqual(Array.from(await y.read()), [2, 5, 10]);
  // Nested scopes hand results outward.
  let mid: Tensor | undefined;
  const z = scope(() => {
    mid = scope(() => mul(x, 2));
    return add(mid, 0);
  });
  assert.ok(mid!.disposed);
  assert.deepEqual(Array.from(await z.read()), [2, 4, 6]);
  // An exception disposes everything created inside.
  let leaked: Tensor | undefined;
  assert.throws(() =>
    scope(() => {
      leaked = mul(x, 3);
      throw new Error("boom");
    }), /boom/);
  assert.ok(leaked!.disposed);
  assert.throws(() => scope(() => Promise.resolve(1)), InvalidArgumentError);
});

Deno.test("buffers above the device limit give BufferTooLargeError", () => {
  const limit = runtime().maxBufferBytes;
  const n = Math.floor(limit / 4) + 1024;
  assert.throws(
    () => zeros([n]),
    (e: Error) => e instanceof BufferTooLargeError && /limit/.test(e.message),
  );
});

Deno.test("the pool reuses freed buffers by size class", async () => {
  assert.equal(sizeClass(1), 16);
  assert.equal(sizeClass(1024), 1024);
  assert.equal(sizeClass(1025), 1280);
  assert.ok(sizeClass(123457) >= 123457 && sizeClass(123457) <= 1.25 * 123457 + 16);
  const pool = new BufferPool(runtime().device);
  const b = pool.acquire(1000);
  pool.release(b);
  assert.equal(pool.acquire(900), b);
  assert.equal(pool.stats().hits, 1);
  const rt = runtime();
  await rt.sync();
  const before = rt.pool.stats();
  for (let i = 0; i < 100; i++) tensor(new Float32Array(1000)).dispose();
  const after = rt.pool.stats();
  assert.ok(
    after.misses - before.misses <= 1,
    `at most one new buffer for 100 same-size tensors (misses ${after.misses - before.misses})`,
  );
});

Deno.test("reads started together share one submission", async () => {
  const rt = runtime();
  const ts = Array.from({ length: 5 }, (_, i) => tensor([i]));
  await rt.sync();
  const before = rt.submissions;
  const vals = await Promise.all(ts.map((t) => t.item()));
  assert.deepEqual(vals, [0, 1, 2, 3, 4]);
  assert.equal(rt.submissions - before, 1);
});

Deno.test("uploading into a buffer still read by pending work stays ordered", async () => {
  // x is consumed by a pending dispatch, then freed; its buffer is reused for new data.
  const x = tensor(new Float32Array(256).fill(1));
  const y = add(x, 1); // pending, reads x
  x.dispose();
  const z = tensor(new Float32Array(256).fill(5)); // may reuse x's buffer
  assert.equal((await y.read())[0], 2);
  assert.equal((await z.read())[0], 5);
});

Deno.test("creating tensors from host data does not force a submission", async () => {
  const rt = runtime();
  const x = tensor(new Float32Array(64).fill(1));
  await rt.sync();
  const before = rt.submissions;
  for (let i = 0; i < 20; i++) {
    const h = tensor(new Float32Array(64).fill(i)); // may want a buffer the stream still reads
    const y = add(x, h);
    h.dispose();
    y.dispose();
  }
  assert.equal(rt.submissions, before, "uploads picked buffers the pending stream does not use");
  const last = add(x, tensor(new Float32Array(64).fill(7)));
  assert.equal((await last.read())[5], 8);
});

Deno.test("composite ops free their intermediates outside scopes", async () => {
  const { mean, variance, logsumexp } = await import("../../mod.ts");
  const rt = runtime();
  const x = tensor([[1, 2], [3, 4]]);
  const before = rt.pool.stats().inUseBuffers;
  for (const f of [mean, variance, logsumexp]) f(x, 1).dispose();
  assert.equal(rt.pool.stats().inUseBuffers, before);
});
