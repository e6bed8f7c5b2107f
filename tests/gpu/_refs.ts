/** f64 host references for elementwise ops, shared by the op and gradient tests. */
import { erfc } from "../../src/kernels_inf/special_functions.ts";

/** erf by its Taylor series (accurate to ~1e-15 for |x| < 5). */
export function erfRef(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let sum = 0, term = x;
  for (let n = 0; n < 120; n++) {
    sum += term / (2 * n + 1);
    term *= -x * x / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Logistic sigmoid. */
export const sigRef = (x: number): number => 1 / (1 + Math.exp(-x));

const SELU_A = 1.6732632423543772, SELU_S = 1.0507009873554805;

/** Reference of each unary op by name (as exported by the core). */
export const UNARY_REF: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: sigRef,
  relu: (x) => Math.max(x, 0),
  erf: erfRef,
  // erfc keeps the negative tail's relative accuracy (1 + erf cancels there, even in f64)
  gelu: (x) => 0.5 * x * erfc(-x / Math.SQRT2),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => SELU_S * (x > 0 ? x : SELU_A * Math.expm1(x)),
  swish: (x) => x * sigRef(x),
  leakyRelu: (x) => (x > 0 ? x : 0.2 * x),
};
