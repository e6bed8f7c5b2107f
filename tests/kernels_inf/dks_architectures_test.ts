/**
 * DKS beyond plain chains and TAT, in host f64: the maximal slope function and global C map of
 * normalizer-free residual networks, a DKS activation solved against them (global C'(1) = zeta by
 * finite differences), and the TAT conditions for leaky ReLU and smooth activations.
 */
import assert from "node:assert/strict";
import {
  baseActivation,
  chainSubnetMax,
  DKS_ACTIVATION_NAMES,
  type DksActivationName,
  dksTransform,
  gaussianExpectation,
  globalCMap,
  leakyReluCMap,
  localCMap,
  localCSlope,
  localQMap,
  localQSlope,
  maxCurvatureFunction,
  maxSlopeFunction,
  type ResidualArchitecture,
  residualGlobalCMap,
  residualMaxSlope,
  residualNetworkMap,
  residualSubnetMax,
  tatTransform,
} from "../../src/kernels_inf/dks/mod.ts";
import { scope, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";

const close = (a: number, e: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - e) <= tol, `${what}: got ${a}, expected ${e} (tol ${tol})`);

/**
 * Richardson extrapolation of an estimate D(h) = D(0) + a1 h + a2 h^2 + ... from h0, h0 / 2, ...,
 * h0 / 2^(levels - 1): removes the error terms up to h^(levels - 1).
 */
function richardson(estimate: (h: number) => number, h0: number, levels: number): number {
  let row: number[] = [];
  for (let i = 0; i < levels; i++) {
    const next = [estimate(h0 / 2 ** i)];
    for (let j = 1; j <= i; j++) next.push(next[j - 1] + (next[j - 1] - row[j - 1]) / (2 ** j - 1));
    row = next;
  }
  return row[levels - 1];
}

Deno.test("residualMaxSlope: a chain without shortcuts, the branch alone, and the closed form", () => {
  for (const x of [1, 1.01, 1.3, 2]) {
    // w_s = 0: the network is a chain of B k nonlinear layers.
    const chain = residualMaxSlope({ blocks: 3, branchDepth: 2, shortcutWeight: 0 })(x);
    close(chain, maxSlopeFunction(chainSubnetMax(6))(x), 1e-14 * chain, `w_s = 0, x=${x}`);
    // w_s = 1: the blocks are identities; the largest subnetwork is one branch, x^k.
    close(
      residualMaxSlope({ blocks: 5, branchDepth: 3, shortcutWeight: 1 })(x),
      x ** 3,
      1e-14 * x ** 3,
      `w_s = 1, x=${x}`,
    );
    // In between: each block multiplies the slope by w_s^2 + w_r^2 x^k.
    const whole = (0.64 + 0.36 * x * x) ** 10;
    close(
      residualMaxSlope({ blocks: 10, branchDepth: 2, shortcutWeight: 0.8 })(x),
      Math.max(whole, x * x),
      1e-13 * whole,
      `x=${x}`,
    );
  }
  // One block never beats its own branch (x > 1): w_s^2 + w_r^2 x^k < x^k.
  const m = residualSubnetMax({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6 });
  assert.equal(m(1, (y) => 1.5 * y), 2.25);
});

Deno.test("residualGlobalCMap: no shortcut is a chain, shortcut weight 1 is the identity", () => {
  const t = dksTransform({ activation: "tanh", depth: 4 });
  for (const c of [-0.5, 0.8]) {
    const chain = residualGlobalCMap(t, { blocks: 2, branchDepth: 1, shortcutWeight: 0 }, c);
    close(chain, globalCMap(t, 2, c), 1e-14, `w_s = 0, c=${c}`);
    assert.equal(residualGlobalCMap(t, { blocks: 2, branchDepth: 1, shortcutWeight: 1 }, c), c);
  }
  // One block by hand: w_s^2 c + w_r^2 C(C(c)).
  const c = 0.4, arch = { blocks: 1, branchDepth: 2, shortcutWeight: 0.6 };
  close(
    residualGlobalCMap(t, arch, c),
    0.36 * c + 0.64 * localCMap(t, localCMap(t, c)),
    1e-14,
    "one block",
  );
});

/** C_f'(1) of a C map by Richardson extrapolation of one-sided differences (1 - C_f(1-h)) / h. */
function slopeAtOne(cMap: (c: number) => number): number {
  return richardson((h) => (1 - cMap(1 - h)) / h, 0.01, 4);
}

Deno.test("DKS for a residual network: the global C map has slope zeta at 1 and C_f(0) = 0", () => {
  // 6 blocks of 2 layers with w_s = 0.8: the whole network is the steepest subnetwork.
  const arch: ResidualArchitecture = { blocks: 6, branchDepth: 2, shortcutWeight: 0.8 };
  const t = dksTransform({
    activation: "tanh",
    depth: 12,
    maxSlopeFunction: residualMaxSlope(arch),
  });
  const s = localCSlope(t);
  assert.ok((0.64 + 0.36 * s * s) ** 6 > s * s, "the whole network dominates the branch");
  // Richardson to h^4 from h = 0.01 leaves ~1e-10 truncation; quadrature noise ~1e-13 / h.
  close(slopeAtOne((c) => residualGlobalCMap(t, arch, c)), 1.5, 1e-8, "C_f'(1)");
  assert.ok(Math.abs(residualGlobalCMap(t, arch, 0)) < 1e-12, "C_f(0) = 0");
  // The chain rule for a D = 12 chain would have asked for a smaller local slope.
  assert.ok(s > 1.5 ** (1 / 12) + 1e-3, `local slope ${s} vs chain ${1.5 ** (1 / 12)}`);
});

Deno.test("DKS for a residual network whose steepest subnetwork is one branch", () => {
  // 2 blocks of 3 layers with w_s = 0.9: a single branch is steeper than the whole network.
  const arch: ResidualArchitecture = { blocks: 2, branchDepth: 3, shortcutWeight: 0.9 };
  const t = dksTransform({
    activation: "tanh",
    depth: 6,
    zeta: 2,
    maxSlopeFunction: residualMaxSlope(arch),
  });
  const s = localCSlope(t);
  close(s ** 3, 2, 1e-8, "the branch's C'(1)");
  close(
    slopeAtOne((c) => globalCMap(t, 3, c)),
    2,
    1e-8,
    "the branch's C'(1) by finite differences",
  );
  // The whole network by the chain rule (slopes multiply, weighted sums add).
  const whole = residualNetworkMap(arch, (y) => s * y, 1);
  assert.ok(whole < 2 - 0.1, `whole network's C_f'(1) = ${whole} stays below zeta`);
});

Deno.test("residual architecture helpers: typed errors name the field", () => {
  const t = dksTransform({ activation: "tanh", depth: 2 });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ blocks: 0, branchDepth: 2, shortcutWeight: 0.5 }, /blocks/],
    [{ blocks: 1.5, branchDepth: 2, shortcutWeight: 0.5 }, /blocks/],
    [{ blocks: 2, branchDepth: 0, shortcutWeight: 0.5 }, /branchDepth/],
    [{ blocks: 2, branchDepth: 2, shortcutWeight: 1.1 }, /shortcutWeight/],
    [{ blocks: 2, branchDepth: 2, shortcutWeight: -0.1 }, /shortcutWeight/],
    [{ blocks: 2, branchDepth: 2, shortcutWeight: NaN }, /shortcutWeight/],
    [{ blocks: 2, branchDepth: 2 }, /shortcutWeight/],
  ];
  const isTyped = (re: RegExp) => (e: unknown) =>
    e instanceof InvalidArgumentError && re.test((e as Error).message);
  for (const [arch, re] of bad) {
    const a = arch as unknown as ResidualArchitecture;
    assert.throws(
      () => residualMaxSlope(a),
      isTyped(re),
      `residualMaxSlope ${JSON.stringify(arch)}`,
    );
    assert.throws(() => residualSubnetMax(a), isTyped(re), JSON.stringify(arch));
    assert.throws(() => residualNetworkMap(a, (y) => y, 0.5), isTyped(re), JSON.stringify(arch));
    assert.throws(() => residualGlobalCMap(t, a, 0.5), isTyped(re), JSON.stringify(arch));
  }
  const ok = { blocks: 2, branchDepth: 2, shortcutWeight: 0.5 };
  assert.throws(() => residualGlobalCMap(t, ok, 1.2), isTyped(/c must be/));
  assert.throws(() => chainSubnetMax(0), isTyped(/depth/));
  // A maximal slope function that never reaches zeta is reported, not looped on.
  assert.throws(
    () => dksTransform({ activation: "tanh", depth: 2, maxSlopeFunction: () => 1 }),
    isTyped(/maxSlopeFunction/),
  );
});

Deno.test("residual V2: projection shortcuts and the final activation in closed form", () => {
  // w_s = 1/2 keeps the arithmetic exact: w_s^2 = 1/4, w_r^2 = 3/4.
  const base = { blocks: 3, branchDepth: 2, shortcutWeight: 0.5 };
  const v2: ResidualArchitecture = { ...base, projectionBlocks: [1], finalActivation: true };
  // Slopes (r(y) = 2 y, x = 1): identity blocks 1/4 + 3/4 * 4 = 13/4, the projection block
  // 1/4 * 2 + 3/4 * 4 = 7/2, the final activation 2.
  assert.equal(residualNetworkMap(v2, (y) => 2 * y, 1), (13 / 4) * (7 / 2) * (13 / 4) * 2);
  assert.equal(residualNetworkMap(base, (y) => 2 * y, 1), (13 / 4) ** 3);
  // A nonlinear r fixes the order: block 0 identity, block 1 projection, then r.
  // r(y) = y^2 from 1/2: block 0 gives 1/8 + 3/4 * 1/16 = 11/64, block 1
  // 1/4 (11/64)^2 + 3/4 (11/64)^4 = 539539 / 2^26, and r squares that.
  const two = { blocks: 2, branchDepth: 2, shortcutWeight: 0.5 };
  const sq = (y: number) => y * y;
  const want = (539539 / 2 ** 26) ** 2;
  assert.equal(
    residualNetworkMap({ ...two, projectionBlocks: [1], finalActivation: true }, sq, 0.5),
    want,
  );
  assert.equal(residualNetworkMap({ ...two, projectionBlocks: [1] }, sq, 0.5), 539539 / 2 ** 26);
  // Projecting block 0 instead is another network: 1/4 (1/4) + 3/4 (1/16) = 7/64 after block 0.
  const b0 = 7 / 64, b1 = 0.25 * b0 + 0.75 * b0 ** 4;
  assert.equal(residualNetworkMap({ ...two, projectionBlocks: [0] }, sq, 0.5), b1);
  assert.notEqual(b1, 539539 / 2 ** 26);

  // Maximal slope: max(x^F prod_b (w_s^2 x^(p_b) + w_r^2 x^k), x^k).
  const mu = residualMaxSlope({ ...base, projectionBlocks: [0, 2], finalActivation: true });
  for (const x of [1, 1.1, 1.7, 3]) {
    const whole = x * (0.25 * x + 0.75 * x * x) ** 2 * (0.25 + 0.75 * x * x);
    close(mu(x), Math.max(whole, x * x), 1e-15 * whole, `mu(${x})`);
  }
  // With w_s = 1 the blocks without projection are identities and the branch alone is x^3:
  // projection blocks and the final activation make the whole network x^4 > x^3.
  const wide = residualMaxSlope({
    blocks: 4,
    branchDepth: 3,
    shortcutWeight: 1,
    projectionBlocks: [0, 1, 3],
    finalActivation: true,
  });
  assert.equal(wide(2), 16);
  assert.equal(residualMaxSlope({ blocks: 4, branchDepth: 3, shortcutWeight: 1 })(2), 8);
  // TAT's curvature function (C'(1) = 1, curvatures add): kappa (F + sum_b (w_s^2 p_b + w_r^2 k)).
  const kappa = 0.125;
  assert.equal(
    maxCurvatureFunction(residualSubnetMax(v2))(kappa),
    kappa * (1 + 0.25 + 3 * 0.75 * 2),
  );
  // The subnet max function keeps its own copy: editing the caller's array changes nothing.
  const blocks = [1];
  const m = residualSubnetMax({ ...base, projectionBlocks: blocks });
  blocks[0] = 2;
  assert.equal(m(1, (y) => 2 * y), (13 / 4) * (7 / 2) * (13 / 4));
});

Deno.test("residual V2 defaults: no projections and no final activation is today's network", () => {
  const t = dksTransform({ activation: "tanh", depth: 4 });
  const rs = [(y: number) => 1.3 * y, (y: number) => Math.sin(y) + 0.1];
  for (
    const arch of [
      { blocks: 3, branchDepth: 2, shortcutWeight: 0.6 },
      { blocks: 1, branchDepth: 1, shortcutWeight: 0.9 },
    ]
  ) {
    const explicit = { ...arch, projectionBlocks: [], finalActivation: false };
    for (const r of rs) {
      assert.equal(residualNetworkMap(explicit, r, 0.4), residualNetworkMap(arch, r, 0.4));
      assert.equal(residualSubnetMax(explicit)(1, r), residualSubnetMax(arch)(1, r));
    }
    assert.equal(residualMaxSlope(explicit)(1.2), residualMaxSlope(arch)(1.2));
    assert.equal(residualGlobalCMap(t, explicit, 0.4), residualGlobalCMap(t, arch, 0.4));
  }
});

Deno.test("residual V2 global C map: chain limits and one projection block by hand", () => {
  const t = dksTransform({ activation: "tanh", depth: 4 });
  for (const c of [-0.5, 0.8]) {
    // w_s = 1 with every shortcut a projection: each block is r, then r once more.
    const allProjected = {
      blocks: 3,
      branchDepth: 2,
      shortcutWeight: 1,
      projectionBlocks: [2, 0, 1],
      finalActivation: true,
    };
    close(residualGlobalCMap(t, allProjected, c), globalCMap(t, 4, c), 1e-14, `w_s = 1, c=${c}`);
    // w_s = 0: a chain of B k layers and the final activation.
    const chain = { blocks: 2, branchDepth: 2, shortcutWeight: 0, finalActivation: true };
    close(residualGlobalCMap(t, chain, c), globalCMap(t, 5, c), 1e-14, `w_s = 0, c=${c}`);
  }
  // One projection block: w_s^2 C(c) + w_r^2 C(C(c)), then C.
  const c = 0.4, C = (y: number) => localCMap(t, y);
  const arch = { blocks: 1, branchDepth: 2, shortcutWeight: 0.6, projectionBlocks: [0] };
  const block = 0.36 * C(c) + 0.64 * C(C(c));
  close(residualGlobalCMap(t, arch, c), block, 1e-14, "projection block");
  close(residualGlobalCMap(t, { ...arch, finalActivation: true }, c), C(block), 1e-14, "final");
  // The identity shortcut's answer differs by w_s^2 (c - C(c)) ~ 0.009, far beyond 1e-14.
  assert.ok(Math.abs(block - (0.36 * c + 0.64 * C(C(c)))) > 1e-3, "the projection moves C");
});

Deno.test("DKS for a V2 residual network with projections: global C'(1) = zeta, C_f(0) = 0", () => {
  const arch: ResidualArchitecture = {
    blocks: 6,
    branchDepth: 2,
    shortcutWeight: 0.8,
    projectionBlocks: [0, 2, 4],
    finalActivation: true,
  };
  const t = dksTransform({
    activation: "tanh",
    depth: 13,
    maxSlopeFunction: residualMaxSlope(arch),
  });
  const s = localCSlope(t);
  const whole = s * ((0.64 * s + 0.36 * s * s) * (0.64 + 0.36 * s * s)) ** 3;
  close(whole, 1.5, 1e-8, "the closed-form whole-network slope at the solved local slope");
  assert.ok(whole > s * s, "the whole network dominates the branch");
  // Richardson to h^4 from h = 0.01 leaves ~1e-10 truncation; quadrature noise ~1e-13 / h.
  close(slopeAtOne((c) => residualGlobalCMap(t, arch, c)), 1.5, 1e-8, "C_f'(1)");
  assert.ok(Math.abs(residualGlobalCMap(t, arch, 0)) < 1e-12, "C_f(0) = 0");
  // Solving for the same blocks with identity shortcuts and no final activation gives a steeper
  // activation, whose network (with the projections) then overshoots zeta.
  const plain = { blocks: 6, branchDepth: 2, shortcutWeight: 0.8 };
  const tPlain = dksTransform({
    activation: "tanh",
    depth: 12,
    maxSlopeFunction: residualMaxSlope(plain),
  });
  const sPlain = localCSlope(tPlain);
  assert.ok(sPlain > s + 1e-3, `local slopes: plain ${sPlain}, V2 ${s}`);
  const overshoot = slopeAtOne((c) => residualGlobalCMap(tPlain, arch, c));
  assert.ok(
    overshoot > 1.5 + 0.05,
    `the plain activation in the V2 network: C_f'(1) = ${overshoot}`,
  );
});

Deno.test("residual V2 fields: typed errors name the field and the expected value", () => {
  const t = dksTransform({ activation: "tanh", depth: 2 });
  const base = { blocks: 3, branchDepth: 2, shortcutWeight: 0.5 };
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ projectionBlocks: [3] }, /projectionBlocks\[0\] must be an integer in \[0, 3\), got 3/],
    [{ projectionBlocks: [0, -1] }, /projectionBlocks\[1\] must be an integer in \[0, 3\)/],
    [{ projectionBlocks: [0.5] }, /projectionBlocks\[0\] must be an integer/],
    [{ projectionBlocks: [NaN] }, /projectionBlocks\[0\] must be an integer/],
    [{ projectionBlocks: ["1"] }, /projectionBlocks\[0\] must be an integer/],
    [{ projectionBlocks: [2, 1, 2] }, /projectionBlocks must list each block once, got 2 twice/],
    [{ projectionBlocks: 1 }, /projectionBlocks must be an array/],
    [{ projectionBlocks: null }, /projectionBlocks must be an array/],
    [{ finalActivation: 1 }, /finalActivation must be a boolean, got 1/],
    [{ finalActivation: "true" }, /finalActivation must be a boolean/],
  ];
  const isTyped = (re: RegExp) => (e: unknown) =>
    e instanceof InvalidArgumentError && re.test((e as Error).message);
  for (const [extra, re] of bad) {
    const a = { ...base, ...extra } as unknown as ResidualArchitecture;
    const tag = JSON.stringify(extra);
    assert.throws(() => residualMaxSlope(a), isTyped(/^residualMaxSlope: /), tag);
    assert.throws(() => residualMaxSlope(a), isTyped(re), tag);
    assert.throws(() => residualSubnetMax(a), isTyped(re), tag);
    assert.throws(() => residualNetworkMap(a, (y) => y, 0.5), isTyped(re), tag);
    assert.throws(() => residualGlobalCMap(t, a, 0.5), isTyped(re), tag);
  }
  // The block range follows `blocks`: index 3 is fine in a 4-block network.
  assert.equal(
    residualNetworkMap({ ...base, blocks: 4, projectionBlocks: [3] }, (y) => y, 0.5),
    0.5,
  );
});

Deno.test("leakyReluCMap matches the quadrature C map of leaky ReLU", () => {
  for (const a of [0, 0.3]) {
    for (const c of [-0.7, 0, 0.5]) {
      close(
        leakyReluCMap(c, a),
        localCMap(baseActivation("leaky_relu", a), c),
        1e-10,
        `a=${a} c=${c}`,
      );
    }
  }
  assert.equal(leakyReluCMap(0.37, 1), 0.37); // slope 1: the identity
});

Deno.test("TAT leaky ReLU: Q(q) = q, C'(1) = 1 and C_f(0) = eta by quadrature", () => {
  for (const [depth, eta] of [[3, 0.5], [12, 0.8]]) {
    const t = tatTransform({ activation: "leaky_relu", depth, eta });
    const tag = `D=${depth} eta=${eta}`;
    const a = t.negativeSlope!;
    assert.ok(a > 0 && a < 1, `${tag}: slope ${a} in (0, 1)`);
    assert.deepEqual([t.alpha, t.beta, t.delta], [1, 0, 0]);
    for (const q of [0.5, 1, 3]) close(localQMap(t, q), q, 1e-12 * q, `${tag}: Q(${q})`);
    close(localQSlope(t), 1, 1e-12, `${tag}: Q'(1)`);
    close(localCSlope(t), 1, 1e-12, `${tag}: C'(1)`);
    close(globalCMap(t, depth, 0), eta, 1e-8, `${tag}: C_f(0)`);
  }
  // The default eta is the reference's c_val_0_target, 0.9.
  close(
    globalCMap(tatTransform({ activation: "leaky_relu", depth: 24 }), 24, 0),
    0.9,
    1e-8,
    "default",
  );
});

Deno.test("TAT leaky ReLU limits: eta -> 0 is the identity, the ReLU network's C_f(0) is slope 0", () => {
  const depth = 10;
  const id = tatTransform({ activation: "leaky_relu", depth, eta: 0 });
  close(id.negativeSlope!, 1, 1e-12, "eta = 0: slope");
  for (const x of [-2, 0.5]) close(id.f(x), x, 1e-12, `eta = 0: phi_hat(${x})`);
  let previous = 0;
  for (const eta of [0.3, 1e-2, 1e-4, 1e-8]) {
    const a = tatTransform({ activation: "leaky_relu", depth, eta }).negativeSlope!;
    assert.ok(a > previous && a < 1, `eta=${eta}: slope ${a} grows toward 1`);
    previous = a;
  }
  // C_f(0) ~ D (1 - a)^2 / (2 pi) for a near 1, so 1 - a ~ sqrt(2 pi eta / D) = 8e-5 at 1e-8.
  assert.ok(1 - previous < 2e-4, `eta = 1e-8: 1 - slope = ${1 - previous}`);
  // The ReLU network's C_f(0), iterating the arc-cosine map: the largest eta, reached at a = 0.
  let c = 0;
  for (let l = 0; l < depth; l++) {
    c = (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) / Math.PI;
  }
  const relu = tatTransform({ activation: "leaky_relu", depth, eta: c });
  assert.equal(relu.negativeSlope, 0);
  close(relu.gamma, Math.SQRT2, 1e-15, "ReLU output scale sqrt 2 (He)");
  assert.throws(
    () => tatTransform({ activation: "leaky_relu", depth, eta: c + 1e-6 }),
    (e) => e instanceof InvalidArgumentError && /eta must be at most/.test((e as Error).message),
  );
  // Hence the default eta = 0.9 needs depth >= 13 (C_f(0) of a 12-layer ReLU chain is 0.897).
  assert.throws(() => tatTransform({ activation: "leaky_relu", depth: 12 }), /eta/);
});

Deno.test("TAT leaky ReLU for a residual network: max over subnetworks of C_f(0) = eta", () => {
  const arch: ResidualArchitecture = { blocks: 4, branchDepth: 2, shortcutWeight: 0.7 };
  const t = tatTransform({
    activation: "leaky_relu",
    depth: 8,
    eta: 0.5,
    subnetMaxFunction: residualSubnetMax(arch),
  });
  const whole = residualGlobalCMap(t, arch, 0), branch = globalCMap(t, 2, 0);
  close(Math.max(whole, branch), 0.5, 1e-8, `C_f(0) (whole ${whole}, branch ${branch})`);
});

Deno.test("second derivatives of the base activations match finite differences", () => {
  const noSecond = ["relu", "leaky_relu", "selu"];
  for (const name of DKS_ACTIVATION_NAMES) {
    const b = baseActivation(name);
    assert.equal(b.d2f === undefined, noSecond.includes(name), name);
    if (!b.d2f) continue;
    for (const x of [-2.3, -0.7, 0.4, 1.9]) {
      const h = 1e-5, fd = (b.df(x + h) - b.df(x - h)) / (2 * h);
      close(b.d2f(x), fd, 1e-8 * (1 + Math.abs(fd)), `${name}'' at ${x}`);
    }
  }
});

const smoothCases: [DksActivationName, number][] = [
  ["tanh", 6],
  ["softplus", 10],
  ["swish", 20],
  ["erf", 8],
  ["gelu", 12],
  ["elu", 25],
  ["softsign", 16],
];

Deno.test("TAT smooth: Q(1) = 1, Q'(1) = 1, C'(1) = 1, local C''(1) = tau / D by quadrature", () => {
  for (const [name, depth] of smoothCases) {
    for (const tau of [0.3, 1]) {
      const t = tatTransform({ activation: name, depth, tau });
      const tag = `${name} D=${depth} tau=${tau}`;
      close(localQMap(t, 1), 1, 1e-8, `${tag}: Q(1)`);
      close(localQSlope(t), 1, 1e-8, `${tag}: Q'(1)`);
      close(localCSlope(t), 1, 1e-8, `${tag}: C'(1)`);
      close(t.localCCurvatureTarget!, tau / depth, 1e-14, `${tag}: curvature target`);
      close(
        gaussianExpectation((z) => t.d2f!(z) ** 2, t.kinks),
        tau / depth,
        1e-8,
        `${tag}: C''(1)`,
      );
      assert.ok(
        t.alpha * t.gamma < 2,
        `${tag}: alpha gamma = ${t.alpha * t.gamma} < 2 (reference)`,
      );
    }
  }
});

Deno.test("TAT smooth: the global C map's curvature at 1 is tau (finite differences)", () => {
  const depth = 6, tau = 0.3;
  const t = tatTransform({ activation: "tanh", depth, tau });
  // C_f(1 - h) = 1 - h + tau h^2 / 2 + O(h^3) since C_f'(1) = 1. Quadrature noise ~1e-13 is
  // amplified by 2 / h^2 (~3e5 at the smallest h) and the Richardson weights: tolerance 1e-7.
  const curvature = richardson(
    (h) => (2 * (globalCMap(t, depth, 1 - h) - 1 + h)) / (h * h),
    0.04,
    4,
  );
  close(curvature, tau, 1e-7, "C_f''(1)");
});

Deno.test("TAT smooth for a residual network: the curvature target follows the architecture", () => {
  const arch: ResidualArchitecture = { blocks: 5, branchDepth: 2, shortcutWeight: 0.6 };
  const t = tatTransform({
    activation: "softplus",
    depth: 10,
    subnetMaxFunction: residualSubnetMax(arch),
  });
  // With every C'(1) = 1, curvatures add: B w_r^2 k kappa for the whole net, k kappa for a branch.
  close(t.localCCurvatureTarget!, 0.3 / Math.max(5 * 0.64 * 2, 2), 1e-14, "kappa");
  close(maxCurvatureFunction(residualSubnetMax(arch))(t.localCCurvatureTarget!), 0.3, 1e-14, "M");
  close(
    gaussianExpectation((z) => t.d2f!(z) ** 2, t.kinks),
    t.localCCurvatureTarget!,
    1e-8,
    "C''(1)",
  );
});

Deno.test("tensor form of TAT activations matches the host f64 form", async () => {
  const xs = Float32Array.from({ length: 64 }, (_, i) => -4 + i / 8);
  for (
    const t of [
      tatTransform({ activation: "leaky_relu", depth: 20 }),
      tatTransform({ activation: "gelu", depth: 5 }),
    ]
  ) {
    const got = await scope(() => t.apply(tensor(xs, { shape: [64] }))).read();
    xs.forEach((x, i) => close(got[i], t.f(x), 2e-5 * (1 + Math.abs(t.f(x))), `${t.name} x=${x}`));
  }
});

Deno.test("tatTransform: typed errors name the field", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ activation: "tanh", depth: 0 }, /depth/],
    [{ activation: "leaky_relu", depth: 2.5 }, /depth/],
    [{ activation: "relu6", depth: 3 }, /activation/],
    [{ activation: "relu", depth: 3 }, /activation.*use leaky_relu/],
    [{ activation: "selu", depth: 3 }, /activation/],
    [{ activation: "tanh", depth: 3, tau: 0 }, /tau/],
    [{ activation: "tanh", depth: 3, tau: Infinity }, /tau/],
    [{ activation: "leaky_relu", depth: 30, eta: -0.1 }, /eta/],
    [{ activation: "leaky_relu", depth: 30, eta: 1.5 }, /eta/],
    [{ activation: "leaky_relu", depth: 30, eta: NaN }, /eta/],
    [{ activation: "tanh", depth: 3, subnetMaxFunction: 2 }, /subnetMaxFunction/],
  ];
  for (const [opts, re] of bad) {
    assert.throws(
      () => tatTransform(opts as never),
      (e) => e instanceof InvalidArgumentError && re.test((e as Error).message),
      JSON.stringify(opts),
    );
  }
  assert.throws(() => leakyReluCMap(1.5, 0.2), /c must be/);
  assert.throws(() => leakyReluCMap(0.5, NaN), /negativeSlope/);
});
