/**
 * Elementwise unary ops with their derivatives.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { exp, relu } from "./unary.ts";
 * const x = tensor([-1, 0, 1]);
 * console.log(await relu(x).read(), await exp(x).read());
 * ```
 * @module
 */
import { DtypeError } from "../../errors.ts";
import { INT_UNARY, unaryKernel, type UnaryOp } from "../kernels/elementwise.ts";
import { memoKernel, paramWords } from "../kernels/indexing.ts";
import { grid } from "../runtime.ts";
import { record } from "../tape.ts";
import { checkOperands, Tensor } from "../tensor.ts";
import { add, binaryRaw, div, mul, sub } from "./binary.ts";

const kernel = memoKernel(unaryKernel);

/** @internal Runs a unary kernel without recording a gradient. */
export function unaryRaw(op: UnaryOp, x: Tensor, a = 0, b = 0): Tensor {
  const rt = checkOperands(op, x);
  if (x.dtype !== "f32" && !INT_UNARY.has(op)) {
    throw new DtypeError(`${op}: expected an f32 tensor, got ${x.dtype} (use astype(x, "f32"))`);
  }
  const out = Tensor.empty(x.shape, x.dtype, op);
  const n4 = Math.ceil(x.size / 4);
  const w = paramWords();
  w.u[0] = n4;
  w.f[2] = a;
  w.f[3] = b;
  rt.dispatch(kernel(op, x.dtype), [x.buffer(op)], [out.buffer()], w.u, grid(n4));
  return out;
}

function unary(
  op: UnaryOp,
  x: Tensor,
  d: ((x: Tensor, y: Tensor, g: Tensor) => Tensor) | null,
  a = 0,
  b = 0,
): Tensor {
  const y = unaryRaw(op, x, a, b);
  if (!d) return y;
  return record(y, [x], (g) => [d(x, y, g)]);
}

/**
 * Elementwise negation, -x.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { neg } from "./unary.ts";
 * await neg(tensor([1, -2])).read(); // Float32Array [-1, 2]
 * ```
 */
export function neg(x: Tensor): Tensor {
  return unary("neg", x, (_x, _y, g) => neg(g));
}

/**
 * Elementwise absolute value (derivative sign(x), 0 at 0).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { abs } from "./unary.ts";
 * await abs(tensor([-3, 2])).read(); // Float32Array [3, 2]
 * ```
 */
export function abs(x: Tensor): Tensor {
  return unary("abs", x, (x, _y, g) => mul(g, sign(x)));
}

/**
 * Elementwise sign: -1, 0 or 1 (zero derivative).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sign } from "./unary.ts";
 * await sign(tensor([-3, 0, 2])).read(); // Float32Array [-1, 0, 1]
 * ```
 */
export function sign(x: Tensor): Tensor {
  return unary("sign", x, null);
}

/**
 * Elementwise e^x.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { exp } from "./unary.ts";
 * await exp(tensor([0, 1])).read(); // Float32Array [1, 2.718...]
 * ```
 */
export function exp(x: Tensor): Tensor {
  return unary("exp", x, (_x, y, g) => mul(g, y));
}

/**
 * Elementwise natural logarithm.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { log } from "./unary.ts";
 * await log(tensor([1, Math.E])).read(); // Float32Array [0, 1]
 * ```
 */
export function log(x: Tensor): Tensor {
  return unary("log", x, (x, _y, g) => div(g, x));
}

/**
 * Elementwise log(1 + x), accurate for small x.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { log1p } from "./unary.ts";
 * await log1p(tensor([1e-7])).read(); // Float32Array [1e-7]
 * ```
 */
export function log1p(x: Tensor): Tensor {
  return unary("log1p", x, (x, _y, g) => div(g, add(x, 1)));
}

/**
 * Elementwise e^x - 1, accurate for small x.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { expm1 } from "./unary.ts";
 * await expm1(tensor([1e-7])).read(); // Float32Array [1e-7]
 * ```
 */
export function expm1(x: Tensor): Tensor {
  return unary("expm1", x, (_x, y, g) => mul(g, add(y, 1)));
}

/**
 * Elementwise square root.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sqrt } from "./unary.ts";
 * await sqrt(tensor([4, 9])).read(); // Float32Array [2, 3]
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x, (_x, y, g) => div(mul(g, 0.5), y));
}

/**
 * Elementwise 1/sqrt(x).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { rsqrt } from "./unary.ts";
 * await rsqrt(tensor([4])).read(); // Float32Array [0.5]
 * ```
 */
export function rsqrt(x: Tensor): Tensor {
  return unary("rsqrt", x, (_x, y, g) => mul(g, mul(-0.5, mul(y, square(y)))));
}

/**
 * Elementwise x^2.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { square } from "./unary.ts";
 * await square(tensor([3])).read(); // Float32Array [9]
 * ```
 */
export function square(x: Tensor): Tensor {
  return unary("square", x, (x, _y, g) => mul(g, mul(x, 2)));
}

/**
 * Elementwise 1/x.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { reciprocal } from "./unary.ts";
 * await reciprocal(tensor([4])).read(); // Float32Array [0.25]
 * ```
 */
export function reciprocal(x: Tensor): Tensor {
  return unary("reciprocal", x, (_x, y, g) => neg(mul(g, square(y))));
}

/**
 * Elementwise sine.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sin } from "./unary.ts";
 * await sin(tensor([0])).read(); // Float32Array [0]
 * ```
 */
export function sin(x: Tensor): Tensor {
  return unary("sin", x, (x, _y, g) => mul(g, cos(x)));
}

/**
 * Elementwise cosine.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { cos } from "./unary.ts";
 * await cos(tensor([0])).read(); // Float32Array [1]
 * ```
 */
export function cos(x: Tensor): Tensor {
  return unary("cos", x, (x, _y, g) => neg(mul(g, sin(x))));
}

/**
 * Elementwise hyperbolic tangent.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { tanh } from "./unary.ts";
 * await tanh(tensor([0, 100])).read(); // Float32Array [0, 1]
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x, (_x, y, g) => mul(g, sub(1, square(y))));
}

/**
 * Elementwise logistic sigmoid 1/(1+e^-x), stable for large |x|.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { sigmoid } from "./unary.ts";
 * await sigmoid(tensor([0])).read(); // Float32Array [0.5]
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x, (_x, y, g) => mul(g, mul(y, sub(1, y))));
}

/**
 * Elementwise max(x, 0) (derivative 0 at 0).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { relu } from "./unary.ts";
 * await relu(tensor([-1, 2])).read(); // Float32Array [0, 2]
 * ```
 */
export function relu(x: Tensor): Tensor {
  return unary("relu", x, (x, _y, g) => maskPositive(g, x));
}

/** g where x > 0 else 0 (the ReLU vector-Jacobian product, one dispatch). */
function maskPositive(g: Tensor, x: Tensor): Tensor {
  return record(binaryRaw("maskPositive", g, x), [g], (gg) => [maskPositive(gg, x)]);
}

/**
 * Elementwise Heaviside step: 1 where x > 0, else 0 (zero derivative).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { step } from "./unary.ts";
 * await step(tensor([-1, 0, 2])).read(); // Float32Array [0, 0, 1]
 * ```
 */
export function step(x: Tensor): Tensor {
  return unary("step", x, null);
}

/**
 * Elementwise floor (zero derivative).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { floor } from "./unary.ts";
 * await floor(tensor([1.5, -1.5])).read(); // Float32Array [1, -2]
 * ```
 */
export function floor(x: Tensor): Tensor {
  return unary("floor", x, null);
}

/**
 * Elementwise 1 where x is finite, 0 for NaN and infinities.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { isFinite } from "./unary.ts";
 * await isFinite(tensor([1, Infinity, NaN])).read(); // Float32Array [1, 0, 0]
 * ```
 */
export function isFinite(x: Tensor): Tensor {
  return unary("isfinite", x, null);
}

/**
 * Elementwise error function (max abs error ~1e-7).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { erf } from "./unary.ts";
 * await erf(tensor([0, 1])).read(); // Float32Array [0, 0.8427]
 * ```
 */
export function erf(x: Tensor): Tensor {
  return unary("erf", x, (x, _y, g) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
}

/**
 * GELU. `approximate: false` (default) is x*Phi(x) with the exact erf; `true` is the tanh form.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { gelu } from "./unary.ts";
 * await gelu(tensor([1])).read(); // Float32Array [0.8413]
 * ```
 */
export function gelu(x: Tensor, approximate = false): Tensor {
  if (!approximate) {
    return unary("gelu", x, (x, _y, g) => {
      // d/dx x*Phi(x) = Phi(x) + x*phi(x)
      const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return mul(g, add(cdf, mul(x, pdf)));
    });
  }
  return unary("geluTanh", x, (x, _y, g) => {
    const c = Math.sqrt(2 / Math.PI);
    const u = mul(add(x, mul(mul(x, square(x)), 0.044715)), c);
    const t = tanh(u);
    const du = mul(add(mul(square(x), 3 * 0.044715), 1), c);
    const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, square(t))), du));
    return mul(g, d);
  });
}

/**
 * Elementwise softplus log(1 + e^x), stable for large |x|.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { softplus } from "./unary.ts";
 * await softplus(tensor([0])).read(); // Float32Array [0.6931]
 * ```
 */
export function softplus(x: Tensor): Tensor {
  return unary("softplus", x, (x, _y, g) => mul(g, sigmoid(x)));
}

/**
 * ELU: x for x > 0, alpha*(e^x - 1) otherwise.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { elu } from "./unary.ts";
 * await elu(tensor([-1, 1])).read(); // Float32Array [-0.632, 1]
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return unary(
    "elu",
    x,
    (x, _y, g) =>
      mul(g, add(unaryRaw("step", x), mul(sub(1, unaryRaw("step", x)), mul(exp(x), alpha)))),
    alpha,
  );
}

/**
 * SELU (Klambauer et al. 2017) with its standard alpha and scale.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { selu } from "./unary.ts";
 * await selu(tensor([1])).read(); // Float32Array [1.0507]
 * ```
 */
export function selu(x: Tensor): Tensor {
  const alpha = 1.6732632423543772, scale = 1.0507009873554805;
  return unary("selu", x, (x, _y, g) => {
    const s = unaryRaw("step", x);
    return mul(g, mul(add(s, mul(sub(1, s), mul(exp(x), alpha))), scale));
  });
}

/**
 * Swish / SiLU: x * sigmoid(x).
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { swish } from "./unary.ts";
 * await swish(tensor([0])).read(); // Float32Array [0]
 * ```
 */
export function swish(x: Tensor): Tensor {
  return unary("swish", x, (x, _y, g) => {
    const s = sigmoid(x);
    return mul(g, add(s, mul(x, mul(s, sub(1, s)))));
  });
}

/**
 * Leaky ReLU: x for x > 0, slope*x otherwise.
 *
 * @example
 * ```ts
 * import { tensor } from "../tensor.ts";
 * import { leakyRelu } from "./unary.ts";
 * await leakyRelu(tensor([-2, 2]), 0.1).read(); // Float32Array [-0.2, 2]
 * ```
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return unary("leakyRelu", x, (x, _y, g) => {
    const s = unaryRaw("step", x);
    return mul(g, add(s, mul(sub(1, s), slope)));
  }, slope);
}
