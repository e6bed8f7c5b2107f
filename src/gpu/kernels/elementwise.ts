/**
 * WGSL generators for elementwise kernels: unary maps, binary maps with NumPy broadcasting,
 * and the ternary `where`.
 *
 * Same-shape operands (and tensor-with-scalar) run a vec4 kernel (4 elements per thread; pooled
 * buffers are padded to 16 bytes so the tail is safe). Broadcasting runs a strided kernel with
 * the rank baked in.
 *
 * @example
 * ```ts
 * import { unaryKernel } from "./elementwise.ts";
 * const spec = unaryKernel("exp", "f32");
 * console.log(spec.inputs, spec.outputs); // 1 1
 * ```
 * @module
 */
import type { DType } from "../dtype.ts";
import type { KernelSpec } from "../runtime.ts";
import { ENTRY, LINEAR_INDEX, wgslOffsets } from "./indexing.ts";

/** Names of elementwise unary ops. */
export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "rsqrt"
  | "square"
  | "reciprocal"
  | "sin"
  | "cos"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "erf"
  | "gelu"
  | "geluTanh"
  | "softplus"
  | "elu"
  | "selu"
  | "swish"
  | "leakyRelu"
  | "copy"
  | "step"
  | "isfinite"
  | "floor"
  | "affine";

/** Unary ops defined for integer dtypes too. */
export const INT_UNARY: ReadonlySet<UnaryOp> = new Set(["neg", "abs", "sign", "square", "copy"]);

// Expressions over `x` of type T (f32 or vec4<f32>); p.a, p.b are op parameters.
const UNARY_F32: Record<UnaryOp, string> = {
  neg: "-x",
  abs: "abs(x)",
  sign: "sign(x)",
  exp: "exp(x)",
  log: "log_(x)",
  log1p: "log1p_(x)",
  expm1: "expm1_(x)",
  sqrt: "sqrt(x)",
  rsqrt: "inverseSqrt(x)",
  square: "x * x",
  reciprocal: "T(1.0) / x",
  sin: "sin(x)",
  cos: "cos(x)",
  tanh: "tanh_(x)",
  sigmoid: "sigmoid_(x)",
  relu: "max(x, T(0.0))",
  erf: "erf_(x)",
  gelu: "gelu_(x)",
  // 0.5 (1 + tanh(u)) = sigmoid(2 u): no cancellation for x << 0.
  geluTanh: "x * sigmoid_(T(1.5957691216057308) * (x + T(0.044715) * x * x * x))",
  softplus: "max(x, T(0.0)) + log1p_(exp(-abs(x)))",
  elu: "select(T(p.a) * expm1_(x), x, x > T(0.0))",
  selu: "T(1.0507009873554805) * select(T(1.6732632423543772) * expm1_(x), x, x > T(0.0))",
  swish: "x * sigmoid_(x)",
  leakyRelu: "select(T(p.a) * x, x, x > T(0.0))",
  copy: "x",
  step: "select(T(0.0), T(1.0), x > T(0.0))",
  isfinite: "select(T(0.0), T(1.0), abs(x) <= T(3.4028234e38))",
  floor: "floor(x)",
  affine: "T(p.a) * x + T(p.b)",
};

const UNARY_INT: Partial<Record<UnaryOp, string>> = {
  neg: "-x",
  abs: "abs(x)",
  sign: "sign(x)",
  square: "x * x",
  copy: "x",
};

/**
 * The WGSL math helpers of the unary kernels over T (f32 or vec4<f32>), declaring `alias T`:
 * log1p_, log_, expm1_, tanh_, sigmoid_, erfc_pos_ (a >= 0), erf_ and gelu_. Fused kernels elsewhere
 * include them to compute exactly the core's functions.
 *
 * @example
 * ```ts
 * import { wgslMathHelpers } from "./elementwise.ts";
 * console.log(wgslMathHelpers("f32").includes("fn erf_(x: T) -> T")); // true
 * ```
 */
export function wgslMathHelpers(T: string): string {
  return `
alias T = ${T};
// GPU log is only absolutely accurate near 1 (WGSL: 2^-21 on [0.5, 2]; lavapipe: log1p(1e-7) was
// 19 % off with Goldberg's log(u) x / (u - 1)), so small arguments take series instead:
// log1p(x) = 2 atanh(s), s = x / (2 + x), |s| <= 1/3 on [-0.5, 1] (remainder < 2e-9 relative),
// and expm1 by Taylor on |x| < 0.5 (remainder < 1e-8 relative).
fn log1p_(x: T) -> T {
  let s = x / (T(2.0) + x);
  let s2 = s * s;
  let series = T(2.0) * s * (T(1.0) + s2 * (T(0.3333333333333333) + s2 * (T(0.2) + s2 * (T(0.14285714285714285)
    + s2 * (T(0.1111111111111111) + s2 * (T(0.09090909090909091) + s2 * (T(0.07692307692307693)
    + s2 * T(0.06666666666666667))))))));
  return select(log(T(1.0) + x), series, (x >= T(-0.5)) & (x <= T(1.0)));
}
// log itself, relative rather than absolute accuracy on [0.5, 2] (lavapipe: log(1 - 1e-5) was
// 3e-3 off): x - 1 is exact there (Sterbenz), and log1p_ takes the series.
fn log_(x: T) -> T {
  return select(log(x), log1p_(x - T(1.0)), (x >= T(0.5)) & (x <= T(2.0)));
}
fn expm1_(x: T) -> T {
  let taylor = x * (T(1.0) + x * (T(0.5) + x * (T(0.16666666666666666) + x * (T(0.041666666666666664)
    + x * (T(0.008333333333333333) + x * (T(0.001388888888888889) + x * (T(0.0001984126984126984)
    + x * T(0.0000248015873015873))))))));
  return select(exp(x) - T(1.0), taylor, abs(x) < T(0.5));
}
// The builtin tanh loses relative accuracy near 0 (lavapipe: tanh(1e-7) 19 % off); through
// expm1_ it keeps it, and e in (-1, 0] cannot overflow.
fn tanh_(x: T) -> T {
  let e = expm1_(T(-2.0) * abs(x));
  return -sign(x) * e / (e + T(2.0));
}
fn sigmoid_(x: T) -> T {
  let e = exp(-abs(x));
  return select(e / (T(1.0) + e), T(1.0) / (T(1.0) + e), x >= T(0.0));
}
// erfc(a) for a >= 0 as exp(-a^2) R(a), Numerical Recipes' erfcc Chebyshev fit (rel. err < 1.2e-7).
fn erfc_pos_(a: T) -> T {
  let t = T(1.0) / (T(1.0) + T(0.5) * a);
  return t * exp(-a * a - T(1.26551223) + t * (T(1.00002368) + t * (T(0.37409196) + t * (T(0.09678418)
    + t * (T(-0.18628806) + t * (T(0.27886807) + t * (T(-1.13520398) + t * (T(1.48851587)
    + t * (T(-0.82215223) + t * T(0.17087277))))))))));
}
// erf: Abramowitz & Stegun 7.1.26 is too coarse (1.5e-7 abs but 1e-4 rel near 0); use the
// W. J. Cody-style split: Taylor series for |x| < 0.5, 1 - erfc beyond.
fn erf_(x: T) -> T {
  let a = abs(x);
  let x2 = x * x;
  let small = x * (T(1.1283791670955126) + x2 * (T(-0.37612638903183754) + x2 * (T(0.11283791670955126)
    + x2 * (T(-0.026866170645131252) + x2 * (T(0.005223977625442188) + x2 * T(-0.0008548327023450852))))));
  let big = sign(x) * (T(1.0) - erfc_pos_(a));
  return select(big, small, a < T(0.5));
}
// gelu(x) = x (1 + erf(x / sqrt 2)) / 2 = x erfc(-x / sqrt 2) / 2: erfc on the negative tail,
// where 1 + erf cancels (it was 4 % off at x = -5 and 0 from -6 on).
fn gelu_(x: T) -> T {
  let u = x * T(0.7071067811865476);
  return select(T(0.5) * x * (T(1.0) + erf_(u)), T(0.5) * x * erfc_pos_(-u), u < T(-0.5));
}
`;
}

/** Uniform block layout for vec4/contiguous kernels: n, scalar bits, two float params. */
const P_FLAT = `struct P { n: u32, s: u32, a: f32, b: f32 };
@group(0) @binding(0) var<uniform> p: P;`;

/**
 * A contiguous unary kernel (vec4 of `dtype`). Params: [n4, 0, a, b].
 *
 * @example
 * ```ts
 * import { unaryKernel } from "./elementwise.ts";
 * console.log(unaryKernel("relu", "f32").code.includes("max(")); // true
 * ```
 */
export function unaryKernel(op: UnaryOp, dtype: DType): KernelSpec {
  const expr = dtype === "f32" ? UNARY_F32[op] : UNARY_INT[op];
  const T = `vec4<${dtype}>`;
  const code = `${dtype === "f32" ? wgslMathHelpers(T) : `alias T = ${T};`}
${P_FLAT}
@group(0) @binding(1) var<storage, read> xs: array<T>;
@group(0) @binding(2) var<storage, read_write> ys: array<T>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let x = xs[i];
  ys[i] = ${expr};
}`;
  return { code, inputs: 1, outputs: 1 };
}

/** Names of elementwise binary ops. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "equal"
  | "notEqual"
  | "less"
  | "lessEqual"
  | "greater"
  | "greaterEqual"
  | "atan2"
  | "mod"
  | "maskPositive";

function binaryExpr(op: BinaryOp, dtype: DType): string {
  const one = dtype === "f32" ? "T(1.0)" : "T(1)";
  const zero = dtype === "f32" ? "T(0.0)" : "T(0)";
  const cmp = (c: string) => `select(${zero}, ${one}, ${c})`;
  switch (op) {
    case "add":
      return "a + b";
    case "sub":
      return "a - b";
    case "mul":
      return "a * b";
    case "div":
      return "a / b";
    case "pow":
      return "pow_(a, b)";
    case "maximum":
      return dtype === "f32" ? "select(max(a, b), a + b, nan_(a) | nan_(b))" : "max(a, b)";
    case "minimum":
      return dtype === "f32" ? "select(min(a, b), a + b, nan_(a) | nan_(b))" : "min(a, b)";
    case "equal":
      return cmp("a == b");
    case "notEqual":
      return cmp("a != b");
    case "less":
      return cmp("a < b");
    case "lessEqual":
      return cmp("a <= b");
    case "greater":
      return cmp("a > b");
    case "greaterEqual":
      return cmp("a >= b");
    case "atan2":
      return "atan2(a, b)";
    case "mod":
      return dtype === "f32" ? "a - b * floor(a / b)" : "a % b";
    case "maskPositive":
      // a where b > 0, else 0: the ReLU backward in one pass.
      return `select(${zero}, a, b > ${zero})`;
  }
}

/** Binary ops defined only for f32. */
export const FLOAT_ONLY_BINARY: ReadonlySet<BinaryOp> = new Set(["pow", "atan2"]);

const POW_HELPER = `
fn pow_(a: T, b: T) -> T {
  // NumPy semantics: negative base with integer exponent is fine; 0^0 = 1.
  let mag = pow(abs(a), b);
  let isInt = floor(b) == b;
  let odd = isInt & (abs(b - T(2.0) * floor(b * T(0.5))) == T(1.0));
  let signed = select(mag, -mag, odd);
  let negBase = select(T(bitcast<f32>(0x7fc00000u)), signed, isInt);
  let r = select(mag, negBase, a < T(0.0));
  return select(r, T(1.0), b == T(0.0));
}`;

/** WGSL `nan_(x)`: a NaN test on the bits (`x != x` may be folded away by shader compilers). */
export function nanHelper(vec: boolean): string {
  return vec
    ? "fn nan_(x: vec4<f32>) -> vec4<bool> { return (bitcast<vec4<u32>>(x) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u); }"
    : "fn nan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }";
}

function scalarRead(dtype: DType): string {
  return dtype === "f32" ? "bitcast<f32>(p.s)" : dtype === "i32" ? "bitcast<i32>(p.s)" : "p.s";
}

/**
 * Binary kernel on contiguous vec4s. `mode`: "tt" both tensors of one shape, "ts" tensor op
 * uniform scalar, "st" scalar op tensor. Params: [n4, scalarBits, 0, 0].
 *
 * @example
 * ```ts
 * import { binaryFlatKernel } from "./elementwise.ts";
 * binaryFlatKernel("add", "f32", "tt").inputs; // 2
 * ```
 */
export function binaryFlatKernel(op: BinaryOp, dtype: DType, mode: "tt" | "ts" | "st"): KernelSpec {
  const T = `vec4<${dtype}>`;
  const s = `T(${scalarRead(dtype)})`;
  const [a, b] = mode === "tt"
    ? ["as_[i]", "bs[i]"]
    : mode === "ts"
    ? ["as_[i]", s]
    : [s, "as_[i]"];
  const inputs = mode === "tt" ? 2 : 1;
  const code = `alias T = ${T};${op === "pow" ? POW_HELPER : ""}
${dtype === "f32" ? nanHelper(true) : ""}
${P_FLAT}
@group(0) @binding(1) var<storage, read> as_: array<T>;
${
    mode === "tt"
      ? `@group(0) @binding(2) var<storage, read> bs: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;`
      : `@group(0) @binding(2) var<storage, read_write> out: array<T>;`
  }
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  let a = ${a};
  let b = ${b};
  out[i] = ${binaryExpr(op, dtype)};
}`;
  return { code, inputs, outputs: 1 };
}

/** Uniform layout of strided kernels: n + 3 pad, shape, then one stride block per operand. */
function pStrided(operands: string[]): string {
  return `struct P { n: u32, s: u32, a: f32, b: f32, shape: array<vec4<u32>, 2>, ${
    operands.map((o) => `${o}: array<vec4<u32>, 2>`).join(", ")
  } };
@group(0) @binding(0) var<uniform> p: P;`;
}

/**
 * Binary kernel with broadcasting over `rank` (collapsed) output dims.
 * Params: [n, 0, 0, 0, shape x8, stridesA x8, stridesB x8].
 *
 * @example
 * ```ts
 * import { binaryStridedKernel } from "./elementwise.ts";
 * binaryStridedKernel("mul", "f32", 2).inputs; // 2
 * ```
 */
export function binaryStridedKernel(op: BinaryOp, dtype: DType, rank: number): KernelSpec {
  const code = `alias T = ${dtype};${op === "pow" ? POW_HELPER : ""}
${dtype === "f32" ? nanHelper(false) : ""}
${pStrided(["sa", "sb"])}
@group(0) @binding(1) var<storage, read> as_: array<T>;
@group(0) @binding(2) var<storage, read> bs: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ${wgslOffsets(rank, "shape", ["sa", "sb"], "i")}
  let a = as_[off_0];
  let b = bs[off_1];
  out[i] = ${binaryExpr(op, dtype)};
}`;
  return { code, inputs: 2, outputs: 1 };
}

/**
 * `where(cond, a, b)` with broadcasting; cond of any dtype (nonzero = true).
 * Params: [n, 0, 0, 0, shape x8, sc x8, sa x8, sb x8].
 *
 * @example
 * ```ts
 * import { whereKernel } from "./elementwise.ts";
 * whereKernel("f32", "f32", 1).inputs; // 3
 * ```
 */
export function whereKernel(condType: DType, dtype: DType, rank: number): KernelSpec {
  const zero = condType === "f32" ? "0.0" : condType === "i32" ? "0i" : "0u";
  const code = `alias T = ${dtype};
${pStrided(["sc", "sa", "sb"])}
@group(0) @binding(1) var<storage, read> cs: array<${condType}>;
@group(0) @binding(2) var<storage, read> as_: array<T>;
@group(0) @binding(3) var<storage, read> bs: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ${wgslOffsets(rank, "shape", ["sc", "sa", "sb"], "i")}
  out[i] = select(bs[off_2], as_[off_1], cs[off_0] != ${zero});
}`;
  return { code, inputs: 3, outputs: 1 };
}

/**
 * Strided copy: out[i] = x[offset + sum_d c_d * stride_d] for output shape `shape`.
 * Serves transpose/permute, broadcastTo, slice and reversal. Params: [n, offset, 0, 0, shape x8,
 * strides x8].
 *
 * @example
 * ```ts
 * import { stridedCopyKernel } from "./elementwise.ts";
 * stridedCopyKernel("f32", 2).outputs; // 1
 * ```
 */
export function stridedCopyKernel(dtype: DType, rank: number): KernelSpec {
  const code = `alias T = ${dtype};
${pStrided(["sx"])}
@group(0) @binding(1) var<storage, read> xs: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ${wgslOffsets(rank, "shape", ["sx"], "i")}
  out[i] = xs[p.s + off_0];
}`;
  return { code, inputs: 1, outputs: 1 };
}

/**
 * Casts between dtypes elementwise. Params: [n4, 0, 0, 0].
 *
 * @example
 * ```ts
 * import { castKernel } from "./elementwise.ts";
 * castKernel("i32", "f32").inputs; // 1
 * ```
 */
export function castKernel(from: DType, to: DType): KernelSpec {
  const code = `${P_FLAT}
@group(0) @binding(1) var<storage, read> xs: array<vec4<${from}>>;
@group(0) @binding(2) var<storage, read_write> ys: array<vec4<${to}>>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.n) { return; }
  ys[i] = vec4<${to}>(xs[i]);
}`;
  return { code, inputs: 1, outputs: 1 };
}
