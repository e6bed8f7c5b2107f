/**
 * Dual activations: closed-form Gaussian expectations that turn a pointwise nonlinearity into a
 * map on covariances (the "Q/C maps" of infinitely wide layers).
 *
 * For (u, v) ~ N(0, [[c1, k], [k, c2]]) an activation phi has the dual kernel
 * `T(k) = E[phi(u) phi(v)]` (the NNGP map) and the derivative kernel
 * `Tdot(k) = E[phi'(u) phi'(v)]` (which multiplies the NTK). Each {@link DualActivation} carries
 * the same formula three times: as a host f64 function (`dual`, used for references and tests),
 * as WGSL (`wgsl`, used by the fused GPU kernels), and as a tensor op (`apply`, used by finite
 * networks). Formulas:
 * - ReLU / ABReLU / LeakyReLU / Abs: the arc-cosine kernel of Cho & Saul (2009), "Kernel Methods
 *   for Deep Learning"; ABReLU written as alpha x + beta |x| with alpha = (a+b)/2, beta = (b-a)/2.
 * - Erf (and the sigmoid-like erf): Williams (1997), "Computing with infinite networks".
 * - GELU: Tsuchida, Pearce, van der Heide, Roosta & Gallagher (2021), "Avoiding kernel fixed
 *   points: computing with ELU and GELU infinite networks"; Tdot derived here as dT/dk
 *   (Price's theorem), which is the same expectation.
 * - Sin / Cos / RBF features: E[sin(bu+c) sin(bv+c)] from the Gaussian characteristic function.
 * - Monomial x^p: Mehler's expansion in Hermite polynomials, written as a polynomial in k.
 * Conventions follow neural-tangents (Novak et al. 2020).
 *
 * The WGSL uses `p_asin`, `p_acos` and `p_atan` from the fused-kernel prelude (accurate to a few
 * ULP; WGSL's built-ins only promise 4096 ULP).
 *
 * @example
 * ```ts
 * import { reluDual } from "./dual_activations.ts";
 * const [t, tdot] = reluDual().dual(0.5, 1, 1);
 * console.log(t.toFixed(4), tdot.toFixed(4)); // "0.3045" "0.3333"
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { add, cos as cosOp, erf as erfOp, gelu, mul, relu, sin as sinOp, sub } from "../gpu/mod.ts";
import type { Tensor } from "../gpu/mod.ts";
import { erf, normalCdf, normalPdf } from "./special_functions.ts";

/**
 * A nonlinearity together with its dual (infinite-width) kernel maps.
 *
 * @example
 * ```ts
 * import { erfDual } from "./dual_activations.ts";
 * const act = erfDual();
 * console.log(act.name, act.params); // "erf" [1, 1, 0, 0]
 * ```
 */
export interface DualActivation {
  /** Short name, e.g. `"relu"`. */
  readonly name: string;
  /** Up to four numeric parameters, passed to the WGSL functions as `q: vec4<f32>`. */
  readonly params: readonly number[];
  /** The activation as a host f64 function. */
  f(x: number): number;
  /** Its derivative as a host f64 function. */
  df(x: number): number;
  /** `[T, Tdot]` in f64 for cross-covariance `k` and variances `c1`, `c2`. */
  dual(k: number, c1: number, c2: number): [number, number];
  /** `T(c, c, c)`: the variance map, in f64. */
  diag(c: number): number;
  /** WGSL defining `fn <wgslName>(k, c1, c2: f32, q: vec4<f32>) -> vec2<f32>` and `<wgslName>_diag`. */
  readonly wgsl: string;
  /** Name of the WGSL function (unique per generated source). */
  readonly wgslName: string;
  /** The activation applied to a tensor (differentiable), for finite networks. */
  apply(x: Tensor): Tensor;
}

function checkFinite(where: string, fields: Record<string, number>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (!Number.isFinite(v)) {
      throw new InvalidArgumentError(`${where}: ${k} must be a finite number, got ${v}`);
    }
  }
}

function pad4(p: number[]): number[] {
  while (p.length < 4) p.push(0);
  return p;
}

const ABRELU_WGSL = `
fn act_abrelu(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  // q = (a, b): phi(x) = a min(x,0) + b max(x,0) = alpha x + beta |x| (Cho & Saul arc-cosine).
  let al = 0.5 * (q.x + q.y);
  let be = 0.5 * (q.y - q.x);
  let s = sqrt(max(c1 * c2, 0.0));
  // Correlations within 4 ULP of +-1 are +-1: f32 cannot resolve angles below ~sqrt(eps), and
  // snapping keeps identical inputs exact (theta = 0) instead of ~5e-4 off.
  let cr = clamp(k / max(s, 1e-30), -1.0, 1.0);
  let cs = select(cr, sign(cr), abs(cr) > 0.99999952);
  let th = p_acos(cs);
  let sn = sqrt(max(1.0 - cs * cs, 0.0));
  let absabs = 0.6366197723675814 * s * (sn + (1.5707963267948966 - th) * cs);
  let t = al * al * k + be * be * absabs;
  let td = (q.x * q.x + q.y * q.y) * (3.141592653589793 - th) * 0.15915494309189535
    + q.x * q.y * th * 0.3183098861837907;
  return vec2<f32>(t, td);
}
fn act_abrelu_diag(c: f32, q: vec4<f32>) -> f32 {
  return 0.5 * (q.x * q.x + q.y * q.y) * c;
}`;

/**
 * ABReLU: phi(x) = a x for x < 0, b x for x > 0 (ReLU is a = 0, b = 1).
 *
 * @example
 * ```ts
 * import { abReluDual } from "./dual_activations.ts";
 * console.log(abReluDual(-1, 1).diag(2)); // 2 (|x|: E x^2)
 * ```
 */
export function abReluDual(a: number, b: number, name = "ab_relu"): DualActivation {
  checkFinite("abRelu", { a, b });
  const al = 0.5 * (a + b), be = 0.5 * (b - a);
  return {
    name,
    params: pad4([a, b]),
    f: (x) => (x < 0 ? a * x : b * x),
    df: (x) => (x < 0 ? a : b),
    dual(k, c1, c2) {
      const s = Math.sqrt(Math.max(c1 * c2, 0));
      const cs = Math.min(1, Math.max(-1, k / Math.max(s, 1e-300)));
      const th = Math.acos(cs);
      const sn = Math.sqrt(Math.max(1 - cs * cs, 0));
      // E|u||v| = (2/pi) s (sin th + (pi/2 - th) cos th)
      const absabs = (2 / Math.PI) * s * (sn + (Math.PI / 2 - th) * cs);
      const t = al * al * k + be * be * absabs;
      const td = (a * a + b * b) * (Math.PI - th) / (2 * Math.PI) + a * b * th / Math.PI;
      return [t, td];
    },
    diag: (c) => 0.5 * (a * a + b * b) * c,
    wgsl: ABRELU_WGSL,
    wgslName: "act_abrelu",
    apply(x) {
      if (a === 0 && b === 1) return relu(x);
      // b relu(x) - a relu(-x)
      return sub(mul(relu(x), b), mul(relu(mul(x, -1)), a));
    },
  };
}

/**
 * ReLU, max(x, 0): T = s (sin th + (pi - th) cos th) / (2 pi), Tdot = (pi - th) / (2 pi).
 *
 * @example
 * ```ts
 * import { reluDual } from "./dual_activations.ts";
 * console.log(reluDual().diag(3)); // 1.5
 * ```
 */
export function reluDual(): DualActivation {
  return abReluDual(0, 1, "relu");
}

/**
 * Leaky ReLU with negative slope `alpha` (ABReLU with a = alpha, b = 1).
 *
 * @example
 * ```ts
 * import { leakyReluDual } from "./dual_activations.ts";
 * console.log(leakyReluDual(0.1).f(-2)); // -0.2
 * ```
 */
export function leakyReluDual(alpha = 0.01): DualActivation {
  return abReluDual(alpha, 1, "leaky_relu");
}

/**
 * Absolute value |x| (ABReLU with a = -1, b = 1).
 *
 * @example
 * ```ts
 * import { absDual } from "./dual_activations.ts";
 * console.log(absDual().dual(0, 1, 1)[0].toFixed(4)); // "0.6366" (2/pi)
 * ```
 */
export function absDual(): DualActivation {
  return abReluDual(-1, 1, "abs");
}

const ERF_WGSL = `
fn act_erf(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  // q = (a, b, c): phi(x) = a erf(b x) + c (Williams 1997).
  let b2 = 2.0 * q.y * q.y;
  let d1 = 1.0 + b2 * c1;
  let d2 = 1.0 + b2 * c2;
  let r = clamp(b2 * k / sqrt(d1 * d2), -1.0, 1.0);
  let t = q.x * q.x * 0.6366197723675814 * p_asin(r) + q.z * q.z;
  let det = max(d1 * d2 - b2 * b2 * k * k, 1e-30);
  let td = q.x * q.x * 2.0 * b2 * 0.3183098861837907 / sqrt(det);
  return vec2<f32>(t, td);
}
fn act_erf_diag(c: f32, q: vec4<f32>) -> f32 {
  let b2c = 2.0 * q.y * q.y * c;
  return q.x * q.x * 0.6366197723675814 * p_asin(b2c / (1.0 + b2c)) + q.z * q.z;
}`;

/**
 * phi(x) = a erf(b x) + c (Williams 1997):
 * T = a^2 (2/pi) asin(2 b^2 k / sqrt((1 + 2 b^2 c1)(1 + 2 b^2 c2))) + c^2,
 * Tdot = a^2 (4 b^2 / pi) / sqrt((1 + 2 b^2 c1)(1 + 2 b^2 c2) - 4 b^4 k^2).
 *
 * @example
 * ```ts
 * import { erfDual } from "./dual_activations.ts";
 * console.log(erfDual(1, 1, 0).dual(0, 1, 1)); // [0, 0.4244...]
 * ```
 */
export function erfDual(a = 1, b = 1, c = 0, name = "erf"): DualActivation {
  checkFinite("erf", { a, b, c });
  const b2 = 2 * b * b;
  return {
    name,
    params: pad4([a, b, c]),
    f: (x) => a * erf(b * x) + c,
    df: (x) => a * b * (2 / Math.sqrt(Math.PI)) * Math.exp(-b * b * x * x),
    dual(k, c1, c2) {
      const d1 = 1 + b2 * c1, d2 = 1 + b2 * c2;
      const r = Math.min(1, Math.max(-1, (b2 * k) / Math.sqrt(d1 * d2)));
      const t = a * a * (2 / Math.PI) * Math.asin(r) + c * c;
      const det = Math.max(d1 * d2 - b2 * b2 * k * k, 1e-300);
      const td = (a * a * 2 * b2) / Math.PI / Math.sqrt(det);
      return [t, td];
    },
    diag: (v) => a * a * (2 / Math.PI) * Math.asin((b2 * v) / (1 + b2 * v)) + c * c,
    wgsl: ERF_WGSL,
    wgslName: "act_erf",
    apply(x) {
      const e = erfOp(b === 1 ? x : mul(x, b));
      const s = a === 1 ? e : mul(e, a);
      return c === 0 ? s : add(s, c);
    },
  };
}

/** neural-tangents' sigmoid-like erf: 0.5 erf(x / 2.4020563531719796) + 0.5. */
const SIGMOID_SCALE = 2.4020563531719796;

/**
 * A sigmoid-shaped erf, 0.5 erf(x / 2.4020563531719796) + 0.5, whose dual kernel is closed form.
 *
 * @example
 * ```ts
 * import { sigmoidLikeDual } from "./dual_activations.ts";
 * console.log(sigmoidLikeDual().f(0)); // 0.5
 * ```
 */
export function sigmoidLikeDual(): DualActivation {
  return erfDual(0.5, 1 / SIGMOID_SCALE, 0.5, "sigmoid_like");
}

const GELU_WGSL = `
fn act_gelu(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  // phi(x) = x Phi(x) (Tsuchida et al. 2021); Tdot = dT/dk.
  let qq = (1.0 + c1) * (1.0 + c2);
  let dl2 = max(qq - k * k, 1.0);
  let dl = sqrt(dl2);
  let an = p_atan(k / dl);
  let t = 0.25 * k + 0.15915494309189535 * (k * an + (k * k + c1 * c2 * dl2) / (qq * dl));
  let td = 0.25 + 0.15915494309189535 * (an + k / dl * (1.0 + (1.0 - c1 * c2) / qq + 1.0 / dl2));
  return vec2<f32>(t, td);
}
fn act_gelu_diag(c: f32, q: vec4<f32>) -> f32 {
  let r = sqrt(1.0 + 2.0 * c);
  return 0.25 * c + 0.15915494309189535 * (c * p_atan(c / r) + 2.0 * c * c / ((1.0 + c) * r));
}`;

/**
 * GELU, x Phi(x) (exact, erf form). With q = (1 + c1)(1 + c2), D^2 = q - k^2,
 * a = atan(k / D): T = k/4 + (k a + (k^2 + c1 c2 D^2) / (q D)) / (2 pi) and
 * Tdot = 1/4 + (a + (k / D)(1 + (1 - c1 c2)/q + 1/D^2)) / (2 pi).
 *
 * @example
 * ```ts
 * import { geluDual } from "./dual_activations.ts";
 * console.log(geluDual().dual(0, 1, 1)[1]); // 0.25
 * ```
 */
export function geluDual(): DualActivation {
  return {
    name: "gelu",
    params: [0, 0, 0, 0],
    f: (x) => x * normalCdf(x),
    df: (x) => normalCdf(x) + x * normalPdf(x),
    dual(k, c1, c2) {
      const q = (1 + c1) * (1 + c2);
      const dl2 = Math.max(q - k * k, 1);
      const dl = Math.sqrt(dl2);
      const an = Math.atan2(k, dl);
      const t = 0.25 * k + (k * an + (k * k + c1 * c2 * dl2) / (q * dl)) / (2 * Math.PI);
      const td = 0.25 + (an + (k / dl) * (1 + (1 - c1 * c2) / q + 1 / dl2)) / (2 * Math.PI);
      return [t, td];
    },
    diag(c) {
      const r = Math.sqrt(1 + 2 * c);
      return 0.25 * c + (c * Math.atan2(c, r) + (2 * c * c) / ((1 + c) * r)) / (2 * Math.PI);
    },
    wgsl: GELU_WGSL,
    wgslName: "act_gelu",
    apply: (x) => gelu(x),
  };
}

const SIN_WGSL = `
fn act_sin(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  // q = (a, b, c): phi(x) = a sin(b x + c).
  let bb = q.y * q.y;
  let em = exp(-0.5 * bb * (c1 + c2 - 2.0 * k));
  let ep = exp(-0.5 * bb * (c1 + c2 + 2.0 * k)) * cos(2.0 * q.z);
  let a2 = q.x * q.x;
  return vec2<f32>(0.5 * a2 * (em - ep), 0.5 * a2 * bb * (em + ep));
}
fn act_sin_diag(c: f32, q: vec4<f32>) -> f32 {
  return 0.5 * q.x * q.x * (1.0 - exp(-2.0 * q.y * q.y * c) * cos(2.0 * q.z));
}`;

/**
 * phi(x) = a sin(b x + c):
 * T = a^2/2 [exp(-b^2 (c1 + c2 - 2k)/2) - exp(-b^2 (c1 + c2 + 2k)/2) cos 2c],
 * Tdot = a^2 b^2/2 [exp(-b^2 (c1 + c2 - 2k)/2) + exp(-b^2 (c1 + c2 + 2k)/2) cos 2c].
 *
 * @example
 * ```ts
 * import { sinDual } from "./dual_activations.ts";
 * console.log(sinDual().diag(0)); // 0
 * ```
 */
export function sinDual(a = 1, b = 1, c = 0, name = "sin"): DualActivation {
  checkFinite("sin", { a, b, c });
  const bb = b * b, cos2c = Math.cos(2 * c);
  return {
    name,
    params: pad4([a, b, c]),
    f: (x) => a * Math.sin(b * x + c),
    df: (x) => a * b * Math.cos(b * x + c),
    dual(k, c1, c2) {
      const em = Math.exp(-0.5 * bb * (c1 + c2 - 2 * k));
      const ep = Math.exp(-0.5 * bb * (c1 + c2 + 2 * k)) * cos2c;
      return [0.5 * a * a * (em - ep), 0.5 * a * a * bb * (em + ep)];
    },
    diag: (v) => 0.5 * a * a * (1 - Math.exp(-2 * bb * v) * cos2c),
    wgsl: SIN_WGSL,
    wgslName: "act_sin",
    apply(x) {
      const z = c === 0 ? (b === 1 ? x : mul(x, b)) : add(mul(x, b), c);
      const s = sinOp(z);
      return a === 1 ? s : mul(s, a);
    },
  };
}

/**
 * phi(x) = a cos(b x + c) (a sine shifted by pi/2).
 *
 * @example
 * ```ts
 * import { cosDual } from "./dual_activations.ts";
 * console.log(cosDual().diag(0)); // 1
 * ```
 */
export function cosDual(a = 1, b = 1, c = 0): DualActivation {
  checkFinite("cos", { a, b, c });
  const s = sinDual(a, b, c + Math.PI / 2, "cos");
  return {
    ...s,
    f: (x) => a * Math.cos(b * x + c),
    df: (x) => -a * b * Math.sin(b * x + c),
    apply(x) {
      const z = c === 0 ? (b === 1 ? x : mul(x, b)) : add(mul(x, b), c);
      const r = cosOp(z);
      return a === 1 ? r : mul(r, a);
    },
  };
}

/**
 * Random Fourier features of the RBF kernel, phi(x) = sqrt(2) sin(sqrt(2 gamma) x + pi/4):
 * T = exp(-gamma (c1 + c2 - 2k)), Tdot = 2 gamma T.
 *
 * @example
 * ```ts
 * import { rbfDual } from "./dual_activations.ts";
 * console.log(rbfDual(0.5).dual(1, 1, 1)[0]); // 1
 * ```
 */
export function rbfDual(gamma = 1): DualActivation {
  if (!(gamma > 0) || !Number.isFinite(gamma)) {
    throw new InvalidArgumentError(`rbf: gamma must be a positive finite number, got ${gamma}`);
  }
  return sinDual(Math.SQRT2, Math.sqrt(2 * gamma), Math.PI / 4, "rbf");
}

/** Coefficients C_m of E[u^p v^p] = sum_m C_m k^(p-2m) (c1 c2)^m. */
function monomialCoefficients(p: number): number[] {
  // x^p = sum_m p!/(2^m m! (p-2m)!) He_{p-2m}(x) and E[He_j He_l] = delta_jl j! rho^j (Mehler).
  const fact = (n: number) => {
    let r = 1;
    for (let i = 2; i <= n; i++) r *= i;
    return r;
  };
  const out: number[] = [];
  for (let m = 0; 2 * m <= p; m++) {
    const a = fact(p) / (2 ** m * fact(m) * fact(p - 2 * m));
    out.push(a * a * fact(p - 2 * m));
  }
  return out;
}

function polyWgsl(p: number): string {
  if (p === 0) return "1.0";
  const cs = monomialCoefficients(p);
  // sum_m C_m k^(p-2m) g^m with g = c1 c2
  return cs.map((c, m) => `${c.toExponential(17)} * pow_i(k, ${p - 2 * m}u) * pow_i(g, ${m}u)`)
    .join(" + ");
}

/**
 * The monomial x^p (integer p >= 0):
 * T = sum_m C_m k^(p-2m) (c1 c2)^m with C_m = (p!)^2 / (4^m (m!)^2 (p-2m)!), and
 * Tdot = p^2 * (the same sum for p - 1).
 *
 * @example
 * ```ts
 * import { monomialDual } from "./dual_activations.ts";
 * console.log(monomialDual(2).dual(0.5, 1, 1)); // [1.5, 2] (E u^2 v^2 = 1 + 2 k^2)
 * ```
 */
export function monomialDual(degree: number): DualActivation {
  if (!Number.isInteger(degree) || degree < 0 || degree > 12) {
    throw new InvalidArgumentError(
      `monomial: degree must be an integer in 0..12, got ${degree}`,
    );
  }
  const p = degree;
  const cT = monomialCoefficients(p);
  const cD = p > 0 ? monomialCoefficients(p - 1) : [];
  const poly = (cs: number[], deg: number, k: number, g: number) =>
    cs.reduce((s, c, m) => s + c * k ** (deg - 2 * m) * g ** m, 0);
  const name = `act_mono${p}`;
  const wgsl = `
fn pow_i(x: f32, n: u32) -> f32 { var r = 1.0; for (var i = 0u; i < n; i++) { r *= x; } return r; }
fn ${name}(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  let g = c1 * c2;
  let t = ${polyWgsl(p)};
  let td = ${p === 0 ? "0.0" : `${p * p}.0 * (${polyWgsl(p - 1)})`};
  return vec2<f32>(t, td);
}
fn ${name}_diag(c: f32, q: vec4<f32>) -> f32 { return ${name}(c, c, c, q).x; }`;
  return {
    name: `monomial${p}`,
    params: [0, 0, 0, 0],
    f: (x) => x ** p,
    df: (x) => (p === 0 ? 0 : p * x ** (p - 1)),
    dual: (k, c1, c2) => [
      poly(cT, p, k, c1 * c2),
      p === 0 ? 0 : p * p * poly(cD, p - 1, k, c1 * c2),
    ],
    diag: (c) => poly(cT, p, c, c * c),
    wgsl,
    wgslName: name,
    apply(x) {
      if (p === 0) return add(mul(x, 0), 1);
      let r = x;
      for (let i = 1; i < p; i++) r = mul(r, x);
      return r;
    },
  };
}

const IDENTITY_WGSL = `
fn act_identity(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> { return vec2<f32>(k, 1.0); }
fn act_identity_diag(c: f32, q: vec4<f32>) -> f32 { return c; }`;

/**
 * The identity map: T = k, Tdot = 1.
 *
 * @example
 * ```ts
 * import { identityDual } from "./dual_activations.ts";
 * console.log(identityDual().dual(0.3, 1, 2)); // [0.3, 1]
 * ```
 */
export function identityDual(): DualActivation {
  return {
    name: "identity",
    params: [0, 0, 0, 0],
    f: (x) => x,
    df: () => 1,
    dual: (k) => [k, 1],
    diag: (c) => c,
    wgsl: IDENTITY_WGSL,
    wgslName: "act_identity",
    apply: (x) => x,
  };
}
