/**
 * Dual kernels of arbitrary activations by Gauss-Hermite quadrature.
 *
 * For (u, v) ~ N(0, [[c1, k], [k, c2]]) write u = sqrt(c1) z1 and
 * v = sqrt(c2) (rho z1 + sqrt(1 - rho^2) z2) with rho = k / sqrt(c1 c2) and z1, z2 independent
 * standard normals; then E[phi(u) phi(v)] is a double sum over `degree` x `degree` Gauss-Hermite
 * nodes (exact for polynomials up to degree 2 * degree - 1 in each variable). The same sum runs
 * in f64 on the host (`dual`) and in f32 in the fused GPU kernel (the WGSL loops over nodes
 * baked into the shader). Smooth activations converge quickly; kinks (ReLU) converge slowly,
 * so prefer the closed forms in `dual_activations.ts` where they exist.
 *
 * @example
 * ```ts
 * import { numericalDual } from "./numerical_dual.ts";
 * import { tanh } from "../gpu/mod.ts";
 * const act = numericalDual({ name: "tanh", f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2,
 *   wgslF: "tanh(x)", wgslDf: "1.0 - tanh(x) * tanh(x)", apply: tanh });
 * console.log(act.dual(0, 1, 1)[0]); // 0 (tanh is odd)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import type { Tensor } from "../gpu/mod.ts";
import type { DualActivation } from "./dual_activations.ts";
import { gaussHermite } from "./linalg/eigh.ts";

/**
 * Options of {@link numericalDual}.
 *
 * @example
 * ```ts
 * import type { NumericalDualOptions } from "./numerical_dual.ts";
 * const o: Partial<NumericalDualOptions> = { degree: 32 };
 * console.log(o.degree); // 32
 * ```
 */
export interface NumericalDualOptions {
  /** A name for the activation (letters, digits, `_`). */
  name: string;
  /** The activation in f64 (host quadrature). */
  f: (x: number) => number;
  /** Its derivative in f64; default: central difference of `f` with step 1e-5 (1 + |x|). */
  df?: (x: number) => number;
  /** The activation as a WGSL f32 expression in `x`, e.g. `"tanh(x)"`. */
  wgslF: string;
  /** Its derivative as a WGSL expression in `x`; default: central difference (step 1e-2 (1 + |x|)). */
  wgslDf?: string;
  /** The activation on tensors (for finite networks). */
  apply: (x: Tensor) => Tensor;
  /** Quadrature nodes per dimension (default 25, as neural-tangents' ElementwiseNumerical). */
  degree?: number;
}

const optionsSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a WGSL-safe identifier"),
  wgslF: z.string().min(1),
  wgslDf: z.string().min(1).optional(),
  degree: z.number().int().min(2).max(64).default(25),
});

let uid = 0;

/**
 * A {@link DualActivation} whose NNGP and NTK maps are computed by Gauss-Hermite quadrature.
 *
 * @example
 * ```ts
 * import { numericalDual } from "./numerical_dual.ts";
 * import { sinDual } from "./dual_activations.ts";
 * import { sin } from "../gpu/mod.ts";
 * const closed = sinDual();
 * const num = numericalDual({ name: "sin_q", f: closed.f, df: closed.df, wgslF: "sin(x)",
 *   wgslDf: "cos(x)", apply: sin, degree: 40 });
 * console.log(Math.abs(num.dual(0.5, 1, 1)[0] - closed.dual(0.5, 1, 1)[0]) < 1e-8); // true
 * ```
 */
export function numericalDual(options: NumericalDualOptions): DualActivation {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    throw new InvalidArgumentError(
      `numericalDual: ${iss.path.join(".") || "options"}: ${iss.message}`,
    );
  }
  if (typeof options.f !== "function" || typeof options.apply !== "function") {
    throw new InvalidArgumentError("numericalDual: f and apply must be functions");
  }
  const { name, wgslF, degree } = parsed.data;
  const f = options.f;
  const df = options.df ??
    ((x: number) => {
      const h = 1e-5 * (1 + Math.abs(x));
      return (f(x + h) - f(x - h)) / (2 * h);
    });
  const { nodes, weights } = gaussHermite(degree);
  const dual = (k: number, c1: number, c2: number): [number, number] => {
    const s1 = Math.sqrt(Math.max(c1, 0)), s2 = Math.sqrt(Math.max(c2, 0));
    const rho = Math.min(1, Math.max(-1, k / Math.max(s1 * s2, 1e-300)));
    const rc = Math.sqrt(Math.max(1 - rho * rho, 0));
    let t = 0, td = 0;
    for (let i = 0; i < degree; i++) {
      const u = s1 * nodes[i];
      const fu = f(u), dfu = df(u);
      let a = 0, b = 0;
      for (let j = 0; j < degree; j++) {
        const v = s2 * (rho * nodes[i] + rc * nodes[j]);
        a += weights[j] * f(v);
        b += weights[j] * df(v);
      }
      t += weights[i] * fu * a;
      td += weights[i] * dfu * b;
    }
    return [t, td];
  };
  const diag = (c: number): number => {
    const s = Math.sqrt(Math.max(c, 0));
    let t = 0;
    for (let i = 0; i < degree; i++) t += weights[i] * f(s * nodes[i]) ** 2;
    return t;
  };
  const fn = `act_num${uid++}_${name}`;
  const dfExpr = parsed.data.wgslDf ??
    `(${fn}_f(x + 1e-2 * (1.0 + abs(x))) - ${fn}_f(x - 1e-2 * (1.0 + abs(x)))) / (2e-2 * (1.0 + abs(x)))`;
  const arr = (xs: Float64Array) =>
    `array<f32, ${degree}>(${[...xs].map((v) => v.toExponential(9)).join(", ")})`;
  const wgsl = `
var<private> ${fn}_xs: array<f32, ${degree}> = ${arr(nodes)};
var<private> ${fn}_ws: array<f32, ${degree}> = ${arr(weights)};
fn ${fn}_f(x: f32) -> f32 { return ${wgslF}; }
fn ${fn}_df(x: f32) -> f32 { return ${dfExpr}; }
fn ${fn}(k: f32, c1: f32, c2: f32, q: vec4<f32>) -> vec2<f32> {
  // Gauss-Hermite quadrature (${degree} x ${degree} nodes) over the bivariate normal.
  let s1 = sqrt(max(c1, 0.0));
  let s2 = sqrt(max(c2, 0.0));
  let rho = clamp(k / max(s1 * s2, 1e-30), -1.0, 1.0);
  let rc = sqrt(max(1.0 - rho * rho, 0.0));
  var t = 0.0;
  var td = 0.0;
  for (var i = 0u; i < ${degree}u; i++) {
    let u = s1 * ${fn}_xs[i];
    var a = 0.0;
    var b = 0.0;
    for (var j = 0u; j < ${degree}u; j++) {
      let v = s2 * (rho * ${fn}_xs[i] + rc * ${fn}_xs[j]);
      a += ${fn}_ws[j] * ${fn}_f(v);
      b += ${fn}_ws[j] * ${fn}_df(v);
    }
    t += ${fn}_ws[i] * ${fn}_f(u) * a;
    td += ${fn}_ws[i] * ${fn}_df(u) * b;
  }
  return vec2<f32>(t, td);
}
fn ${fn}_diag(c: f32, q: vec4<f32>) -> f32 {
  let s = sqrt(max(c, 0.0));
  var t = 0.0;
  for (var i = 0u; i < ${degree}u; i++) { let y = ${fn}_f(s * ${fn}_xs[i]); t += ${fn}_ws[i] * y * y; }
  return t;
}`;
  return {
    name,
    params: [0, 0, 0, 0],
    f,
    df,
    dual,
    diag,
    wgsl,
    wgslName: fn,
    apply: options.apply,
  };
}
