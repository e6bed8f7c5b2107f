import assert from "node:assert/strict";
import {
  full,
  hvp,
  mul,
  random,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  vjp,
} from "../../src/gpu/mod.ts";
import { normalLike } from "../../src/bnn/chain_params.ts";
import { standardTarget } from "../../src/bnn/log_density.ts";
import { activate, denseAct, denseNtk } from "../../src/bnn/models/dense.ts";
import { fcNet } from "../../src/bnn/models/fc.ts";
import { readout, readoutFeatures } from "../../src/bnn/models/model.ts";
import { readoutNll } from "../../src/bnn/models/readout_nll.ts";
import { resNet } from "../../src/bnn/models/resnet.ts";
import { energyPartials, kick } from "../../src/bnn/samplers/fused_updates.ts";
import { hmc } from "../../src/bnn/samplers/hmc.ts";
import {
  kickDriftLeaves,
  kickEnergyLeaves,
  metropolisKey,
  selectLeaves,
  setLeafBufferLimit,
} from "../../src/bnn/samplers/leaf_fused.ts";
import { langevin } from "../../src/bnn/samplers/langevin.ts";
import { potentialTarget } from "../../src/bnn/target.ts";
import { GradError, InvalidArgumentError, ShapeError } from "../../src/errors.ts";
import { assertClose } from "../_util.ts";

const f32 = async (t: Tensor) => (await t.read()) as Float32Array;
const scaleOf = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
async function close(a: Tensor, b: Tensor, rtol: number, what: string) {
  const x = await f32(a), y = await f32(b);
  assertClose(x, y, { rtol, atol: rtol * scaleOf(y) }, what);
}

Deno.test("denseAct matches the unfused layer: values and gradients (all activations, shared and per-chain h)", async () => {
  for (const act of ["gelu", "relu", "erf", "identity"] as const) {
    for (const perChain of [false, true]) {
      const C = 3, n = 7, fanIn = 5, W = 70; // W > 64: two column blocks in the backward kernel
      const h = random.normal(random.key(1), perChain ? [C, n, fanIn] : [n, fanIn]);
      const w = random.normal(random.key(2), [C, fanIn, W]);
      const b = random.normal(random.key(3), [C, 1, W]);
      const ct = random.normal(random.key(4), [C, n, W]);
      const unfused = (p: { h: Tensor; w: Tensor; b: Tensor }) => {
        const z = denseNtk(p.h, p.w, p.b, 1.3, 0.2);
        return act === "identity" ? z : activate(act, z);
      };
      const fused = (p: { h: Tensor; w: Tensor; b: Tensor }) =>
        denseAct(p.h, p.w, p.b, 1.3, 0.2, act);
      const [y0, g0] = vjp(unfused, { h, w, b }, ct);
      const [y1, g1] = vjp(fused, { h, w, b }, ct);
      const tag = `${act}, ${perChain ? "per-chain" : "shared"} h`;
      await close(y1, y0, 1e-5, `${tag}: value`);
      await close(g1.w, g0.w, 1e-5, `${tag}: dW`);
      await close(g1.b, g0.b, 1e-5, `${tag}: db`);
      await close(g1.h, g0.h, 1e-5, `${tag}: dh`);
    }
  }
});

Deno.test("denseAct: shape errors name the shapes; grad of grad throws", () => {
  const w = random.normal(random.key(0), [2, 3, 4]);
  assert.throws(
    () => denseAct(random.normal(random.key(1), [5, 2]), w, full([2, 1, 4], 0), 1, 1, "relu"),
    (e: Error) => e instanceof ShapeError && /h \[5, 2\], w \[2, 3, 4\]/.test(e.message),
  );
  assert.throws(
    () => denseAct(full([5, 3], 1), w, full([2, 4], 0), 1, 1, "relu"),
    ShapeError,
  );
  const x = full([5, 3], 1), b = full([2, 1, 4], 0);
  assert.throws(
    () => hvp((ww: Tensor) => sum(denseAct(x, ww, b, 1, 1, "gelu")), w, w),
    GradError,
  );
});

Deno.test("readoutNll matches features + readout + squared residual: values and gradients", async () => {
  for (const [k, bOut] of [[1, 0.1], [3, 0], [10, 0.7]] as const) {
    const C = 2, n = 9, W = 33;
    const g = random.normal(random.key(10 + k), [C, n, W]);
    const th = random.normal(random.key(20 + k), [C, W + 1, k]);
    const y = random.normal(random.key(30 + k), [n, k]);
    const s = { wStdOut: 1.3, bStdOut: bOut, noiseStd: 0.4 };
    const ct = tensor([0.7, -1.9]);
    const unfused = (p: { g: Tensor; th: Tensor }) => {
      const r = sub(readout(readoutFeatures(p.g, s.wStdOut, s.bStdOut), p.th), y);
      return mul(sum(square(r), [1, 2]), 1 / (2 * s.noiseStd ** 2));
    };
    const [u0, d0] = vjp(unfused, { g, th }, ct);
    const [u1, d1] = vjp((p: typeof d0) => readoutNll(p.g, p.th, y, s), { g, th }, ct);
    await close(u1, u0, 1e-5, `k ${k}: nll`);
    await close(d1.g, d0.g, 1e-5, `k ${k}: dg`);
    await close(d1.th, d0.th, 1e-5, `k ${k}: dtheta`);
  }
  const g = full([1, 2, 3], 1);
  assert.throws(
    () =>
      readoutNll(g, full([1, 3, 1], 1), full([2, 1], 0), { wStdOut: 1, bStdOut: 0, noiseStd: 1 }),
    (e: Error) => e instanceof ShapeError && /theta \[1, 3, 1\]/.test(e.message),
  );
  assert.throws(
    () =>
      readoutNll(g, full([1, 4, 1], 1), full([2, 1], 0), { wStdOut: 1, bStdOut: 0, noiseStd: 0 }),
    (e: Error) => e instanceof InvalidArgumentError && /noiseStd/.test(e.message),
  );
});

Deno.test("fused standard targets (fc depth 2, resnet) match the unfused model path", async () => {
  const x = random.normal(random.key(5), [6, 4]), y = random.normal(random.key(6), [6, 2]);
  for (
    const net of [
      fcNet({ inputDim: 4, width: 9, depth: 2, outputDim: 2 }),
      resNet({ inputDim: 4, width: 8, outputDim: 2 }),
    ]
  ) {
    const q = net.init(random.key(7), 3);
    const fused = standardTarget(net, { x, y }, 0.3).evaluate(q);
    const plain = potentialTarget((p) => {
      const r = sub(net.apply(p, x), y);
      return mul(sum(square(r), [1, 2]), 1 / (2 * 0.09));
    }).evaluate(q);
    await close(fused.u, plain.u, 1e-5, `${net.kind}: u`);
    for (const name of Object.keys(q)) {
      await close(fused.grad[name], plain.grad[name], 2e-5, `${net.kind}: grad ${name}`);
    }
  }
});

Deno.test("fc standard target gradient matches central finite differences of the fused energy", async () => {
  const net = fcNet({ inputDim: 3, width: 6, outputDim: 2 });
  const x = random.normal(random.key(8), [5, 3]), y = random.normal(random.key(9), [5, 2]);
  const t = standardTarget(net, { x, y }, 1);
  const q = net.init(random.key(10), 1);
  const g = t.evaluate(q).grad;
  const h = 1e-2;
  for (const name of ["w0", "b0", "readout"]) {
    const base = await f32(q[name]);
    const want = await f32(g[name]);
    for (const idx of [0, base.length - 1]) {
      const u = async (d: number) => {
        const v = base.slice();
        v[idx] += d;
        const qq = { ...q, [name]: tensor(v, { shape: q[name].shape }) };
        return (await f32(t.evaluate(qq).u))[0];
      };
      const fd = (await u(h) - await u(-h)) / (2 * h);
      assert.ok(
        Math.abs(fd - want[idx]) < 2e-3 * (1 + Math.abs(fd)),
        `${name}[${idx}]: fd ${fd} vs grad ${want[idx]}`,
      );
    }
  }
});

Deno.test("leaf-fused updates: in-kernel draws equal normalLike/uniform; one or many groups agree", async () => {
  const C = 4;
  const shapes = [[C, 3, 5], [C, 1, 5], [C, 6, 2]];
  const q = shapes.map((s, i) => random.normal(random.key(40 + i), s));
  const g = shapes.map((s, i) => random.normal(random.key(50 + i), s));
  const eps = tensor([0.1, 0.2, 0.05, 0.3]);
  // a = 0, b = 1: p0 is the fresh draw; names in non-sorted order as hmc passes them
  const names = ["w0", "b0", "readout"];
  const kp = random.key(77);
  const xi = normalLike(kp, { w0: q[0], b0: q[1], readout: q[2] });
  const sorted = [...names].sort(), sub = random.split(kp, 3);
  const keys = names.map((n) => sub[sorted.indexOf(n)]);
  const r = kickDriftLeaves(q, null, g, eps, true, { keys, a: 0, b: 1 });
  for (let l = 0; l < 3; l++) {
    assertClose(
      await f32(r.p0![l]),
      await f32(xi[names[l]]),
      { rtol: 1e-6, atol: 1e-6 },
      `xi ${l}`,
    );
  }
  // kick + energy against the per-leaf kernels
  const ke = kickEnergyLeaves(r.pHalf, g, r.q1, r.p0!, q, eps, true);
  let cols = 0;
  const refCols = [1, 1, 1];
  const part = full([C, 3], 0);
  for (let l = 0; l < 3; l++) {
    const p1 = kick(r.pHalf[l], g[l], r.q1[l], eps, true);
    assertClose(await f32(ke.p1[l]), await f32(p1), { rtol: 1e-6, atol: 1e-6 }, `p1 ${l}`);
    energyPartials(part, cols, p1, r.p0![l], r.q1[l], q[l]);
    cols += refCols[l];
  }
  assertClose(await f32(ke.partials), await f32(part), { rtol: 1e-5, atol: 1e-6 }, "partials");
  // uniforms drawn in the kernel: accept iff uniform < exp(-dH)
  const dh = tensor([0.1, 0.5, 1, 2]);
  const mh = metropolisKey(full([C, 1], 0), dh, full([C], 0), random.key(3));
  const unif = await f32(random.uniform(random.key(3), [C]));
  const acc = await f32(mh.accepted);
  for (let c = 0; c < C; c++) {
    assert.equal(acc[c], unif[c] < Math.exp(-[0.1, 0.5, 1, 2][c]) ? 1 : 0, `decision ${c}`);
  }
  // selectLeaves: the fused select, and null when 10 buffers do not fit
  const sel = selectLeaves(tensor([1, 0, 0, 1]), ke.p1, q, g, q, ke.p1, r.p0!)!;
  const p1h = await f32(ke.p1[0]), p0h = await f32(r.p0![0]), qh = await f32(q[0]);
  const sq = await f32(sel.q[0]), sp = await f32(sel.p[0]);
  for (let i = 0; i < 15; i++) {
    assert.equal(sq[i], p1h[i]); // chain 0 accepted
    assert.equal(sq[15 + i], qh[15 + i]); // chain 1 rejected
    assert.equal(sp[15 + i], -p0h[15 + i]);
  }
  const old = setLeafBufferLimit(8);
  try {
    assert.equal(selectLeaves(tensor([1, 0, 0, 1]), q, q, q, q, q, q), null);
    // one leaf per dispatch gives the same numbers
    const r8 = kickDriftLeaves(q, null, g, eps, true, { keys, a: 0, b: 1 });
    const k8 = kickEnergyLeaves(r8.pHalf, g, r8.q1, r8.p0!, q, eps, true);
    for (let l = 0; l < 3; l++) {
      assert.deepEqual(await f32(r8.q1[l]), await f32(r.q1[l]));
      assert.deepEqual(await f32(k8.p1[l]), await f32(ke.p1[l]));
    }
    assert.deepEqual(await f32(k8.partials), await f32(ke.partials));
  } finally {
    setLeafBufferLimit(old);
  }
  assert.throws(() => setLeafBufferLimit(0), InvalidArgumentError);
  assert.throws(() => kickDriftLeaves(q, null, g, eps, true), InvalidArgumentError);
  assert.throws(() => kickDriftLeaves(q, q, [g[0], g[1], q[0]], eps, true), ShapeError);
});

Deno.test("an HMC/Langevin step is the same with fused and per-leaf select (buffer limit 8)", async () => {
  const net = fcNet({ inputDim: 3, width: 5, outputDim: 2 });
  const data = { x: random.normal(random.key(1), [4, 3]), y: random.normal(random.key(2), [4, 2]) };
  const t = standardTarget(net, data, 0.5);
  for (const s of [hmc({ leapfrogSteps: 3 }), langevin({ refresh: 0.3 })]) {
    const st = s.init(t, net.init(random.key(3), 3), random.key(4));
    const eps = full([3], 0.01);
    const a = s.step(t, st, random.key(5), eps);
    const old = setLeafBufferLimit(8);
    try {
      const b = s.step(t, st, random.key(5), eps);
      assert.deepEqual(await f32(b.accepted), await f32(a.accepted));
      for (const n of Object.keys(st.q)) {
        assert.deepEqual(await f32(b.state.q[n]), await f32(a.state.q[n]), `${s.name} q ${n}`);
        assert.deepEqual(await f32(b.state.p![n]), await f32(a.state.p![n]), `${s.name} p ${n}`);
      }
    } finally {
      setLeafBufferLimit(old);
    }
  }
});
