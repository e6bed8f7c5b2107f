/**
 * GPU layer algebra against the f64 host recursion: every activation, both parameterizations,
 * LayerNorm, combinators, diagonal mode, batching and error cases.
 */
import assert from "node:assert/strict";
import * as stax from "../../src/kernels_inf/mod.ts";
import {
  abReluDual,
  cosDual,
  type DualActivation,
  erfDual,
  geluDual,
  monomialDual,
  rbfDual,
  reluDual,
  sigmoidLikeDual,
  sinDual,
} from "../../src/kernels_inf/mod.ts";
import { runtime, scope, tanh, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { randn } from "../_util.ts";
import { closeScaled, refInput, refKernel, type RefLayer } from "./_reference.ts";

const d = 7, n1 = 5, n2 = 9;
const x1h = randn(1, n1 * d), x2h = randn(2, n2 * d);
const x1 = tensor(x1h, { shape: [n1, d] }), x2 = tensor(x2h, { shape: [n2, d] });

type Case = { layers: stax.Layer[]; ref: RefLayer[] };
const D = (
  out: number,
  wStd = 1,
  bStd: number | null = null,
  param: "ntk" | "standard" = "ntk",
) => ({
  layers: [stax.dense(out, { wStd, bStd, parameterization: param })],
  ref: [{ kind: "dense", wStd, bStd, param, out } as RefLayer],
});
const A = (layer: stax.Layer, act: DualActivation): Case => ({
  layers: [layer],
  ref: [{ kind: "act", act }],
});
const net = (...cs: Case[]): Case => ({
  layers: cs.flatMap((c) => c.layers),
  ref: cs.flatMap((c) => c.ref),
});

async function check(c: Case, what: string, rtol = 2e-5) {
  const k = scope(() => stax.serial(...c.layers).kernel(x1, x2));
  const r = refKernel(refInput(x1h, x2h, d), c.ref);
  const [nngp, ntk, c1, c2] = await Promise.all([
    k.nngp.read(),
    k.ntk!.read(),
    k.cov1.read(),
    k.cov2.read(),
  ]);
  closeScaled(nngp, r.nngp, rtol, `${what} nngp`);
  closeScaled(ntk, r.ntk, rtol, `${what} ntk`);
  closeScaled(c1, r.c1, rtol, `${what} cov1`);
  closeScaled(c2, r.c2, rtol, `${what} cov2`);
  stax.disposeKernel(k);
}

Deno.test("each activation after a Dense layer matches the f64 recursion", async () => {
  const acts: [stax.Layer, DualActivation][] = [
    [stax.relu(), reluDual()],
    [stax.abRelu(-0.3, 1.2), abReluDual(-0.3, 1.2)],
    [stax.leakyRelu(0.1), abReluDual(0.1, 1)],
    [stax.abs(), abReluDual(-1, 1)],
    [stax.erf(1.2, 0.8, 0.1), erfDual(1.2, 0.8, 0.1)],
    [stax.sigmoidLike(), sigmoidLikeDual()],
    [stax.gelu(), geluDual()],
    [stax.sin(0.9, 1.4, 0.3), sinDual(0.9, 1.4, 0.3)],
    [stax.cos(1.1, 0.6, -0.2), cosDual(1.1, 0.6, -0.2)],
    [stax.rbf(0.4), rbfDual(0.4)],
    [stax.monomial(3), monomialDual(3)],
  ];
  for (const [layer, act] of acts) {
    await check(net(D(16, 1.3, 0.2), A(layer, act), D(3, 0.9, 0.1)), layer.name, 3e-5);
  }
});

Deno.test("depth-3 ReLU and Erf networks, NTK and standard parameterization", async () => {
  for (const param of ["ntk", "standard"] as const) {
    for (const [layer, act] of [[stax.relu(), reluDual()], [stax.erf(), erfDual()]] as const) {
      const hidden = [1, 2, 3].map(() =>
        net(D(64, 1.5, 0.05, param), A(layer, act as DualActivation))
      );
      await check(net(...hidden, D(10, 1.5, 0.05, param)), `${param} ${layer.name} x3`, 5e-5);
    }
  }
});

Deno.test("identity, dropout (test mode) and LayerNorm", async () => {
  await check(
    {
      layers: [
        stax.dense(8, { bStd: 0.3 }),
        stax.identity(),
        stax.dropout(0.5),
        stax.layerNorm(1e-3),
        stax.relu(),
      ],
      ref: [
        { kind: "dense", wStd: 1, bStd: 0.3, param: "ntk", out: 8 },
        { kind: "layerNorm", eps: 1e-3 },
        { kind: "act", act: reluDual() },
      ],
    },
    "layerNorm",
    1e-4,
  );
});

Deno.test("one-hidden-layer ReLU NTK equals the arc-cosine formula k1 + (x.x'/d) k0", async () => {
  const k = stax.serial(stax.dense(128), stax.relu(), stax.dense(1)).kernel(x1, x2);
  const ntk = await k.ntk!.read();
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      let dot = 0, a = 0, b = 0;
      for (let t = 0; t < d; t++) {
        dot += x1h[i * d + t] * x2h[j * d + t];
        a += x1h[i * d + t] ** 2;
        b += x2h[j * d + t] ** 2;
      }
      const s = Math.sqrt(a * b) / d,
        th = Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(a * b))));
      const k1 = (s * (Math.sin(th) + (Math.PI - th) * Math.cos(th))) / (2 * Math.PI);
      const k0 = (Math.PI - th) / (2 * Math.PI);
      const want = k1 + (dot / d) * k0;
      assert.ok(
        Math.abs(ntk[i * n2 + j] - want) < 2e-5 * Math.max(1, want),
        `(${i},${j}) ${ntk[i * n2 + j]} vs ${want}`,
      );
    }
  }
});

Deno.test("combinators: residual block (fanOut/parallel/fanInSum) and fanInConcat", async () => {
  // x -> dense(8) -> [relu(dense(8)), identity] summed -> dense(2)
  const res = stax.serial(
    stax.dense(8, { bStd: 0.1 }),
    stax.fanOut(2),
    stax.parallel(stax.serial(stax.dense(8, { wStd: 1.2 }), stax.relu()), stax.serial()),
    stax.fanInSum(),
    stax.dense(2),
  );
  const k = res.kernel(x1, x2);
  const base = refKernel(refInput(x1h, x2h, d), [{
    kind: "dense",
    wStd: 1,
    bStd: 0.1,
    param: "ntk",
    out: 8,
  }]);
  const br = refKernel(base, [
    { kind: "dense", wStd: 1.2, bStd: null, param: "ntk", out: 8 },
    { kind: "act", act: reluDual() },
  ]);
  const sum = {
    ...base,
    nngp: base.nngp.map((v, i) => v + br.nngp[i]),
    ntk: base.ntk.map((v, i) => v + br.ntk[i]),
    c1: base.c1.map((v, i) => v + br.c1[i]),
    c2: base.c2.map((v, i) => v + br.c2[i]),
  };
  const want = refKernel(sum, [{ kind: "dense", wStd: 1, bStd: null, param: "ntk", out: 2 }]);
  closeScaled(await k.nngp.read(), want.nngp, 2e-5, "residual nngp");
  closeScaled(await k.ntk!.read(), want.ntk, 2e-5, "residual ntk");
  // concat of widths 4 (wStd 2) and 12 (wStd 1): weights 1/4, 3/4
  const cat = stax.serial(
    stax.fanOut(2),
    stax.parallel(stax.dense(4, { wStd: 2 }), stax.dense(12)),
    stax.fanInConcat(),
  );
  const kc = cat.kernel(x1, x2);
  const inp = refInput(x1h, x2h, d);
  closeScaled(
    await kc.nngp.read(),
    inp.nngp.map((v) => 0.25 * 4 * v + 0.75 * v),
    2e-5,
    "concat nngp",
  );
  assert.deepEqual(cat.outputShape([d]), [16]);
});

Deno.test("diagonal mode equals the diagonal of the full kernel", async () => {
  const n = stax.serial(
    stax.dense(32, { wStd: 1.4, bStd: 0.1 }),
    stax.erf(),
    stax.dense(32),
    stax.gelu(),
    stax.dense(1),
  );
  const full = n.kernel(x2);
  const diag = n.kernel(x2, null, { diagonal: true });
  assert.deepEqual(diag.nngp.shape, [n2]);
  const [f, dg, ft, dt] = await Promise.all([
    full.nngp.read(),
    diag.nngp.read(),
    full.ntk!.read(),
    diag.ntk!.read(),
  ]);
  closeScaled(dg, Array.from({ length: n2 }, (_, i) => f[i * n2 + i]), 1e-6, "diag nngp");
  closeScaled(dt, Array.from({ length: n2 }, (_, i) => ft[i * n2 + i]), 1e-6, "diag ntk");
});

Deno.test("get: 'nngp' skips the NTK; batched and host-streamed kernels equal the one-shot kernel", async () => {
  const n = stax.serial(
    stax.dense(16, { bStd: 0.2 }),
    stax.relu(),
    stax.dense(16),
    stax.relu(),
    stax.dense(1),
  );
  assert.equal(n.kernel(x1, x2, { get: "nngp" }).ntk, null);
  const one = n.kernel(x2, x1);
  const oneN = await one.nngp.read(), oneT = await one.ntk!.read();
  // fused chain writes straight into the output blocks
  const b = stax.kernelBatched(n, x2, x1, { blockSize: 4 });
  closeScaled(await b.nngp.read(), oneN, 1e-6, "batched nngp");
  closeScaled(await b.ntk!.read(), oneT, 1e-6, "batched ntk");
  // a non-fusable net (fan-in) goes through kernelFn + copy
  const res = stax.serial(stax.fanOut(2), stax.parallel(n, n), stax.fanInSum());
  const rb = stax.kernelBatched(res, x2, x1, { blockSize: 3 });
  closeScaled(await rb.nngp.read(), oneN.map((v) => 2 * v), 1e-6, "batched residual");
  const h = await stax.kernelToHost(n, x2, x1, { blockSize: 4 });
  closeScaled(h.ntk!, oneT, 1e-6, "host-streamed ntk");
  // k(x, x): upper blocks computed, lower ones mirrored (uneven blocks, partial 16x16 tiles)
  const xs = tensor(randn(5, 37 * d), { shape: [37, d] });
  const full = n.kernel(xs);
  const sym = stax.kernelBatched(n, xs, null, { blockSize: 16 });
  closeScaled(await sym.nngp.read(), await full.nngp.read(), 1e-6, "symmetric batched nngp");
  closeScaled(await sym.ntk!.read(), await full.ntk!.read(), 1e-6, "symmetric batched ntk");
  const bd = stax.kernelBatched(n, x2, null, { blockSize: 4, diagonal: true });
  const dd = n.kernel(x2, null, { diagonal: true });
  closeScaled(await bd.nngp.read(), await dd.nngp.read(), 1e-6, "batched diagonal");
});

Deno.test("numerical (quadrature) kernels on the GPU match closed forms", async () => {
  const erfQ = stax.elementwiseNumerical({
    name: "erf_q",
    f: erfDual().f,
    wgslF: "gs_erf(x)",
    apply: (x) => x,
    degree: 32,
  });
  const tanhQ = stax.elementwiseNumerical({
    name: "tanh_q",
    f: Math.tanh,
    df: (x) => 1 - Math.tanh(x) ** 2,
    wgslF: "tanh(x)",
    wgslDf: "1.0 - tanh(x) * tanh(x)",
    apply: tanh,
    degree: 24,
  });
  const a = stax.serial(stax.dense(8, { wStd: 1.3 }), erfQ, stax.dense(1)).kernel(x1, x2);
  const b = stax.serial(stax.dense(8, { wStd: 1.3 }), stax.erf(), stax.dense(1)).kernel(x1, x2);
  // 32-node quadrature of an f32 erf with a finite-difference derivative, at correlations up to
  // |rho| ~ 0.97 (entry 36): quadrature error dominates (~1e-4 NNGP, ~1e-3 NTK)
  closeScaled(await a.nngp.read(), await b.nngp.read(), 5e-4, "quadrature erf nngp");
  closeScaled(await a.ntk!.read(), await b.ntk!.read(), 2e-3, "quadrature erf ntk");
  // GPU quadrature vs the same quadrature in f64 on the host
  const tq = stax.serial(stax.dense(8, { wStd: 1.3 }), tanhQ).kernel(x1, x2);
  const r = refKernel(refInput(x1h, x2h, d), [
    { kind: "dense", wStd: 1.3, bStd: null, param: "ntk", out: 8 },
    {
      kind: "act",
      act: stax.numericalDual({
        name: "t",
        f: Math.tanh,
        df: (x) => 1 - Math.tanh(x) ** 2,
        wgslF: "x",
        apply: tanh,
        degree: 24,
      }),
    },
  ]);
  closeScaled(await tq.nngp.read(), r.nngp, 2e-5, "tanh quadrature");
  closeScaled(await tq.ntk!.read(), r.ntk, 2e-5, "tanh quadrature ntk");
});

Deno.test("long chains split across dispatches (56 parameter floats per pass)", async () => {
  const layers: Case[] = [];
  for (let i = 0; i < 12; i++) {
    layers.push(D(8, 1.1, 0.1, "standard"), A(stax.erf(1, 0.5, 0), erfDual(1, 0.5, 0)));
  }
  await check(net(...layers), "24-layer chain", 1e-4);
});

Deno.test("kernel intermediates are freed (pool in-use count returns to baseline)", () => {
  const n = stax.serial(
    stax.dense(16),
    stax.relu(),
    stax.fanOut(2),
    stax.parallel(stax.dense(4), stax.dense(4)),
    stax.fanInConcat(),
    stax.erf(),
    stax.dense(1),
  );
  const before = runtime().pool.stats().inUseBuffers;
  const k = n.kernel(x1, x2);
  stax.disposeKernel(k);
  assert.equal(runtime().pool.stats().inUseBuffers, before);
});

Deno.test("bad inputs throw typed errors naming the problem", () => {
  assert.throws(() => stax.dense(0), InvalidArgumentError);
  assert.throws(() => stax.dense(4, { wStd: -1 }), /wStd/);
  assert.throws(() => stax.dense(4, { parameterization: "mup" as "ntk" }), /parameterization/);
  assert.throws(() => stax.relu().kernel(x1, x2, { get: "all" as "nngp" }), /get must be/);
  assert.throws(() => stax.relu().kernel(tensor([1, 2, 3])), ShapeError);
  assert.throws(() => stax.relu().kernel(x1, tensor([[1, 2]])), ShapeError);
  assert.throws(() => stax.relu().kernel(x1, x2, { diagonal: true }), /x2 = null/);
  assert.throws(() => stax.fanOut(2).kernel(x1), /fanInSum/);
  assert.throws(
    () => stax.serial(stax.fanOut(2), stax.parallel(stax.relu())).kernel(x1),
    /list of 1/,
  );
  assert.throws(() => stax.dropout(0.5, "train" as "test"), /only "test"/);
  assert.throws(() => stax.kernelBatched(stax.relu(), x1, null, { blockSize: 0 }), /blockSize/);
});
