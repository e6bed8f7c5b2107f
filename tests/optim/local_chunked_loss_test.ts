/**
 * Chunked local losses (Laskin et al. 2020): K = 1 is ordinary backprop bit for bit; for
 * K > 1 (with and without overlap) every parameter's gradient equals an f64 finite difference
 * of the sum of local losses with each chunk's input held at its forward value; each local
 * loss reaches exactly the documented blocks; the result differs from global backprop.
 */
import assert from "node:assert/strict";
import { assertClose, numericGrad, randn } from "../_util.ts";
import { add, grad, random, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { activation, dense, mse, serial, softmaxCrossEntropy } from "../../src/nn/mod.ts";
import type { Params } from "../../src/nn/layer.ts";
import {
  chunkedLocalLoss,
  type ChunkPlan,
  chunkPlan,
  initLocalParams,
  type LocalNetwork,
  type LocalParams,
  localValueAndGrad,
  reachedBlocks,
  reachStart,
} from "../../src/optim/local/mod.ts";

const IN = 3, WIDTH = 4, CLASSES = 2, BATCH = 5, DEPTH = 4;
const block = serial(
  dense(WIDTH, { parameterization: "standard", wStd: 1.3, bStd: 0.4 }),
  activation("tanh"),
);
const head = dense(CLASSES, { parameterization: "standard", wStd: 1, bStd: 0.3 });

function makeNet(plan: ChunkPlan): LocalNetwork {
  return {
    blocks: Array.from({ length: plan.depth }, () => block),
    heads: plan.sizes.map(() => head),
  };
}

type DenseP = { w: Tensor; b: Tensor };
const blockDense = (p: Params) => (p as Params[])[0] as DenseP;

/** Parameter tensors in a fixed order: blocks (w, b) then heads (w, b). */
function leaves(p: { blocks: readonly unknown[]; heads: readonly unknown[] }): Tensor[] {
  const out: Tensor[] = [];
  for (const b of p.blocks) out.push(blockDense(b as Params).w, blockDense(b as Params).b);
  for (const h of p.heads) out.push((h as DenseP).w, (h as DenseP).b);
  return out;
}

async function readAll(ts: Tensor[]): Promise<Float32Array[]> {
  return await Promise.all(ts.map(async (t) => Float32Array.from(await t.read())));
}

/** f64 host model: theta is the concatenation of `leaves` (block w, b, ..., head w, b, ...). */
function hostModel(plan: ChunkPlan) {
  const K = plan.sizes.length;
  const offsets: { w: number; b: number; din: number; dout: number }[] = [];
  let o = 0;
  for (let l = 0; l < plan.depth; l++) {
    const din = l === 0 ? IN : WIDTH;
    offsets.push({ w: o, b: o + din * WIDTH, din, dout: WIDTH });
    o += din * WIDTH + WIDTH;
  }
  const heads: typeof offsets = [];
  for (let k = 0; k < K; k++) {
    heads.push({ w: o, b: o + WIDTH * CLASSES, din: WIDTH, dout: CLASSES });
    o += WIDTH * CLASSES + CLASSES;
  }
  const affine = (
    th: ArrayLike<number>,
    L: typeof offsets[number],
    h: Float64Array,
    act: boolean,
  ): Float64Array => {
    const out = new Float64Array(BATCH * L.dout);
    for (let i = 0; i < BATCH; i++) {
      for (let j = 0; j < L.dout; j++) {
        let s = th[L.b + j];
        for (let a = 0; a < L.din; a++) s += h[i * L.din + a] * th[L.w + a * L.dout + j];
        out[i * L.dout + j] = act ? Math.tanh(s) : s;
      }
    }
    return out;
  };
  const mseHost = (pred: Float64Array, y: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < pred.length; i++) s += (pred[i] - y[i]) ** 2;
    return s / pred.length;
  };
  /** Block inputs of the forward pass at theta (inputs[0] = x). */
  const forwardInputs = (th: ArrayLike<number>, x: Float64Array): Float64Array[] => {
    const inputs = [x];
    for (let l = 0; l < plan.depth; l++) inputs.push(affine(th, offsets[l], inputs[l], true));
    return inputs;
  };
  /**
   * Sum of local losses at `th` where chunk k starts from `frozen[reachStart(k)]`: the block
   * inputs computed at the unperturbed parameters (the stop-gradient, spelled out).
   */
  const localTotal = (th: ArrayLike<number>, frozen: Float64Array[], y: ArrayLike<number>) => {
    let total = 0;
    for (let k = 0; k < K; k++) {
      let h = frozen[reachStart(plan, k)];
      for (let l = reachStart(plan, k); l < plan.ends[k]; l++) {
        h = affine(th, offsets[l], h, true);
      }
      total += mseHost(affine(th, heads[k], h, false), y);
    }
    return total;
  };
  return { size: o, forwardInputs, localTotal };
}

const x = tensor(randn(11, BATCH * IN), { shape: [BATCH, IN] });
const y = tensor(randn(12, BATCH * CLASSES), { shape: [BATCH, CLASSES] });

Deno.test("one chunk: local gradients equal ordinary backprop exactly", async () => {
  const plan = chunkPlan(DEPTH, { chunks: 1 });
  const net = makeNet(plan);
  const p = initLocalParams(net, plan, random.key(3), [IN]);
  const labels = tensor(Int32Array.of(0, 1, 1, 0, 1), { dtype: "i32" });
  const plain = (q: LocalParams) => {
    let h = x;
    for (let l = 0; l < DEPTH; l++) h = block.apply(q.blocks[l] as Params[], h);
    return softmaxCrossEntropy(head.apply(q.heads[0] as DenseP, h), labels);
  };
  const ref = grad(plain)(p);
  const r = localValueAndGrad(net, plan, softmaxCrossEntropy)(p, x, labels);
  const [got, want] = await Promise.all([
    readAll(leaves(r.grads)),
    readAll(leaves(ref as { blocks: unknown[]; heads: unknown[] })),
  ]);
  got.forEach((g, i) => assert.deepEqual(g, want[i], `leaf ${i}`));
  assert.equal(await r.total.item(), await plain(p).item());
  assert.equal(await r.losses[0].item(), await r.total.item());
});

for (
  const [label, sizes, overlap] of [
    ["K = 1", [4], 0],
    ["K = 2, sizes [1, 3]", [1, 3], 0],
    ["K = 4 (greedy layer-wise)", [1, 1, 1, 1], 0],
    ["K = 2, overlap 1", [2, 2], 1],
    ["K = 2, overlap 2", [2, 2], 2],
    ["K = 4, overlap 1", [1, 1, 1, 1], 1],
  ] as [string, number[], number][]
) {
  Deno.test(`local gradients match f64 finite differences with detached chunk inputs: ${label}`, async () => {
    const plan = chunkPlan(DEPTH, { sizes, overlap });
    const net = makeNet(plan);
    const p = initLocalParams(net, plan, random.key(7), [IN]);
    const r = localValueAndGrad(net, plan, mse)(p, x, y);
    const [thetaParts, gradParts, xs, ys] = await Promise.all([
      readAll(leaves(p)),
      readAll(leaves(r.grads)),
      x.read(),
      y.read(),
    ]);
    const theta = Float64Array.from(thetaParts.flatMap((a) => [...a]));
    const g = Float64Array.from(gradParts.flatMap((a) => [...a]));
    const host = hostModel(plan);
    assert.equal(theta.length, host.size);
    const frozen = host.forwardInputs(theta, Float64Array.from(xs));
    const fd = numericGrad((th) => host.localTotal(th, frozen, ys), theta, 1e-6);
    assertClose(g, fd, { rtol: 2e-3, atol: 2e-5 }, `${label} gradient`);
    assertClose([await r.total.item()], [host.localTotal(theta, frozen, ys)], { rtol: 1e-5 });
    // Per-chunk losses are reported too and add up to the total.
    const ls = await Promise.all(r.losses.map((t) => t.item()));
    assertClose([ls.reduce((a, b) => a + b, 0)], [await r.total.item()], { rtol: 1e-6 });
  });
}

Deno.test("each local loss reaches exactly its documented blocks and its own head", async () => {
  const plan = chunkPlan(6, { sizes: [2, 2, 2], overlap: 1 });
  assert.deepEqual([0, 1, 2].map((k) => reachedBlocks(plan, k)), [[0, 1], [1, 2, 3], [3, 4, 5]]);
  const net = makeNet(plan);
  const p = initLocalParams(net, plan, random.key(5), [IN]);
  for (let k = 0; k < 3; k++) {
    const g = grad((q: LocalParams) => chunkedLocalLoss(net, plan, q, x, y, mse).losses[k])(p);
    const blockMax = await Promise.all(
      (g.blocks as Params[]).map(async (b) => {
        const d = blockDense(b);
        const [w, bb] = await Promise.all([d.w.read(), d.b.read()]);
        return Math.max(...[...w, ...bb].map(Math.abs));
      }),
    );
    const headMax = await Promise.all(
      (g.heads as DenseP[]).map(async (h) => Math.max(...(await h.w.read()).map(Math.abs))),
    );
    const reached = new Set(reachedBlocks(plan, k));
    blockMax.forEach((m, l) => {
      if (reached.has(l)) assert.ok(m > 1e-6, `loss ${k} must reach block ${l} (max ${m})`);
      else assert.equal(m, 0, `loss ${k} must not reach block ${l}`);
    });
    headMax.forEach((m, j) => {
      if (j === k) assert.ok(m > 1e-6, `loss ${k} must reach head ${j}`);
      else assert.equal(m, 0, `loss ${k} must not reach head ${j}`);
    });
  }
});

Deno.test("local updates differ from global backprop of the same summed losses", async () => {
  const plan = chunkPlan(DEPTH, { chunks: 2 });
  const net = makeNet(plan);
  const p = initLocalParams(net, plan, random.key(9), [IN]);
  const local = localValueAndGrad(net, plan, mse)(p, x, y).grads;
  // The same two heads, but gradients flow through the whole network (no truncation).
  const global = grad((q: LocalParams) => {
    let h = x;
    let total: Tensor | null = null;
    plan.ends.forEach((end, k) => {
      for (let l = plan.starts[k]; l < end; l++) h = block.apply(q.blocks[l] as Params[], h);
      const lk = mse(head.apply(q.heads[k] as DenseP, h), y);
      total = total ? add(total, lk) : lk;
    });
    return total!;
  })(p);
  const [a, b] = await Promise.all([
    blockDense((local.blocks as Params[])[0]).w.read(),
    blockDense((global.blocks as Params[])[0]).w.read(),
  ]);
  const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  assert.ok(diff > 1e-4, `block 0 gradient should change without the chunk-1 loss (${diff})`);
  // The last chunk's blocks see only their own loss in both cases.
  const [c, d] = await Promise.all([
    blockDense((local.blocks as Params[])[3]).w.read(),
    blockDense((global.blocks as Params[])[3]).w.read(),
  ]);
  assertClose(c, d, { rtol: 1e-5, atol: 1e-7 }, "block 3");
});
