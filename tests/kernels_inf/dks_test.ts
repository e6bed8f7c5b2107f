/**
 * Deep Kernel Shaping: quadrature, local Q/C maps against closed forms, the DKS conditions of
 * transformed activations, orthogonal init, and a Monte Carlo check of the global C map with a
 * wide random network on the GPU.
 */
import assert from "node:assert/strict";
import {
  baseActivation,
  bivariateExpectation,
  deltaOrthogonalFromGaussian,
  deltaOrthogonalInit,
  type DksActivationName,
  dksTransform,
  gaussianExpectation,
  gaussLegendre,
  globalCMap,
  localCMap,
  localCSlope,
  localQMap,
  localQSlope,
  orthogonalFromGaussian,
  orthogonalInit,
  RELU_MAX_SLOPE_POSITIVE_SHIFT,
} from "../../src/kernels_inf/dks/mod.ts";
import { matmul, random, scope, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { randn } from "../_util.ts";

const close = (a: number, e: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - e) <= tol, `${what}: got ${a}, expected ${e} (tol ${tol})`);

Deno.test("gaussLegendre integrates polynomials of degree 2n-1 exactly", () => {
  const { nodes, weights } = gaussLegendre(8);
  for (let p = 0; p <= 15; p++) {
    const got = nodes.reduce((s, x, i) => s + weights[i] * x ** p, 0);
    close(got, p % 2 ? 0 : 2 / (p + 1), 1e-14, `x^${p}`);
  }
});

Deno.test("gaussianExpectation: normal moments and a kinked integrand with its breakpoint", () => {
  let dfact = 1;
  for (let k = 1; k <= 5; k++) {
    dfact *= 2 * k - 1;
    close(gaussianExpectation((z) => z ** (2 * k)), dfact, 1e-12 * dfact, `E z^${2 * k}`);
  }
  // Kink at 0 given as a breakpoint; E|z| = sqrt(2/pi), E cos z = exp(-1/2).
  close(gaussianExpectation((z) => Math.abs(z), [0]), Math.sqrt(2 / Math.PI), 1e-14, "E|z|");
  close(gaussianExpectation(Math.cos), Math.exp(-0.5), 1e-14, "E cos z");
});

Deno.test("ReLU Q/C maps match the arc-cosine kernel (Cho & Saul 2009)", () => {
  const relu = baseActivation("relu");
  for (const q of [0.25, 1, 3]) close(localQMap(relu, q), q / 2, 1e-13, `Q(${q})`);
  close(localQSlope(relu), 0.5, 1e-12, "Q'(1) = d(q/2)/dq");
  for (const c of [-0.95, -0.3, 0, 0.2, 0.7, 0.99]) {
    const exact = (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) / Math.PI;
    close(localCMap(relu, c), exact, 1e-10, `C(${c})`);
    close(localCSlope(relu, c), (Math.PI - Math.acos(c)) / Math.PI, 1e-10, `C'(${c})`);
  }
});

Deno.test("leaky ReLU C map matches the closed form used by the reference (deepmind/dks)", () => {
  for (const a of [0.1, 0.5]) {
    const lr = baseActivation("leaky_relu", a);
    for (const c of [-0.5, 0.3, 0.8]) {
      const exact = ((1 - a) ** 2 * (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) /
          Math.PI + 2 * a * c) / (1 + a * a);
      close(localCMap(lr, c), exact, 1e-10, `leaky(${a}) C(${c})`);
    }
  }
});

Deno.test("erf Q/C maps match Williams' arcsin formula", () => {
  const e = baseActivation("erf");
  const Q = (q: number) => (2 / Math.PI) * Math.asin((2 * q) / (1 + 2 * q));
  for (const q of [0.5, 1, 2]) close(localQMap(e, q), Q(q), 1e-13, `Q(${q})`);
  // Q'(1) = (2/pi) (1 - (2/3)^2)^(-1/2) * 2 / 9.
  close(localQSlope(e), (2 / Math.PI) * (3 / Math.sqrt(5)) * (2 / 9), 1e-12, "Q'(1)");
  for (const c of [-0.8, 0.1, 0.6, 1]) {
    close(localCMap(e, c), Math.asin((2 * c) / 3) / Math.asin(2 / 3), 1e-12, `C(${c})`);
  }
  // C'(1) = E[erf'(z)^2] / Q(1) = (4/pi) / sqrt(5) / Q(1).
  close(localCSlope(e), 4 / Math.PI / Math.sqrt(5) / Q(1), 1e-12, "C'(1)");
});

Deno.test("bivariateExpectation agrees with a smooth closed form at c near +-1", () => {
  // E[cos(u) cos(v)] = exp(-1) cosh(c) for unit-variance u, v with correlation c.
  for (const c of [-1, -0.999, 0.5, 0.999, 1]) {
    close(
      bivariateExpectation(Math.cos, [], Math.cos, [], c),
      Math.exp(-1) * Math.cosh(c),
      1e-13,
      `c=${c}`,
    );
  }
});

const cases: [DksActivationName, number][] = [
  ["tanh", 3],
  ["tanh", 30],
  ["softplus", 10],
  ["erf", 6],
  ["swish", 20],
  ["gelu", 8],
  ["selu", 12],
  ["elu", 25],
  ["leaky_relu", 10],
  ["sigmoid", 4],
  ["softsign", 16],
];

Deno.test("dksTransform satisfies the four DKS conditions by quadrature", () => {
  for (const [name, depth] of cases) {
    for (const zeta of [1.5, 3]) {
      const t = dksTransform({ activation: name, depth, zeta });
      const tag = `${name} D=${depth} zeta=${zeta}`;
      assert.ok(t.alpha > 0, `${tag}: alpha > 0`);
      close(localQMap(t, 1), 1, 1e-8, `${tag}: Q(1)`);
      close(gaussianExpectation(t.f, t.kinks), 0, 1e-8, `${tag}: E[phi_hat] (C(0) = 0)`);
      close(localCMap(t, 0), 0, 1e-8, `${tag}: C(0)`);
      close(localQSlope(t), 1, 1e-8, `${tag}: Q'(1)`);
      close(localCSlope(t), zeta ** (1 / depth), 1e-8, `${tag}: C'(1)`);
      close(localCSlope(t) ** depth, zeta, 1e-8, `${tag}: C_f'(1)`);
    }
  }
});

Deno.test("dksTransform: a custom Q slope target and a maximal slope function", () => {
  const t = dksTransform({ activation: "tanh", depth: 4, localQSlopeTarget: 1.1 });
  close(localQSlope(t), 1.1, 1e-8, "Q'(1)");
  // Two parallel chains of depth 5 and 8 averaged: the maximal slope is x^8 (deepest path).
  const u = dksTransform({ activation: "softplus", depth: 8, maxSlopeFunction: (x) => x ** 8 });
  close(localCSlope(u), 1.5 ** (1 / 8), 1e-8, "C'(1)");
});

Deno.test("dksTransform for relu follows the reference: shift +-1, no Q slope condition", () => {
  // 1.5^(1/4) < 1.4669 -> positive shift; 1.5 > 1.4669 at depth 1 -> negative shift.
  for (const [depth, shift] of [[4, 1], [1, -1]]) {
    assert.ok((1.5 ** (1 / depth) < RELU_MAX_SLOPE_POSITIVE_SHIFT) === (shift === 1));
    const t = dksTransform({ activation: "relu", depth });
    assert.equal(t.beta, shift);
    close(localQMap(t, 1), 1, 1e-8, "Q(1)");
    close(localCMap(t, 0), 0, 1e-8, "C(0)");
    close(localCSlope(t), 1.5 ** (1 / depth), 1e-8, "C'(1)");
  }
});

Deno.test("the global C map of a DKS chain has slope zeta at 1 (finite difference)", () => {
  const t = dksTransform({ activation: "tanh", depth: 6 });
  // Richardson-extrapolated one-sided difference: error O(h^2 C_f''') ~ 1e-8 for h = 1e-3.
  const h = 1e-3;
  const d1 = (1 - globalCMap(t, 6, 1 - h)) / h, d2 = (1 - globalCMap(t, 6, 1 - 2 * h)) / (2 * h);
  close(2 * d1 - d2, 1.5, 1e-5, "C_f'(1)");
  assert.ok(Math.abs(globalCMap(t, 6, 0)) < 1e-12, "C_f(0) = 0");
});

Deno.test("dksTransform: typed errors name the field", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ activation: "tanh", depth: 0 }, /depth/],
    [{ activation: "tanh", depth: 2.5 }, /depth/],
    [{ activation: "tanh", depth: 3, zeta: 1 }, /zeta/],
    [{ activation: "tanh", depth: 3, zeta: 0.5 }, /zeta/],
    [{ activation: "tanh", depth: 3, zeta: NaN }, /zeta/],
    [{ activation: "relu6", depth: 3 }, /activation/],
    [{ activation: "tanh", depth: 3, localQSlopeTarget: 0 }, /localQSlopeTarget/],
  ];
  for (const [opts, re] of bad) {
    assert.throws(
      () => dksTransform(opts as never),
      (e) => e instanceof InvalidArgumentError && re.test((e as Error).message),
      JSON.stringify(opts),
    );
  }
  assert.throws(() => localCMap(baseActivation("tanh"), 1.5), /c must be/);
  assert.throws(() => localQMap(baseActivation("tanh"), 0), /q must be/);
});

Deno.test("orthogonalFromGaussian: orthonormal rows/columns, scale sqrt(max(1, out/in))", () => {
  for (const [fi, fo] of [[5, 3], [3, 5], [4, 4], [1, 6]]) {
    const w = orthogonalFromGaussian(randn(fi * 7 + fo, fi * fo), fi, fo);
    const s2 = Math.max(1, fo / fi);
    // fanIn >= fanOut: W^T W = I; else W W^T = (fanOut / fanIn) I.
    const [outer, inner] = fi >= fo ? [fo, fi] : [fi, fo];
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < outer; b++) {
        let dot = 0;
        for (let k = 0; k < inner; k++) {
          dot += fi >= fo ? w[k * fo + a] * w[k * fo + b] : w[a * fo + k] * w[b * fo + k];
        }
        close(dot, a === b ? s2 : 0, 1e-12, `[${fi},${fo}] (${a},${b})`);
      }
    }
  }
  assert.throws(() => orthogonalFromGaussian([1, 2], 0, 2), /fanIn/);
});

Deno.test("deltaOrthogonalFromGaussian: zero except the centre tap, which is the SUO matrix", () => {
  for (const [kh, kw, fi, fo] of [[3, 3, 2, 5], [1, 5, 4, 4], [5, 1, 3, 2], [1, 1, 2, 3]]) {
    const g = randn(kh * 11 + kw + fi, fi * fo);
    const w = deltaOrthogonalFromGaussian(g, kh, kw, fi, fo);
    const centre = orthogonalFromGaussian(g, fi, fo);
    assert.equal(w.length, kh * kw * fi * fo);
    const tap = ((kh - 1) / 2) * kw + (kw - 1) / 2;
    for (let t = 0; t < kh * kw; t++) {
      for (let k = 0; k < fi * fo; k++) {
        assert.equal(w[t * fi * fo + k], t === tap ? centre[k] : 0, `[${kh},${kw}] tap ${t} ${k}`);
      }
    }
  }
  assert.throws(() => deltaOrthogonalFromGaussian([1, 2], 2, 3, 1, 2), /kh must be an odd/);
  assert.throws(() => deltaOrthogonalFromGaussian([1, 2], 3, 0, 1, 2), /kw must be an odd/);
  assert.throws(() => deltaOrthogonalFromGaussian([1], 3, 3, 1, 2), /gaussian has 1 entries/);
});

Deno.test("deltaOrthogonalInit: HWIO shape, validated", async () => {
  const w = await deltaOrthogonalInit(random.key(3), [3, 3, 2, 4]);
  assert.deepEqual(w.shape, [3, 3, 2, 4]);
  const d = await w.read();
  w.dispose();
  // Centre tap [1, 1]: rows orthogonal with squared norm fanOut / fanIn = 2; elsewhere zero.
  const c = d.subarray(4 * 8, 5 * 8);
  close(c[0] ** 2 + c[1] ** 2 + c[2] ** 2 + c[3] ** 2, 2, 1e-5, "row norm");
  close(c[0] * c[4] + c[1] * c[5] + c[2] * c[6] + c[3] * c[7], 0, 1e-6, "rows orthogonal");
  assert.equal(Array.from(d).filter((v, i) => v !== 0 && (i < 32 || i >= 40)).length, 0);
  await assert.rejects(() => deltaOrthogonalInit(random.key(3), [3, 3, 2] as never), /shape must/);
  await assert.rejects(() => deltaOrthogonalInit(random.key(3), [4, 3, 2, 2]), /kh must be/);
  await assert.rejects(() => deltaOrthogonalInit(random.key(3), [3, 3, 0, 2]), /fanIn/);
});

async function cosine(t: Tensor, rows: number, width: number): Promise<number[][]> {
  const d = await t.read();
  const dot = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < width; k++) s += d[i * width + k] * d[j * width + k];
    return s;
  };
  return Array.from(
    { length: rows },
    (_, i) => Array.from({ length: rows }, (_, j) => dot(i, j) / Math.sqrt(dot(i, i) * dot(j, j))),
  );
}

Deno.test("tensor form of a DKS activation matches the host f64 form", async () => {
  const t = dksTransform({ activation: "softplus", depth: 10 });
  const xs = Float32Array.from({ length: 64 }, (_, i) => -4 + i / 8);
  const got = await scope(() => t.apply(tensor(xs, { shape: [64] }))).read();
  xs.forEach((x, i) => close(got[i], t.f(x), 2e-5 * (1 + Math.abs(t.f(x))), `x=${x}`));
});

Deno.test("wide random network: empirical C map of a DKS tanh chain matches globalCMap", async () => {
  // Width n = 2048, D = 3 nonlinear layers, i.i.d. N(0, 1/fanIn) weights, R = 6 networks. At
  // finite width the output cosine fluctuates by O(1/sqrt(n)) ~ 0.02 per network and is biased by
  // O(1/n) ~ 5e-4; we compare the mean over the R networks with the prediction within 5 standard
  // errors (sample std / sqrt(R)) plus 2e-3 for the bias, and check that this tolerance is far
  // smaller than the gap between the prediction and the input cosine (so the test can fail).
  const n = 2048, depth = 3, R = 6;
  const t = dksTransform({ activation: "tanh", depth, zeta: 4 });
  const c0s = [0, 0.5, 0.9];
  // Inputs in R^2 with q = |x|^2 / 2 = 1 and cosine c0 with the reference x0 = (sqrt 2, 0).
  const xs: number[] = [Math.SQRT2, 0];
  for (const c of c0s.slice(1)) xs.push(Math.SQRT2 * c, Math.SQRT2 * Math.sqrt(1 - c * c));
  // Rows: x0, x(0.5), x(0.9); c0 = 0 is the pair (x0, x orthogonal) -> add (0, sqrt 2).
  xs.push(0, Math.SQRT2);
  const rows = 4;
  const samples: number[][] = [[], [], []];
  for (let r = 0; r < R; r++) {
    const keys = random.split(random.key(100 + r), depth);
    const out = scope(() => {
      let h = matmul(
        tensor(Float32Array.from(xs), { shape: [rows, 2] }),
        random.normal(keys[0], [2, n], 0, Math.SQRT1_2),
      );
      let a = t.apply(h);
      for (let l = 1; l < depth; l++) {
        h = matmul(a, random.normal(keys[l], [n, n], 0, 1 / Math.sqrt(n)));
        a = t.apply(h);
      }
      return a;
    });
    const cs = await cosine(out, rows, n);
    out.dispose();
    samples[0].push(cs[0][3]); // c0 = 0
    samples[1].push(cs[0][1]); // c0 = 0.5
    samples[2].push(cs[0][2]); // c0 = 0.9
  }
  c0s.forEach((c0, i) => {
    const pred = globalCMap(t, depth, c0);
    const m = samples[i].reduce((s, x) => s + x, 0) / R;
    const sd = Math.sqrt(samples[i].reduce((s, x) => s + (x - m) ** 2, 0) / (R - 1));
    const tol = (5 * sd) / Math.sqrt(R) + 2e-3;
    close(m, pred, tol, `c0=${c0} (pred ${pred.toFixed(4)}, sd ${sd.toFixed(4)})`);
    if (c0 > 0) assert.ok(Math.abs(pred - c0) > 3 * tol, `c0=${c0}: prediction moves c`);
  });
});

Deno.test("orthogonalInit preserves q and cosines exactly (fanOut >= fanIn)", async () => {
  const w = await orthogonalInit(random.key(7), 8, 32);
  assert.deepEqual(w.shape, [8, 32]);
  const x = randn(3, 16);
  const y = await scope(() => matmul(tensor(x, { shape: [2, 8] }), w)).read();
  const q = (v: ArrayLike<number>, off: number, len: number) => {
    let s = 0;
    for (let k = 0; k < len; k++) s += v[off + k] ** 2;
    return s / len;
  };
  close(q(y, 0, 32), q(x, 0, 8), 1e-5, "q row 0");
  close(q(y, 32, 32), q(x, 8, 8), 1e-5, "q row 1");
  w.dispose();
});
