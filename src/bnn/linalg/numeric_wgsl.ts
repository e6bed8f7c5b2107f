/**
 * WGSL arithmetic for the batched linear-algebra kernels, in two precisions behind one interface:
 * `"df64"` (double-float: a value is an unevaluated sum hi + lo of two f32s, ~48-bit mantissa;
 * Dekker 1971, Knuth's two-sum, FMA two-product, as in QD/DSFUN) and plain `"f32"`.
 *
 * Both define `alias R` (the storage element: `vec2<f32>` or `f32`) and `r_add r_sub r_mul r_div
 * r_sqrt r_log r_from(f32) r_hi(R) r_f32(R)`, so one kernel source serves both; a kernel calls
 * `r_init(probe, zero)` first with {@link FMA_PROBE} and 0u from its uniform block. WGSL has no f64 (DESIGN.md principle 4); df64 is the GPU's precise
 * path. It needs IEEE f32 adds without reassociation (SPIR-V without fast-math) and exact
 * products: WGSL's `fma` is fused on NVIDIA but evaluated as multiply-then-add on Mesa llvmpipe,
 * so `r_init` probes it at run time and falls back to Dekker's split. Shader compilers may also
 * rewrite float algebra (Mesa reassociates ops SPIR-V does not mark exact, which naga cannot
 * request); routing every intermediate through an integer XOR with an opaque uniform 0 stops that.
 * `tests/bnn/batched_cholesky_test.ts` checks df64 against f64 on the adapter in use.
 *
 * @example
 * ```ts
 * import { numericWgsl } from "./numeric_wgsl.ts";
 * console.log(numericWgsl("df64").includes("fn r_mul")); // true
 * ```
 * @module
 */

/** Arithmetic precision of a batched linear-algebra kernel. */
export type Precision = "f32" | "df64";

/**
 * The probe value kernels pass to `r_init` (through a uniform, so it is not constant-folded):
 * f32(sqrt 2), whose square is not representable in f32.
 *
 * @example
 * ```ts
 * import { FMA_PROBE } from "./numeric_wgsl.ts";
 * console.log(FMA_PROBE * FMA_PROBE !== 2); // true
 * ```
 */
export const FMA_PROBE: number = Math.fround(Math.SQRT2);

/**
 * f32 words per stored element in `precision` (2 for df64, 1 for f32).
 *
 * @example
 * ```ts
 * import { wordsPer } from "./numeric_wgsl.ts";
 * console.log(wordsPer("df64")); // 2
 * ```
 */
export function wordsPer(precision: Precision): 1 | 2 {
  return precision === "df64" ? 2 : 1;
}

const DF64 = `
alias R = vec2<f32>;
// Shader compilers may rewrite float expressions algebraically (Mesa's NIR does so for ops not
// marked exact: it reassociates and cancels, e.g. s - (s - a) -> a), which would erase the
// rounding errors df64 tracks. o_() passes every intermediate through an integer XOR with zero_,
// a 0 the compiler cannot see (it comes from a uniform): no float rewrite crosses it.
var<private> zero_: u32;
var<private> fused_fma: bool;
fn o_(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ zero_); }
// Exact products: fma where the adapter fuses it (NVIDIA), Dekker's split where WGSL's fma is
// evaluated as a separate multiply and add (Mesa llvmpipe); r_init picks with a probe value.
fn r_init(probe: f32, zero: u32) {
  zero_ = zero;
  let pp = o_(probe * probe);
  fused_fma = o_(fma(probe, probe, -pp)) != 0.0;
}
fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = o_(a + b);
  let bb = o_(s - a);
  let v = o_(s - bb);
  return vec2<f32>(s, o_(o_(a - v) + o_(b - bb)));
}
fn quick_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = o_(a + b);
  return vec2<f32>(s, o_(b - o_(s - a)));
}
fn split_(a: f32) -> vec2<f32> {
  let c = o_(4097.0 * a);
  let hi = o_(c - o_(c - a));
  return vec2<f32>(hi, o_(a - hi));
}
fn two_prod(a: f32, b: f32) -> vec2<f32> {
  let p = o_(a * b);
  if (fused_fma) { return vec2<f32>(p, o_(fma(a, b, -p))); }
  let x = split_(a);
  let y = split_(b);
  return vec2<f32>(p, o_(o_(o_(o_(x.x * y.x) - p) + o_(x.x * y.y) + o_(x.y * y.x)) + o_(x.y * y.y)));
}
fn r_from(a: f32) -> R { return vec2<f32>(a, 0.0); }
fn r_hi(a: R) -> f32 { return a.x; }
fn r_f32(a: R) -> f32 { return a.x + a.y; }
fn r_add(a: R, b: R) -> R {
  var s = two_sum(a.x, b.x);
  let t = two_sum(a.y, b.y);
  s.y += t.x;
  s = quick_two_sum(s.x, s.y);
  s.y += t.y;
  return quick_two_sum(s.x, s.y);
}
fn r_neg(a: R) -> R { return -a; }
fn r_sub(a: R, b: R) -> R { return r_add(a, -b); }
fn r_mul(a: R, b: R) -> R {
  var p = two_prod(a.x, b.x);
  p.y += a.x * b.y + a.y * b.x;
  return quick_two_sum(p.x, p.y);
}
fn r_mul_f(a: R, b: f32) -> R {
  var p = two_prod(a.x, b);
  p.y += a.y * b;
  return quick_two_sum(p.x, p.y);
}
fn r_div(a: R, b: R) -> R {
  let q1 = a.x / b.x;
  var r = r_sub(a, r_mul_f(b, q1));
  let q2 = r.x / b.x;
  r = r_sub(r, r_mul_f(b, q2));
  let q3 = r.x / b.x;
  return r_add(quick_two_sum(q1, q2), vec2<f32>(q3, 0.0));
}
fn r_sqrt(a: R) -> R {
  if (!(a.x > 0.0)) { return vec2<f32>(sqrt(a.x), 0.0); }
  let x = sqrt(a.x);
  let e = r_sub(a, two_prod(x, x));
  return quick_two_sum(x, e.x * 0.5 / x);
}
// log(hi + lo) = log(hi) + log1p(lo / hi) ~ log(hi) + lo / hi; the f32 log(hi) is within an ulp
// of the result, so this is accurate to ~1e-7 relative of log(a), not to df64 precision.
fn r_log(a: R) -> R { return two_sum(log(a.x), a.y / a.x); }
`;

const F32 = `
alias R = f32;
fn r_init(probe: f32, zero: u32) {}
fn r_from(a: f32) -> R { return a; }
fn r_hi(a: R) -> f32 { return a; }
fn r_f32(a: R) -> f32 { return a; }
fn r_add(a: R, b: R) -> R { return a + b; }
fn r_neg(a: R) -> R { return -a; }
fn r_sub(a: R, b: R) -> R { return a - b; }
fn r_mul(a: R, b: R) -> R { return a * b; }
fn r_mul_f(a: R, b: f32) -> R { return a * b; }
fn r_div(a: R, b: R) -> R { return a / b; }
fn r_sqrt(a: R) -> R { return sqrt(a); }
fn r_log(a: R) -> R { return log(a); }
`;

/**
 * The WGSL prelude defining `R` and the `r_*` functions for `precision`.
 *
 * @example
 * ```ts
 * import { numericWgsl } from "./numeric_wgsl.ts";
 * console.log(numericWgsl("f32").includes("alias R = f32")); // true
 * ```
 */
export function numericWgsl(precision: Precision): string {
  return precision === "df64" ? DF64 : F32;
}
