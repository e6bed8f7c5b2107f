import assert from "node:assert/strict";
import { broadcastTo, random, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { negLogPosterior, standardTarget } from "../../src/bnn/log_density.ts";
import { fcNet } from "../../src/bnn/models/fc.ts";
import { resNet } from "../../src/bnn/models/resnet.ts";
import type { BnnModel } from "../../src/bnn/models/model.ts";
import {
  repriorEnergy,
  repriorLogJacobian,
  repriorMap,
  repriorTarget,
  repriorTargetEnergy,
} from "../../src/bnn/reprior.ts";
import {
  cholesky64,
  logdet64,
  matmul64,
  normals,
  spdSolve64,
  transpose64,
  triSolve64,
} from "./_ref.ts";

const f64 = async (t: Tensor) => Float64Array.from((await t.read()) as Float32Array);

/** Host f64 FC forward (gelu) of one chain: readout features Phi [n, w+1]. */
function embedHost(
  p: Record<string, Float64Array>,
  x: Float64Array,
  n: number,
  din: number,
  w: number,
  depth: number,
): Float64Array {
  const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
  let h = x, fan = din;
  for (let l = 0; l < depth; l++) {
    const z = matmul64(h, p[`w${l}`], n, fan, w);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < w; j++) {
        z[i * w + j] = gelu(z[i * w + j] * Math.SQRT2 / Math.sqrt(fan) + 0.1 * p[`b${l}`][j]);
      }
    }
    h = z;
    fan = w;
  }
  const phi = new Float64Array(n * (w + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < w; j++) phi[i * (w + 1) + j] = h[i * w + j] / Math.sqrt(w);
    phi[i * (w + 1) + w] = 0.1;
  }
  return phi;
}

/** erf in f64 (Abramowitz-Stegun 7.1.26 is too coarse; use the series/continued fraction). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = a, s = a;
    for (let k = 1; k < 100; k++) {
      term *= -a * a / k;
      s += term / (2 * k + 1);
    }
    return Math.sign(x) * 2 / Math.sqrt(Math.PI) * s;
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + (k / 2) / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

/** Host f64: theta_L and the repriorised energy -log p(theta(phi)|y) - log|J| for one chain. */
function repriorHost(
  p: Record<string, Float64Array>,
  x: Float64Array,
  y: Float64Array,
  dims: { n: number; din: number; w: number; k: number; depth: number },
  s2: number,
  lambda: number,
): { theta: Float64Array; energy: number } {
  const { n, din, w, k, depth } = dims;
  const d = w + 1;
  const phi = embedHost(p, x, n, din, w, depth);
  const phiT = transpose64(phi, n, d);
  const a = matmul64(phiT, phi, d, n, d);
  for (let i = 0; i < d; i++) a[i * d + i] += lambda;
  const l = cholesky64(a, d);
  const b = matmul64(phiT, y, d, n, k);
  const z = triSolve64(l, b, d, k).map((v, i) => v + Math.sqrt(lambda) * p.readout[i]);
  const theta = triSolve64(l, z, d, k, true);
  const f = matmul64(phi, theta, n, d, k);
  let e = 0;
  for (const [name, v] of Object.entries(p)) {
    for (const t of name === "readout" ? theta : v) e += t * t / 2;
  }
  for (let i = 0; i < n * k; i++) e += (y[i] - f[i]) ** 2 / (2 * s2);
  const logJ = k * (d / 2 * Math.log(lambda) - logdet64(a, d) / 2);
  return { theta, energy: e - logJ };
}

async function chainParams(q: Record<string, Tensor>, c: number) {
  const out: Record<string, Float64Array> = {};
  for (const [k, t] of Object.entries(q)) {
    const all = await f64(t);
    const per = t.size / t.shape[0];
    out[k] = all.slice(c * per, (c + 1) * per);
  }
  return out;
}

function problem(n: number, din: number, k: number, seed: number) {
  const z = normals(seed);
  const x = Float64Array.from({ length: n * din }, z);
  const y = Float64Array.from({ length: n * k }, () => (z() > 0 ? 0.9 : -0.1));
  return {
    x,
    y,
    data: {
      x: tensor(Float32Array.from(x), { shape: [n, din] }),
      y: tensor(Float32Array.from(y), { shape: [n, k] }),
    },
  };
}

Deno.test("repriorised energy = -log posterior(theta(phi)) - log|J| (f64 host), map matches", async () => {
  const n = 6, din = 3, k = 2, C = 3, sigma = 0.3;
  const { x, y, data } = problem(n, din, k, 1);
  for (const w of [4, 9]) { // d = 5 < n (weight-space Cholesky) and d = 10 > n (data space)
    const net = fcNet({ inputDim: din, width: w, outputDim: k });
    const q = net.init(random.key(w), C);
    for (const lambda of [sigma * sigma, 0.5]) {
      const [eg, eTarget, theta] = await Promise.all([
        f64(repriorEnergy(net, q, data, sigma, { lambda })),
        f64(repriorTargetEnergy(net, q, data, sigma)),
        f64(repriorMap(net, q, data, sigma, { lambda }).readout),
      ]);
      for (let c = 0; c < C; c++) {
        const p = await chainParams(q, c);
        const host = repriorHost(p, x, y, { n, din, w, k, depth: 1 }, sigma * sigma, lambda);
        const tol = 2e-5 * Math.abs(host.energy) + 1e-3;
        assert.ok(
          Math.abs(eg[c] - host.energy) < tol,
          `w${w} l${lambda}: ${eg[c]} vs ${host.energy}`,
        );
        if (lambda === sigma * sigma) {
          assert.ok(Math.abs(eTarget[c] - host.energy) < tol, `target energy w${w}: ${eTarget[c]}`);
        }
        const d = w + 1;
        for (let i = 0; i < d * k; i++) {
          assert.ok(
            Math.abs(theta[c * d * k + i] - host.theta[i]) < 1e-4 * (1 + Math.abs(host.theta[i])),
          );
        }
      }
    }
  }
});

Deno.test("repriorised target gradient matches f64 finite differences (both Gram spaces)", async () => {
  const n = 6, din = 3, k = 2, sigma = 0.3;
  const { x, y, data } = problem(n, din, k, 2);
  for (const w of [4, 9]) {
    const net = fcNet({ inputDim: din, width: w, outputDim: k });
    const q = net.init(random.key(100 + w), 1);
    const { grad } = repriorTarget(net, data, sigma).evaluate(q);
    const p = await chainParams(q, 0);
    const energy = (pp: Record<string, Float64Array>) =>
      repriorHost(pp, x, y, { n, din, w, k, depth: 1 }, sigma * sigma, sigma * sigma).energy;
    for (const name of ["w0", "b0", "readout"]) {
      const g = await f64(grad[name]);
      for (const i of [0, 3, p[name].length - 1]) {
        const h = 1e-5;
        const pp = { ...p, [name]: Float64Array.from(p[name]) };
        pp[name][i] += h;
        const ep = energy(pp);
        pp[name][i] -= 2 * h;
        const em = energy(pp);
        // the target returns V = U - |q|^2/2: subtract the prior's derivative q_i
        const fd = (ep - em) / (2 * h) - p[name][i];
        assert.ok(
          Math.abs(g[i] - fd) < 2e-3 * (1 + Math.abs(fd)),
          `w${w} ${name}[${i}]: ${g[i]} vs ${fd}`,
        );
      }
    }
    assert.deepEqual(Array.from(await f64(grad.readout)).every((v) => v === 0), true);
  }
});

Deno.test("frozen inner layers: N(0, I) through the map is the Bayesian linear-regression posterior", async () => {
  // 4096 chains share one set of inner weights; phi_L ~ N(0, I). theta_L must be
  // N(A^-1 Phi^T y, sigma^2 A^-1) with A = Phi^T Phi + sigma^2 I (z-scores, exact iid draws).
  const n = 8, din = 3, k = 1, w = 5, C = 4096, sigma = 0.2;
  const { x, y, data } = problem(n, din, k, 3);
  const net = fcNet({ inputDim: din, width: w, outputDim: k });
  const one = net.init(random.key(7), 1);
  const q: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(one)) q[name] = broadcastTo(t, [C, ...t.shape.slice(1)]);
  q.readout = random.normal(random.key(8), [C, w + 1, k]);
  const theta = await f64(repriorMap(net, q, data, sigma).readout);
  const p = await chainParams(one, 0);
  const d = w + 1;
  const phi = embedHost(p, x, n, din, w, 1);
  const phiT = transpose64(phi, n, d);
  const a = matmul64(phiT, phi, d, n, d);
  for (let i = 0; i < d; i++) a[i * d + i] += sigma * sigma;
  const mu = spdSolve64(a, matmul64(phiT, y, d, n, k), d, k);
  const eye = new Float64Array(d * d).map((_, i) => (i % (d + 1) === 0 ? 1 : 0));
  const cov = spdSolve64(a, eye, d, d).map((v) => v * sigma * sigma);
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += theta[c * d + i] / C;
    const zMean = (m - mu[i]) / Math.sqrt(cov[i * d + i] / C);
    assert.ok(Math.abs(zMean) < 4, `mean[${i}] z = ${zMean}`);
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (theta[c * d + i] - mu[i]) * (theta[c * d + j] - mu[j]) / C;
      // se of a sample covariance of Gaussians: sqrt((S_ii S_jj + S_ij^2) / C)
      const se = Math.sqrt((cov[i * d + i] * cov[j * d + j] + cov[i * d + j] ** 2) / C);
      assert.ok(Math.abs(s - cov[i * d + j]) < 4 * se, `cov[${i},${j}] ${s} vs ${cov[i * d + j]}`);
    }
  }
});

Deno.test("log-Jacobian and standard target: values and gradient against the host", async () => {
  const n = 5, din = 2, k = 1, w = 3, sigma = 0.5;
  const { x, y, data } = problem(n, din, k, 4);
  const net = fcNet({ inputDim: din, width: w, outputDim: k });
  const q = net.init(random.key(9), 2);
  const lj = await f64(repriorLogJacobian(net, q, data, sigma, { lambda: 0.7 }));
  const nlp = await f64(negLogPosterior(net, q, data, sigma));
  const { u, grad } = standardTarget(net, data, sigma).evaluate(q);
  const uu = await f64(u);
  for (let c = 0; c < 2; c++) {
    const p = await chainParams(q, c);
    const phi = embedHost(p, x, n, din, w, 1);
    const a = matmul64(transpose64(phi, n, w + 1), phi, w + 1, n, w + 1);
    for (let i = 0; i <= w; i++) a[i * (w + 1) + i] += 0.7;
    const want = k * ((w + 1) / 2 * Math.log(0.7) - logdet64(a, w + 1) / 2);
    assert.ok(Math.abs(lj[c] - want) < 1e-4, `logJ ${lj[c]} vs ${want}`);
    const f = matmul64(phi, p.readout, n, w + 1, k);
    let nll = 0;
    for (let i = 0; i < n * k; i++) nll += (y[i] - f[i]) ** 2 / (2 * sigma * sigma);
    let prior = 0;
    for (const v of Object.values(p)) for (const t of v) prior += t * t / 2;
    assert.ok(Math.abs(uu[c] - nll) < 1e-4 * (1 + nll), `nll ${uu[c]} vs ${nll}`);
    assert.ok(Math.abs(nlp[c] - nll - prior) < 1e-4 * (1 + nll + prior));
  }
  // dV/dreadout = -Phi^T (y - f) / sigma^2 for chain 0
  const p = await chainParams(q, 0);
  const phi = embedHost(p, x, n, din, w, 1);
  const f = matmul64(phi, p.readout, n, w + 1, k);
  const r = f.map((v, i) => (y[i] - v) / (sigma * sigma));
  const gw = matmul64(transpose64(phi, n, w + 1), r, w + 1, n, k).map((v) => -v);
  const g = await f64(grad.readout);
  for (let i = 0; i < w + 1; i++) assert.ok(Math.abs(g[i] - gw[i]) < 1e-4 * (1 + Math.abs(gw[i])));
});

Deno.test("the tiled map agrees with the df64 workgroup map", async () => {
  const { data } = problem(12, 3, 2, 6);
  const net = fcNet({ inputDim: 3, width: 20, outputDim: 2 });
  const q = net.init(random.key(4), 2);
  const a = await f64(repriorMap(net, q, data, 0.3, { mapMethod: "workgroup" }).readout);
  const b = await f64(repriorMap(net, q, data, 0.3, { mapMethod: "tiled" }).readout);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-4 * (1 + Math.abs(a[i])));
});

Deno.test("residual net: repriorised energy equals the general-lambda energy at sigma^2", async () => {
  const { data } = problem(6, 3, 2, 5);
  const net: BnnModel = resNet({ inputDim: 3, width: 7, blocks: 2, outputDim: 2 });
  const q = net.init(random.key(3), 2);
  const a = await f64(repriorTargetEnergy(net, q, data, 0.2));
  const b = await f64(repriorEnergy(net, q, data, 0.2));
  for (let c = 0; c < 2; c++) assert.ok(Math.abs(a[c] - b[c]) < 1e-4 * Math.abs(b[c]) + 1e-3);
  const g = repriorTarget(net, data, 0.2).evaluate(q).grad;
  assert.deepEqual(g.blk2_w2.shape, [2, 7, 7]);
});
