/**
 * Monte Carlo checks of the global C maps that DKS and TAT shape, with wide random networks of
 * i.i.d. Gaussian weights N(0, 1/fanIn) on two inputs with q = 1 and cosine c0: residual
 * networks with a DKS activation (one with projection shortcuts W_p phi(h) and the V2 final
 * activation), and a leaky-ReLU chain with the TAT activation (C_f(0) = eta).
 *
 * The networks are simulated exactly, unit by unit, on the host: given a layer's two activation
 * vectors a, b of width m, the next pre-activations (W a, W b) of each output unit are, over the
 * fresh weights W, i.i.d. bivariate normal with covariance G = [a.a, a.b; a.b, b.b] / m and
 * independent of everything before (the shortcut too; a projection shortcut's fresh weights give
 * it its own independent draw from the Gram of phi(h)). Drawing them from G is the same random
 * network as multiplying by an m x n Gaussian matrix, in O(n) instead of O(m n), so the width
 * can be 50,000: the output cosine of one network then fluctuates by ~1 / sqrt(n) ~ 0.005.
 */
import assert from "node:assert/strict";
import {
  dksTransform,
  globalCMap,
  type ResidualArchitecture,
  residualGlobalCMap,
  residualMaxSlope,
  tatTransform,
} from "../../src/kernels_inf/dks/mod.ts";
import { type HostRng, hostRng } from "../../src/nn/host_rng.ts";

/** Fills (u, v) with n i.i.d. draws of N(0, [[g11, g12], [g12, g22]]) (2x2 Cholesky). */
function drawPair(
  u: Float64Array,
  v: Float64Array,
  g11: number,
  g12: number,
  g22: number,
  rng: HostRng,
) {
  const l11 = Math.sqrt(g11), l21 = g12 / l11, l22 = Math.sqrt(Math.max(0, g22 - l21 * l21));
  for (let i = 0; i < u.length; i++) {
    const z1 = rng.normal(), z2 = rng.normal();
    u[i] = l11 * z1;
    v[i] = l21 * z1 + l22 * z2;
  }
}

/** The Gram entries [a.a, a.b, b.b] / n of (phi(x), phi(y)): the next layer's covariance. */
function activatedGram(phi: (x: number) => number, x: Float64Array, y: Float64Array): number[] {
  let g11 = 0, g12 = 0, g22 = 0;
  for (let i = 0; i < x.length; i++) {
    const a = phi(x[i]), c = phi(y[i]);
    g11 += a * a;
    g12 += a * c;
    g22 += c * c;
  }
  return [g11 / x.length, g12 / x.length, g22 / x.length];
}

/** Output cosine of one random residual network of width n (see the module doc). */
function networkCosine(
  phi: (x: number) => number,
  arch: ResidualArchitecture,
  c0: number,
  n: number,
  rng: HostRng,
): number {
  const ws = arch.shortcutWeight, wr = Math.sqrt(1 - ws * ws);
  const u = new Float64Array(n), v = new Float64Array(n);
  drawPair(u, v, 1, c0, 1, rng); // input layer: the inputs' Gram / dim is [[1, c0], [c0, 1]]
  const bu = new Float64Array(n), bv = new Float64Array(n);
  for (let b = 0; b < arch.blocks; b++) {
    bu.set(u);
    bv.set(v);
    for (let l = 0; l < arch.branchDepth; l++) {
      const [g11, g12, g22] = activatedGram(phi, bu, bv);
      drawPair(bu, bv, g11, g12, g22, rng);
    }
    if (arch.projectionBlocks?.includes(b)) {
      // The shortcut W_p phi(h): a dense layer of its own on the block's activated input.
      const [g11, g12, g22] = activatedGram(phi, u, v);
      drawPair(u, v, g11, g12, g22, rng);
    }
    for (let i = 0; i < n; i++) {
      u[i] = ws * u[i] + wr * bu[i];
      v[i] = ws * v[i] + wr * bv[i];
    }
  }
  if (arch.finalActivation) {
    for (let i = 0; i < n; i++) {
      u[i] = phi(u[i]);
      v[i] = phi(v[i]);
    }
  }
  let uu = 0, uv = 0, vv = 0;
  for (let i = 0; i < n; i++) {
    uu += u[i] * u[i];
    uv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  return uv / Math.sqrt(uu * vv);
}

const WIDTH = 50_000, NETWORKS = 8;

/**
 * Mean output cosine over NETWORKS networks against the prediction, within 5 standard errors
 * plus 1e-3 for the O(1/n) finite-width bias; and that this tolerance is far smaller than the
 * distance between the prediction and the input cosine (so the check can fail). Each of `wrong`
 * (predictions of other networks) must miss the Monte Carlo mean by over three times the
 * tolerance: the check would have caught that mistake.
 */
function checkCosine(
  phi: (x: number) => number,
  arch: ResidualArchitecture,
  c0: number,
  predicted: number,
  seed: number,
  wrong: Record<string, number> = {},
): void {
  const rng = hostRng(seed);
  const xs = Array.from({ length: NETWORKS }, () => networkCosine(phi, arch, c0, WIDTH, rng));
  const m = xs.reduce((s, x) => s + x, 0) / NETWORKS;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (NETWORKS - 1));
  const tol = (5 * sd) / Math.sqrt(NETWORKS) + 1e-3;
  assert.ok(
    Math.abs(m - predicted) <= tol,
    `c0=${c0}: Monte Carlo ${m.toFixed(5)} (sd ${sd.toFixed(5)}) vs predicted ` +
      `${predicted.toFixed(5)} (tol ${tol.toFixed(5)})`,
  );
  assert.ok(Math.abs(predicted - c0) > 3 * tol, `c0=${c0}: the prediction moves c (tol ${tol})`);
  for (const [what, value] of Object.entries(wrong)) {
    assert.ok(
      Math.abs(value - m) > 3 * tol,
      `c0=${c0}: ${what} (${value.toFixed(5)}) should be rejected: Monte Carlo ${m.toFixed(5)}, ` +
        `tol ${tol.toFixed(5)}`,
    );
  }
}

Deno.test("wide random residual network: empirical C map of a DKS activation matches residualGlobalCMap", () => {
  const arch: ResidualArchitecture = { blocks: 3, branchDepth: 2, shortcutWeight: 0.6 };
  const t = dksTransform({
    activation: "tanh",
    depth: 6,
    zeta: 3,
    maxSlopeFunction: residualMaxSlope(arch),
  });
  [0.3, 0.7].forEach((c0, i) =>
    checkCosine(t.f, arch, c0, residualGlobalCMap(t, arch, c0), 10 + i)
  );
});

Deno.test("wide random V2 residual network with projection shortcuts: empirical C map matches residualGlobalCMap", () => {
  // Blocks 0 and 2 start a group with a projection shortcut; phi once more after the last block.
  const arch: ResidualArchitecture = {
    blocks: 3,
    branchDepth: 2,
    shortcutWeight: 0.9,
    projectionBlocks: [0, 2],
    finalActivation: true,
  };
  const t = dksTransform({
    activation: "tanh",
    depth: 7,
    zeta: 4,
    maxSlopeFunction: residualMaxSlope(arch),
  });
  // At c0 = 0.5, 0.7 the two wrong maps miss by 0.06 to 0.13, several times the tolerance.
  [0.5, 0.7].forEach((c0, i) =>
    checkCosine(t.f, arch, c0, residualGlobalCMap(t, arch, c0), 30 + i, {
      "identity shortcuts": residualGlobalCMap(t, { ...arch, projectionBlocks: [] }, c0),
      "no final activation": residualGlobalCMap(t, { ...arch, finalActivation: false }, c0),
    })
  );
});

Deno.test("wide random leaky-ReLU chain: the TAT activation gives C_f(0) = eta", () => {
  const depth = 3, eta = 0.5;
  const t = tatTransform({ activation: "leaky_relu", depth, eta });
  // A chain as the residual helper sees it: no shortcut, one layer per block.
  const chain: ResidualArchitecture = { blocks: depth, branchDepth: 1, shortcutWeight: 0 };
  checkCosine(t.f, chain, 0, eta, 20);
  checkCosine(t.f, chain, 0.5, globalCMap(t, depth, 0.5), 21);
});
