/**
 * Damped Newton for linear least squares, and the gradient-descent loop it shares with plain GD.
 *
 * For a linear model f(x) = x W (W: d x k) and the loss L(W) = ||X W - Y||^2 / (2 n), the
 * gradient is X^T (X W - Y) / n and the Hessian (the same as the Gauss-Newton matrix) is the
 * training second-moment matrix C = X^T X / n, constant in W. The damped Newton step is
 *
 * ```
 * W <- W - lr (C + lambda I)^(-1) X^T (X W - Y) / n,   lambda = damping * tr(C) / d  ("scaled")
 * ```
 *
 * with the pseudo-inverse at lambda = 0 (undamped Newton). One undamped step with lr = 1 lands on
 * a least-squares solution: for n >= d and full rank the unique one; for n < d the interpolating
 * solution nearest to the starting point.
 *
 * Wadia et al. (2021), section 4: Newton on a linear model is gradient descent after whitening.
 * With A = (C + lambda I)^(-1/2) (whitening fitted on the training inputs, `reg = lambda`,
 * `regMode: "absolute"`, `normalize: false`), gradient descent with learning rate lr on the
 * inputs x A from W~0 gives W~_t with W~_t = A^(-1) W_t at every step, where W_t is damped Newton
 * from W_0 = A W~0; the predictions x A W~_t = x W_t agree on every input, test points included.
 * (For lambda = 0 the same holds on the span of the training inputs, exactly when W_0 lies in it,
 * e.g. W_0 = 0.)
 *
 * `trainLinearLeastSquares` records every step on the GPU and reads nothing back (DESIGN.md
 * principle 1); it accepts a leading group axis to train many independent models in one go.
 * `linearLeastSquaresCheckpoints` gives the same iterates at chosen step counts in O(log T)
 * matmuls each: one step is the affine map W -> A W + c with A = I - lr P C and
 * c = lr P X^T Y / n, so T steps are W_T = A^T W_0 + (I + A + ... + A^(T-1)) c, built by repeated
 * squaring (in f64 on the host by default: raising the map to the power T also raises its
 * rounding errors to that power). That makes millions of gradient-descent steps (near
 * convergence on ill-conditioned raw inputs) as cheap as a few dozen.
 *
 * @example
 * ```ts
 * import { newtonPreconditioner, trainLinearLeastSquares } from "./linear_newton.ts";
 * import { matmul, random, zeros } from "../../gpu/mod.ts";
 * const x = random.normal(random.key(0), [32, 4]);
 * const y = matmul(x, random.normal(random.key(1), [4, 2]));
 * const p = await newtonPreconditioner(x, { damping: 0 });
 * const w = trainLinearLeastSquares({ x, y, w0: zeros([4, 2]), steps: 1, lr: 1, preconditioner: p.matrix });
 * console.log(w.shape); // [4, 2]  (one undamped step recovers the true weights)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  dispose,
  div,
  eye,
  matmul,
  mul,
  runtime,
  scope,
  sub,
  Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import { eighHost } from "../../kernels_inf/linalg/eigh.ts";
import { matmulHost } from "../../kernels_inf/linalg/host_matrix.ts";
import { parseOptions } from "../../options.ts";
import { secondMomentHost } from "./whitening_transform.ts";

/**
 * Damping options of the Newton preconditioner.
 *
 * @example
 * ```ts
 * import type { NewtonDampingOptions } from "./linear_newton.ts";
 * const o: NewtonDampingOptions = { damping: 0.01, dampingMode: "scaled" };
 * console.log(o.damping); // 0.01
 * ```
 */
export interface NewtonDampingOptions {
  /** Damping (default 0: undamped Newton, pseudo-inverse). */
  damping?: number;
  /** "scaled" (default): lambda = damping * tr(C) / d; "absolute": lambda = damping. */
  dampingMode?: "scaled" | "absolute";
  /** At lambda = 0, eigenvalues at most rankTol * max are treated as zero (default 1e-10). */
  rankTol?: number;
  /** Hessian of GPU inputs in "f64" on the host (default) or "f32" on the GPU. */
  precision?: "f64" | "f32";
}

const dampingSchema = z.strictObject({
  damping: z.number().nonnegative().finite().default(0),
  dampingMode: z.enum(["scaled", "absolute"]).default("scaled"),
  rankTol: z.number().nonnegative().lt(1).default(1e-10),
  precision: z.enum(["f64", "f32"]).default("f64"),
});

/**
 * A Newton preconditioner on the host: (C + lambda I)^(-1), the absolute damping lambda and the
 * numerical rank of C.
 *
 * @example
 * ```ts
 * import type { HostPreconditioner } from "./linear_newton.ts";
 * const p: HostPreconditioner = { matrix: Float64Array.of(1), lambda: 0, rank: 1 };
 * console.log(p.rank); // 1
 * ```
 */
export interface HostPreconditioner {
  /** (C + lambda I)^(-1), d x d row-major f64 (the pseudo-inverse at lambda = 0). */
  matrix: Float64Array;
  /** The absolute damping added to C. */
  lambda: number;
  /** Eigenvalues of C above rankTol * max. */
  rank: number;
}

/**
 * (C + lambda I)^(-1) of a symmetric positive semi-definite d x d matrix C in f64, through its
 * eigendecomposition (the pseudo-inverse when lambda = 0).
 *
 * @example
 * ```ts
 * import { newtonPreconditionerHost } from "./linear_newton.ts";
 * const p = newtonPreconditionerHost([2, 0, 0, 0], 2, { damping: 0 });
 * console.log(p.matrix, p.rank); // Float64Array [0.5, 0, 0, 0] 1
 * ```
 */
export function newtonPreconditionerHost(
  moment: ArrayLike<number>,
  d: number,
  options: NewtonDampingOptions = {},
): HostPreconditioner {
  const where = "newtonPreconditionerHost";
  const o = parseOptions(dampingSchema, options, where);
  if (!Number.isInteger(d) || d < 1 || moment.length !== d * d) {
    throw new ShapeError(
      `${where}: expected a d x d matrix with d >= 1, got ${moment.length} entries for d = ${d}`,
    );
  }
  const { values, vectors } = eighHost(moment, d);
  const l = values.map((v) => Math.max(v, 0));
  const trace = l.reduce((s, v) => s + v, 0);
  const top = l[d - 1];
  const lambda = o.dampingMode === "scaled" ? (o.damping * trace) / d : o.damping;
  const kept = Array.from(l, (v) => top > 0 && v > o.rankTol * top);
  const inv = l.map((v, i) => (lambda > 0 ? 1 / (v + lambda) : kept[i] ? 1 / v : 0));
  const P = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[i * d + k] * inv[k] * vectors[j * d + k];
      P[i * d + j] = P[j * d + i] = s;
    }
  }
  return { matrix: P, lambda, rank: kept.filter(Boolean).length };
}

/**
 * The damped Newton preconditioner of the linear least-squares loss on inputs `x` [n, d]: the
 * Hessian C = x^T x / n is formed in f64 from `x` read back once (`precision: "f64"`, default;
 * f32 roundoff would fake small eigenvalues that the undamped pseudo-inverse amplifies) or by an
 * f32 GPU matmul; the inverse runs in f64 and is uploaded as an f32 [d, d] tensor (dispose
 * `matrix`).
 *
 * @example
 * ```ts
 * import { newtonPreconditioner } from "./linear_newton.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const p = await newtonPreconditioner(tensor([[2, 0], [0, 2]]), { damping: 1, dampingMode: "absolute" });
 * console.log(await p.matrix.read(), p.lambda); // Float32Array [0.333.., 0, 0, 0.333..] 1
 * ```
 */
export async function newtonPreconditioner(
  x: Tensor,
  options: NewtonDampingOptions = {},
): Promise<
  { matrix: Tensor; host: Float64Array; lambda: number; rank: number; hessian: Float64Array }
> {
  if (x.rank !== 2 || x.shape[0] < 1) {
    throw new ShapeError(
      `newtonPreconditioner: expected x of shape [n, d], got [${x.shape.join(", ")}]`,
    );
  }
  const o = parseOptions(dampingSchema, options, "newtonPreconditioner");
  const [n, d] = x.shape;
  let C: Float64Array;
  if (o.precision === "f64") C = secondMomentHost(await x.read(), n, d);
  else {
    const c = scope(() => div(matmul(x, x, { transA: true }), n));
    C = Float64Array.from(await c.read());
    c.dispose();
  }
  const p = newtonPreconditionerHost(C, d, o);
  return {
    matrix: tensor(Float32Array.from(p.matrix), { shape: [d, d] }),
    host: p.matrix,
    lambda: p.lambda,
    rank: p.rank,
    hessian: C,
  };
}

/** Checks the shapes of a linear least-squares problem; returns n. */
function checkLinearShapes(
  where: string,
  x: Tensor,
  y: Tensor,
  w0: Tensor,
  p: Tensor | null | undefined,
): number {
  const last = (t: Tensor, i: number) => t.shape[t.rank - i];
  const okRank = (t: Tensor) => t.rank === 2 || t.rank === 3;
  const d = last(x, 1), n = last(x, 2), k = last(y, 1);
  if (
    !okRank(x) || !okRank(y) || !okRank(w0) || last(y, 2) !== n || last(w0, 2) !== d ||
    last(w0, 1) !== k || (p && (!okRank(p) || last(p, 1) !== d || last(p, 2) !== d))
  ) {
    const s = (t: Tensor | null | undefined) => (t ? `[${t.shape.join(", ")}]` : "none");
    throw new ShapeError(
      `${where}: expected x [G?, n, d], y [G?, n, k], w0 [G?, d, k], preconditioner ` +
        `[G?, d, d]; got x ${s(x)}, y ${s(y)}, w0 ${s(w0)}, preconditioner ${s(p)}`,
    );
  }
  return n;
}

/**
 * Options of {@link trainLinearLeastSquares}. Every tensor may carry a leading group axis G
 * (independent problems trained together); [n, k] targets broadcast over the groups.
 *
 * @example
 * ```ts
 * import type { LinearLeastSquaresOptions } from "./linear_newton.ts";
 * const f = (o: LinearLeastSquaresOptions) => o.steps;
 * console.log(typeof f); // "function"
 * ```
 */
export interface LinearLeastSquaresOptions {
  /** Inputs [n, d] or [G, n, d]. */
  x: Tensor;
  /** Targets [n, k] or [G, n, k]. */
  y: Tensor;
  /** Initial weights [d, k] or [G, d, k] (not disposed). */
  w0: Tensor;
  /** Number of steps. */
  steps: number;
  /** Step size (1 for Newton; at most 2 / max eig(C) for stable plain GD). */
  lr: number;
  /** Preconditioner [d, d] or [G, d, d] applied to the gradient; omitted or null: plain GD. */
  preconditioner?: Tensor | null;
  /** Submit the recorded GPU work every this many steps (default 16). */
  flushEvery?: number;
}

/**
 * Runs `steps` (preconditioned) gradient-descent steps on ||x W - y||^2 / (2 n) and returns the
 * final weights (a new tensor). Nothing is read back.
 *
 * @example
 * ```ts
 * import { trainLinearLeastSquares } from "./linear_newton.ts";
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * const w = trainLinearLeastSquares({
 *   x: tensor([[1, 0], [0, 1]]), y: tensor([[2], [4]]), w0: zeros([2, 1]), steps: 50, lr: 1,
 * });
 * console.log(await w.read()); // Float32Array [2, 4] (lr = 1 on C = I/2 halves the error per step)
 * ```
 */
export function trainLinearLeastSquares(o: LinearLeastSquaresOptions): Tensor {
  const where = "trainLinearLeastSquares";
  const { x, y, w0, preconditioner: p } = o;
  if (!Number.isInteger(o.steps) || o.steps < 0) {
    throw new InvalidArgumentError(`${where}: steps must be an integer >= 0, got ${o.steps}`);
  }
  if (!(Number.isFinite(o.lr) && o.lr > 0)) {
    throw new InvalidArgumentError(`${where}: lr must be a finite number > 0, got ${o.lr}`);
  }
  const flushEvery = o.flushEvery ?? 16;
  if (!Number.isInteger(flushEvery) || flushEvery < 1) {
    throw new InvalidArgumentError(
      `${where}: flushEvery must be an integer >= 1, got ${flushEvery}`,
    );
  }
  const n = checkLinearShapes(where, x, y, w0, p);
  let w = scope(() => mul(w0, 1));
  for (let step = 0; step < o.steps; step++) {
    const prev = w;
    w = scope(() => {
      const g = div(matmul(x, sub(matmul(x, prev), y), { transA: true }), n);
      return sub(prev, mul(p ? matmul(p, g) : g, o.lr));
    });
    prev.dispose();
    if ((step + 1) % flushEvery === 0) runtime().flush();
  }
  return w;
}

/**
 * Options of {@link linearLeastSquaresCheckpoints}: those of {@link trainLinearLeastSquares}
 * with step counts instead of `steps`, a preconditioner that may be given in f64, and the
 * arithmetic.
 *
 * @example
 * ```ts
 * import type { LinearCheckpointOptions } from "./linear_newton.ts";
 * const f = (o: LinearCheckpointOptions) => o.checkpoints.at(-1);
 * console.log(typeof f); // "function"
 * ```
 */
export interface LinearCheckpointOptions
  extends Omit<LinearLeastSquaresOptions, "steps" | "preconditioner" | "flushEvery"> {
  /** Step counts at which to return the weights: strictly increasing integers >= 0. */
  checkpoints: number[];
  /**
   * Preconditioner [G?, d, d]: a tensor, or row-major f64 values (d * d or G * d * d), e.g.
   * `newtonPreconditionerHost(...).matrix`; omitted or null: plain gradient descent.
   */
  preconditioner?: Tensor | Float64Array | null;
  /**
   * "f64" (default): read the inputs back once and square the step map in f64 on the host;
   * "f32": square it on the GPU. Repeated squaring raises rounding errors of the step map to
   * the power T: in f32, eigenvalues that should be exactly 1 (directions the data never
   * move) drift by about 1e-7 * cond(P) per squaring and blow up over 2^20 steps.
   */
  precision?: "f64" | "f32";
}

/**
 * The (preconditioned) gradient-descent iterates W_T of `trainLinearLeastSquares` at each step
 * count T in `checkpoints`, by repeated squaring of the one-step affine map (see the module
 * doc): O(log T) matrix products per checkpoint instead of T steps. Returns one tensor per
 * checkpoint ([G, d, k] when any input has a group axis, else [d, k]); dispose them.
 *
 * @example
 * ```ts
 * import { linearLeastSquaresCheckpoints } from "./linear_newton.ts";
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * const [w1, w1000] = await linearLeastSquaresCheckpoints({
 *   x: tensor([[1, 0], [0, 1]]), y: tensor([[2], [4]]), w0: zeros([2, 1]), lr: 1,
 *   checkpoints: [1, 1000],
 * });
 * console.log(await w1.read(), await w1000.read()); // Float32Array [1, 2] Float32Array [2, 4]
 * ```
 */
export async function linearLeastSquaresCheckpoints(o: LinearCheckpointOptions): Promise<Tensor[]> {
  const where = "linearLeastSquaresCheckpoints";
  const { x, y, w0, checkpoints } = o;
  const precision = o.precision ?? "f64";
  if (precision !== "f64" && precision !== "f32") {
    throw new InvalidArgumentError(`${where}: precision must be "f64" or "f32", got ${precision}`);
  }
  if (!(Number.isFinite(o.lr) && o.lr > 0)) {
    throw new InvalidArgumentError(`${where}: lr must be a finite number > 0, got ${o.lr}`);
  }
  if (
    !Array.isArray(checkpoints) ||
    checkpoints.some((t, i) => !Number.isInteger(t) || t < 0 || (i > 0 && t <= checkpoints[i - 1]))
  ) {
    throw new InvalidArgumentError(
      `${where}: checkpoints must be strictly increasing integers >= 0, got ` +
        JSON.stringify(checkpoints),
    );
  }
  const d = x.shape[x.rank - 1], k = y.shape[y.rank - 1];
  const groupsOf = (t: Tensor | null) => (t && t.rank === 3 ? t.shape[0] : 1);
  let pre = o.preconditioner ?? null;
  let pGroups = 1;
  if (pre instanceof Float64Array) {
    if (pre.length !== d * d && pre.length % (d * d) !== 0) {
      throw new ShapeError(
        `${where}: f64 preconditioner has ${pre.length} values, expected a multiple of d * d = ` +
          `${d * d}`,
      );
    }
    pGroups = pre.length / (d * d);
  }
  const n = checkLinearShapes(
    where,
    x,
    y,
    w0,
    pre instanceof Float64Array ? null : pre,
  );
  if (!(pre instanceof Float64Array)) pGroups = groupsOf(pre);
  const G = Math.max(groupsOf(x), groupsOf(y), groupsOf(w0), pGroups);
  for (
    const [name, g] of [["x", groupsOf(x)], ["y", groupsOf(y)], ["w0", groupsOf(w0)], [
      "preconditioner",
      pGroups,
    ]] as const
  ) {
    if (g !== 1 && g !== G) {
      throw new ShapeError(`${where}: ${name} has ${g} groups, others ${G}`);
    }
  }
  const grouped = [x, y, w0].some((t) => t.rank === 3) || pGroups > 1 ||
    (pre instanceof Tensor && pre.rank === 3);
  const maxGap = checkpoints.reduce((m, t, i) => Math.max(m, t - (i ? checkpoints[i - 1] : 0)), 0);
  const levels = Math.max(1, Math.floor(Math.log2(Math.max(1, maxGap))) + 1);
  if (precision === "f32") {
    if (pre instanceof Float64Array) {
      pre = tensor(Float32Array.from(pre), { shape: pGroups > 1 ? [pGroups, d, d] : [d, d] });
    }
    const wInit = grouped && w0.rank === 2 ? scope(() => add(zeros([G, d, k]), w0)) : w0;
    const out = checkpointsGpu(x, y, wInit, pre as Tensor | null, o.lr, n, d, levels, checkpoints);
    if (wInit !== w0) wInit.dispose();
    if (pre !== o.preconditioner) (pre as Tensor).dispose();
    return out;
  }
  // f64 on the host: read everything once.
  const [xs, ys, ws, ps] = await Promise.all([
    x.read(),
    y.read(),
    w0.read(),
    pre instanceof Tensor ? pre.read() : Promise.resolve(pre),
  ]);
  const pick = (a: ArrayLike<number>, groups: number, size: number, g: number) =>
    groups === 1 ? a : (a as Float32Array | Float64Array).subarray(g * size, (g + 1) * size);
  const results = checkpoints.map(() => new Float32Array(G * d * k));
  for (let g = 0; g < G; g++) {
    const xg = pick(xs, groupsOf(x), n * d, g);
    const yg = pick(ys, groupsOf(y), n * k, g);
    const wg = Float64Array.from(pick(ws, groupsOf(w0), d * k, g));
    const pg = ps ? pick(ps, pGroups, d * d, g) : null;
    const C = matmulHost(xg, xg, d, n, d, true).map((v) => v / n);
    const B = matmulHost(xg, yg, d, n, k, true).map((v) => v / n);
    const PC = pg ? matmulHost(pg, C, d, d, d) : C;
    const PB = pg ? matmulHost(pg, B, d, d, k) : B;
    const table: { a: Float64Array; c: Float64Array }[] = [{
      a: PC.map((v, i) => (i % (d + 1) === 0 ? 1 : 0) - o.lr * v),
      c: PB.map((v) => o.lr * v),
    }];
    while (table.length < levels) {
      const { a, c } = table[table.length - 1];
      const ac = matmulHost(a, c, d, d, k);
      table.push({ a: matmulHost(a, a, d, d, d), c: c.map((v, i) => v + ac[i]) });
    }
    let w = wg, at = 0;
    checkpoints.forEach((target, ci) => {
      let gap = target - at;
      for (let j = 0; gap > 0; j++, gap = Math.floor(gap / 2)) {
        if (gap % 2 === 0) continue;
        const aw = matmulHost(table[j].a, w, d, d, k);
        w = aw.map((v, i) => v + table[j].c[i]);
      }
      at = target;
      results[ci].set(w, g * d * k);
    });
  }
  return results.map((r) => tensor(r, { shape: grouped ? [G, d, k] : [d, k] }));
}

/** The f32 GPU path of {@link linearLeastSquaresCheckpoints}. */
function checkpointsGpu(
  x: Tensor,
  y: Tensor,
  w0: Tensor,
  p: Tensor | null,
  lr: number,
  n: number,
  d: number,
  levels: number,
  checkpoints: number[],
): Tensor[] {
  // table[j] = (A^(2^j), c_j = (I + A + ... + A^(2^j - 1)) c): T = 2^j steps in one affine map.
  const table: { a: Tensor; c: Tensor }[] = [];
  table.push(scope(() => {
    const xtx = div(matmul(x, x, { transA: true }), n);
    const xty = div(matmul(x, y, { transA: true }), n);
    return {
      a: sub(eye(d), mul(p ? matmul(p, xtx) : xtx, lr)),
      c: mul(p ? matmul(p, xty) : xty, lr),
    };
  }));
  while (table.length < levels) {
    const { a, c } = table[table.length - 1];
    table.push(scope(() => ({ a: matmul(a, a), c: add(c, matmul(a, c)) })));
  }
  const out: Tensor[] = [];
  let w = scope(() => mul(w0, 1));
  let at = 0;
  for (const target of checkpoints) {
    let gap = target - at;
    for (let j = 0; gap > 0; j++, gap = Math.floor(gap / 2)) {
      if (gap % 2 === 0) continue;
      const prev = w;
      w = scope(() => add(matmul(table[j].a, prev), table[j].c));
      prev.dispose();
    }
    at = target;
    out.push(scope(() => mul(w, 1)));
    runtime().flush();
  }
  w.dispose();
  dispose(table);
  return out;
}
