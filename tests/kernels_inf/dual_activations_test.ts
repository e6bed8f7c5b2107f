/**
 * Closed-form dual kernels against Gauss-Hermite quadrature, Monte Carlo and Price's theorem
 * (host f64, no GPU).
 */
import assert from "node:assert/strict";
import {
  abReluDual,
  absDual,
  cosDual,
  type DualActivation,
  erfDual,
  geluDual,
  identityDual,
  leakyReluDual,
  monomialDual,
  numericalDual,
  rbfDual,
  reluDual,
  sigmoidLikeDual,
  sinDual,
} from "../../src/kernels_inf/mod.ts";
import { erf as erfOp, tanh } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { rng } from "../_util.ts";

const smooth: DualActivation[] = [
  erfDual(),
  erfDual(1.3, 0.7, 0.2),
  sigmoidLikeDual(),
  geluDual(),
  sinDual(),
  sinDual(0.8, 1.7, 0.4),
  cosDual(1.1, 0.9, -0.3),
  rbfDual(0.3),
  monomialDual(0),
  monomialDual(1),
  monomialDual(2),
  monomialDual(3),
  monomialDual(5),
  identityDual(),
];
const kinked: DualActivation[] = [
  reluDual(),
  abReluDual(-0.4, 1.3),
  leakyReluDual(0.1),
  absDual(),
];

// (k, c1, c2) points: varied variances and correlations including |rho| near 1 and negative.
const points: [number, number, number][] = [];
for (const [c1, c2] of [[1, 1], [0.3, 2.2], [1.7, 0.6]]) {
  for (const rho of [-0.95, -0.4, 0, 0.3, 0.8, 0.99]) {
    points.push([rho * Math.sqrt(c1 * c2), c1, c2]);
  }
}

function quadrature(act: DualActivation, degree: number): DualActivation {
  return numericalDual({
    name: "q",
    f: act.f,
    df: act.df,
    wgslF: "x",
    apply: (x) => x,
    degree,
  });
}

Deno.test("closed forms match Gauss-Hermite quadrature (smooth activations, 1e-7)", () => {
  for (const act of smooth) {
    const q = quadrature(act, 48);
    for (const [k, c1, c2] of points) {
      const [t, td] = act.dual(k, c1, c2);
      const [tq, tdq] = q.dual(k, c1, c2);
      const scale = Math.max(1, Math.abs(t));
      assert.ok(Math.abs(t - tq) < 1e-7 * scale, `${act.name} T(${k},${c1},${c2}): ${t} vs ${tq}`);
      const dscale = Math.max(1, Math.abs(td));
      assert.ok(
        Math.abs(td - tdq) < 1e-7 * dscale,
        `${act.name} Tdot(${k},${c1},${c2}): ${td} vs ${tdq}`,
      );
    }
  }
});

Deno.test("quadrature converges to the closed forms of kinked activations (O(1/degree))", () => {
  for (const act of kinked) {
    const err = (degree: number) => {
      const q = quadrature(act, degree);
      let m = 0;
      for (const [k, c1, c2] of points) {
        m = Math.max(
          m,
          Math.abs(act.dual(k, c1, c2)[0] - q.dual(k, c1, c2)[0]) / Math.sqrt(c1 * c2),
        );
      }
      return m;
    };
    const e16 = err(16), e64 = err(64);
    assert.ok(e64 < 1e-2, `${act.name}: max relative error ${e64} at degree 64`);
    assert.ok(e64 < 0.6 * e16, `${act.name}: no convergence (${e16} -> ${e64})`);
  }
});

Deno.test("closed forms match Monte Carlo expectations (z < 4.5, fixed seed)", () => {
  const r = rng(1234);
  const S = 120_000;
  const z = new Float64Array(2 * S);
  for (let i = 0; i < S; i++) {
    const u1 = 1 - r(), u2 = r();
    const m = Math.sqrt(-2 * Math.log(u1));
    z[2 * i] = m * Math.cos(2 * Math.PI * u2);
    z[2 * i + 1] = m * Math.sin(2 * Math.PI * u2);
  }
  for (const act of [...kinked, ...smooth.slice(0, 8)]) {
    for (const [k, c1, c2] of [points[3], points[7], points[10], points[16]]) {
      const s1 = Math.sqrt(c1), s2 = Math.sqrt(c2);
      const rho = k / (s1 * s2), rc = Math.sqrt(1 - rho * rho);
      for (const which of [0, 1] as const) {
        const g = which === 0 ? act.f : act.df;
        let m1 = 0, m2 = 0;
        for (let i = 0; i < S; i++) {
          const u = s1 * z[2 * i], v = s2 * (rho * z[2 * i] + rc * z[2 * i + 1]);
          const p = g(u) * g(v);
          m1 += p;
          m2 += p * p;
        }
        const mean = m1 / S, se = Math.sqrt(Math.max(m2 / S - mean * mean, 0) / S);
        const exact = act.dual(k, c1, c2)[which];
        const zscore = Math.abs(mean - exact) / Math.max(se, 1e-12);
        assert.ok(
          zscore < 4.5,
          `${act.name} ${which ? "Tdot" : "T"}: MC ${mean} +- ${se}, exact ${exact}`,
        );
      }
    }
  }
});

Deno.test("Tdot = dT/dk (Price's theorem), including the derived GELU Tdot", () => {
  for (const act of [...smooth, ...kinked]) {
    for (const [k, c1, c2] of points) {
      if (Math.abs(k) > 0.9 * Math.sqrt(c1 * c2)) continue; // keep away from the kink at |rho| = 1
      const h = 1e-5;
      const fd = (act.dual(k + h, c1, c2)[0] - act.dual(k - h, c1, c2)[0]) / (2 * h);
      const td = act.dual(k, c1, c2)[1];
      assert.ok(
        Math.abs(fd - td) < 1e-6 * Math.max(1, Math.abs(td)),
        `${act.name}: ${fd} vs ${td}`,
      );
    }
  }
});

Deno.test("diag(c) equals T(c; c, c)", () => {
  for (const act of [...smooth, ...kinked]) {
    for (const c of [0, 0.1, 1, 3.7]) {
      const a = act.diag(c), b = act.dual(c, c, c)[0];
      assert.ok(
        Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)),
        `${act.name} diag(${c}): ${a} vs ${b}`,
      );
    }
  }
});

Deno.test("known values: ReLU arc-cosine, erf arcsine, monomial moments", () => {
  // ReLU at rho = 0: E[relu(u)]^2 = c/(2 pi) for c1 = c2 = c
  assert.ok(Math.abs(reluDual().dual(0, 2, 2)[0] - 2 / (2 * Math.PI)) < 1e-15);
  assert.equal(reluDual().dual(0, 2, 2)[1], 0.25);
  // ReLU at rho = 0.5 (theta = pi/3): (sin + (pi - theta) cos) / (2 pi)
  const th = Math.PI / 3;
  const want = (Math.sin(th) + (Math.PI - th) * Math.cos(th)) / (2 * Math.PI);
  assert.ok(Math.abs(reluDual().dual(0.5, 1, 1)[0] - want) < 1e-15);
  assert.ok(Math.abs(reluDual().dual(0.5, 1, 1)[1] - 1 / 3) < 1e-15);
  // erf: (2/pi) asin(2k / sqrt((1+2c1)(1+2c2)))
  assert.ok(Math.abs(erfDual().dual(0.5, 1, 1)[0] - (2 / Math.PI) * Math.asin(1 / 3)) < 1e-15);
  // x^2: E[u^2 v^2] = c1 c2 + 2 k^2; Tdot = 4 k
  const [t2, d2] = monomialDual(2).dual(0.3, 1.5, 2);
  assert.ok(Math.abs(t2 - (3 + 2 * 0.09)) < 1e-12 && Math.abs(d2 - 1.2) < 1e-12);
  // x^4 diagonal: E u^8 = 105 c^4
  assert.ok(Math.abs(monomialDual(4).diag(1.1) - 105 * 1.1 ** 4) < 1e-9);
});

Deno.test("invalid activation parameters throw InvalidArgumentError", () => {
  assert.throws(() => monomialDual(-1), InvalidArgumentError);
  assert.throws(() => monomialDual(2.5), InvalidArgumentError);
  assert.throws(() => rbfDual(0), InvalidArgumentError);
  assert.throws(() => erfDual(NaN), InvalidArgumentError);
  assert.throws(
    () => numericalDual({ name: "bad name", f: Math.tanh, wgslF: "tanh(x)", apply: tanh }),
    InvalidArgumentError,
  );
  assert.throws(
    () => numericalDual({ name: "t", f: Math.tanh, wgslF: "tanh(x)", apply: tanh, degree: 1 }),
    InvalidArgumentError,
  );
  void erfOp;
});
