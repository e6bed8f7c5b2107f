/**
 * Inference with infinite-width kernels: exact GP posterior (NNGP), infinitely wide networks
 * trained by gradient descent on MSE (NTK) at any time t or t = infinity, and the linearized
 * dynamics of one finite network (neural-tangents' `predict` module; Lee et al. 2019, "Wide
 * Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent").
 *
 * Conventions (neural-tangents'): the loss is `0.5 * mean((f - y)^2)` over all m = n * k target
 * entries, so function-space gradient flow is `df/dt = -lr * K (f - y) / m`. With training
 * kernel M (the NNGP K when only the readout is trained, the NTK Theta for the whole network),
 * prior NNGP K and g_t(M) = M^{-1} (I - exp(-lr M t / m)) (so g_inf = M^{-1}):
 * - mean(t) = M_*x g_t(M) y
 * - cov(t) = K_** - A K_*x^T - K_*x A^T + A K A^T with A = M_*x g_t(M);
 *   for M = K at t = infinity this is the GP posterior K_** - K_*x K^{-1} K_x*.
 * Finite t uses the symmetric eigendecomposition of M (host f64 by default, or the GPU f32
 * Jacobi method with `eigh: "gpu"`); t = infinity uses Cholesky (GPU f32 or df64, or host f64,
 * `precision`). `diagReg` regularizes M (scaled by its mean diagonal by
 * default) exactly like neural-tangents' `diag_reg`.
 *
 * @example
 * ```ts
 * import { gpInference } from "./predict.ts";
 * import { tensor } from "../gpu/mod.ts";
 * const K = tensor([[1, 0.5], [0.5, 1]]);
 * const r = await gpInference(
 *   { kTrainTrain: { nngp: K }, kTestTrain: { nngp: tensor([[0.5, 0.5]]) }, yTrain: tensor([[1], [1]]) },
 *   { precision: "f64" },
 * );
 * console.log(await r.nngp!.mean.read(), r.method); // [0.666...] "host-f64-cholesky"
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  add,
  dispose,
  eye,
  matmul,
  mul,
  scope,
  sub,
  type Tensor,
  tensor,
  transpose,
} from "../gpu/mod.ts";
import { type Eigh, eighHost } from "./linalg/eigh.ts";
import { eighGpuToHost } from "./linalg/jacobi.ts";
import { matmulHost, transposeHost } from "./linalg/host_matrix.ts";
import { choleskyHost } from "./linalg/cholesky.ts";
import { factorPsdGpu, type PsdFactor } from "./linalg/psd_factor.ts";
import { choSolveHost } from "./linalg/triangular.ts";
import {
  choleskyMethod,
  gpuRegularizer,
  hostRegularizer,
  parseSolveOptions,
  type SolveOptions,
} from "./linalg/psd_solve.ts";

/**
 * NNGP and/or NTK matrices between two sets of inputs.
 *
 * @example
 * ```ts
 * import type { KernelPair } from "./predict.ts";
 * import { eye } from "../gpu/mod.ts";
 * const k: KernelPair = { nngp: eye(3) };
 * console.log(k.ntk); // undefined
 * ```
 */
export interface KernelPair {
  /** NNGP matrix. */
  nngp?: Tensor | null;
  /** NTK matrix. */
  ntk?: Tensor | null;
}

/**
 * The kernels and targets a predictor needs.
 *
 * @example
 * ```ts
 * import type { InferenceInput } from "./predict.ts";
 * import { eye, zeros } from "../gpu/mod.ts";
 * const inp: InferenceInput = { kTrainTrain: { nngp: eye(2) }, yTrain: zeros([2, 1]) };
 * console.log(inp.kTestTrain); // undefined
 * ```
 */
export interface InferenceInput {
  /** Train x train kernels [n, n]. */
  kTrainTrain: KernelPair;
  /** Test x train kernels [t, n] (omit for training-set predictions only). */
  kTestTrain?: KernelPair;
  /** Test x test NNGP [t, t]; needed for covariances. */
  kTestTest?: Tensor | null;
  /** Targets [n, k]. */
  yTrain: Tensor;
}

/**
 * Mean (and optional covariance) of predictions.
 *
 * @example
 * ```ts
 * import type { Prediction } from "./predict.ts";
 * import { zeros } from "../gpu/mod.ts";
 * const p: Prediction = { mean: zeros([2, 1]) };
 * console.log(p.cov); // undefined
 * ```
 */
export interface Prediction {
  /** Test means [t, k]. */
  mean: Tensor;
  /** Test covariance [t, t] (shared by every output column), when requested. */
  cov?: Tensor;
  /** Training-set means [n, k], when requested. */
  train?: Tensor;
}

/**
 * Predictions per kernel and the linear-algebra method that ran.
 *
 * @example
 * ```ts
 * import type { InferenceResult } from "./predict.ts";
 * const r: InferenceResult = { method: "host-f64-eigh", regularizer: { nngp: 0 } };
 * console.log(r.method); // "host-f64-eigh"
 * ```
 */
export interface InferenceResult {
  /** NNGP (Bayesian posterior, or readout-only training at time t). */
  nngp?: Prediction;
  /** NTK (infinitely wide network trained by gradient descent). */
  ntk?: Prediction;
  /**
   * "gpu-f32-cholesky", "gpu-df64-cholesky", "host-f64-cholesky", "host-f64-eigh" or
   * "gpu-f32-jacobi".
   */
  method: string;
  /** The absolute diagonal regularizer added to each training kernel. */
  regularizer: { nngp?: number; ntk?: number };
}

/**
 * Options of {@link gpInference}.
 *
 * @example
 * ```ts
 * import type { GpInferenceOptions } from "./predict.ts";
 * const o: GpInferenceOptions = { get: ["ntk"], computeCov: true, precision: "f64" };
 * console.log(o.get); // ["ntk"]
 * ```
 */
export interface GpInferenceOptions extends SolveOptions {
  /** Which kernels to use (default: those present in kTrainTrain). */
  get?: ("nngp" | "ntk")[];
  /** Also return test covariances (needs kTestTest and, for "ntk", the NNGP matrices). */
  computeCov?: boolean;
  /** Also return training-set means M (M + reg I)^{-1} y. */
  train?: boolean;
}

type Which = "nngp" | "ntk";

function whichOf(input: InferenceInput, get: Which[] | undefined, where: string): Which[] {
  const w = get ?? (["nngp", "ntk"] as Which[]).filter((g) => input.kTrainTrain[g]);
  if (w.length === 0) {
    throw new InvalidArgumentError(`${where}: kTrainTrain has neither nngp nor ntk`);
  }
  for (const g of w) {
    if (g !== "nngp" && g !== "ntk") {
      throw new InvalidArgumentError(`${where}: get entries must be "nngp" or "ntk", got ${g}`);
    }
    if (!input.kTrainTrain[g]) {
      throw new InvalidArgumentError(
        `${where}: get includes "${g}" but kTrainTrain.${g} is missing`,
      );
    }
  }
  return w;
}

function shapes(input: InferenceInput, which: Which[], cov: boolean, where: string) {
  const y = input.yTrain;
  if (y.rank !== 2) {
    throw new ShapeError(`${where}: yTrain must be [n, k], got [${y.shape.join(", ")}]`);
  }
  const [n, k] = y.shape;
  let t = -1;
  const need = new Set<Which>(which);
  if (cov && which.includes("ntk")) need.add("nngp");
  for (const g of need) {
    const a = input.kTrainTrain[g];
    if (!a) throw new InvalidArgumentError(`${where}: kTrainTrain.${g} is required`);
    if (a.rank !== 2 || a.shape[0] !== n || a.shape[1] !== n) {
      throw new ShapeError(
        `${where}: kTrainTrain.${g} must be [${n}, ${n}] for yTrain [${n}, ${k}], got ` +
          `[${a.shape.join(", ")}]`,
      );
    }
    const b = input.kTestTrain?.[g];
    if (input.kTestTrain) {
      if (!b) throw new InvalidArgumentError(`${where}: kTestTrain.${g} is required`);
      if (b.rank !== 2 || b.shape[1] !== n || (t >= 0 && b.shape[0] !== t)) {
        throw new ShapeError(
          `${where}: kTestTrain.${g} must be [t, ${n}], got [${b.shape.join(", ")}]`,
        );
      }
      t = b.shape[0];
    }
  }
  if (cov) {
    if (!input.kTestTrain) {
      throw new InvalidArgumentError(`${where}: computeCov needs kTestTrain and kTestTest`);
    }
    const c = input.kTestTest;
    if (!c || c.rank !== 2 || c.shape[0] !== t || c.shape[1] !== t) {
      throw new ShapeError(
        `${where}: computeCov needs kTestTest [${t}, ${t}], got ${
          c ? `[${c.shape.join(", ")}]` : "none"
        }`,
      );
    }
  }
  return { n, k, t };
}

/**
 * Exact inference at t = infinity: the NNGP GP posterior and the NTK ensemble of infinitely
 * trained networks (means and, optionally, covariances), by Cholesky in f32 or df64 (GPU) or f64
 * (host).
 * Throws NotPositiveDefiniteError with a diagReg suggestion instead of returning NaNs.
 *
 * @example
 * ```ts
 * import { gpInference } from "./predict.ts";
 * import { eye, tensor } from "../gpu/mod.ts";
 * const r = await gpInference({
 *   kTrainTrain: { nngp: eye(2), ntk: eye(2) }, kTestTrain: { nngp: eye(2), ntk: eye(2) },
 *   kTestTest: eye(2), yTrain: tensor([[1], [-1]]),
 * }, { computeCov: true });
 * console.log(await r.ntk!.mean.read(), await r.nngp!.cov!.read()); // [1, -1] [0, 0, 0, 0]
 * ```
 */
export async function gpInference(
  input: InferenceInput,
  options: GpInferenceOptions = {},
): Promise<InferenceResult> {
  const o = parseSolveOptions(options, "gpInference");
  const which = whichOf(input, options.get, "gpInference");
  const cov = options.computeCov ?? false;
  shapes(input, which, cov, "gpInference");
  const result: InferenceResult = { method: choleskyMethod(o.precision), regularizer: {} };
  if (o.precision === "f64") {
    const h = await readHost(input, which, cov);
    for (const g of which) {
      const M = h.train[g]!;
      const reg = hostRegularizer(M, h.n, o.diagReg, o.diagRegMode);
      result.regularizer[g] = reg;
      const Mr = Float64Array.from(M);
      for (let i = 0; i < h.n; i++) Mr[i * h.n + i] += reg;
      const L = choleskyHost(Mr, h.n);
      const solve = (B: Float64Array, m: number) => choSolveHost(L, h.n, B, m);
      result[g] = hostPrediction(h, g, solve, cov, options.train ?? false);
    }
    return result;
  }
  const checks: Promise<void>[] = [];
  const factors: PsdFactor[] = [];
  const settle = (p: Promise<void>) => {
    p.catch(() => {}); // rejections surface through Promise.all below
    checks.push(p);
  };
  try {
    for (const g of which) {
      const M = input.kTrainTrain[g]!;
      const f = await factorPsdGpu(M, o, "gpInference");
      factors.push(f);
      settle(f.check());
      settle(f.regularizer().then((v) => void (result.regularizer[g] = v)));
      // products with a solution go through leftMul: in df64 they are accumulated in df64
      result[g] = scope(() => {
        const alpha = f.solve(input.yTrain);
        const Mt = input.kTestTrain?.[g];
        const out: Prediction = { mean: alpha.leftMul(Mt ?? M) };
        if (!Mt) out.train = out.mean;
        else if (options.train) out.train = alpha.leftMul(M);
        alpha.dispose();
        if (cov && Mt) {
          const A = f.solve(transpose(Mt)); // [n, t] = M^{-1} M_x*
          const Kt = input.kTestTrain!.nngp!;
          const Ktt = input.kTestTest!;
          if (g === "nngp") {
            out.cov = sub(Ktt, A.leftMul(Kt));
          } else {
            const KtA = A.leftMul(Kt);
            const AKA = matmul(A.x, matmul(input.kTrainTrain.nngp!, A.x), { transA: true });
            out.cov = sub(sub(Ktt, KtA), sub(transpose(KtA), AKA));
          }
          A.dispose();
        }
        return out;
      });
    }
    await Promise.all(checks);
  } catch (e) {
    for (const g of which) {
      result[g]?.mean.dispose();
      result[g]?.train?.dispose();
      result[g]?.cov?.dispose();
    }
    throw e;
  } finally {
    for (const f of factors) f.dispose();
  }
  return result;
}

interface HostKernels {
  n: number;
  k: number;
  t: number;
  y: Float64Array;
  train: Partial<Record<Which, Float64Array>>;
  test: Partial<Record<Which, Float64Array>>;
  testTest: Float64Array | null;
}

async function readHost(input: InferenceInput, which: Which[], cov: boolean): Promise<HostKernels> {
  const need = new Set<Which>(which);
  if (cov && which.includes("ntk")) need.add("nngp");
  const gs = [...need];
  const reads = await Promise.all([
    input.yTrain.read(),
    ...gs.map((g) => input.kTrainTrain[g]!.read()),
    ...gs.map((g) => input.kTestTrain?.[g]?.read() ?? Promise.resolve(null)),
    cov && input.kTestTest ? input.kTestTest.read() : Promise.resolve(null),
  ]);
  const [n, k] = input.yTrain.shape;
  const h: HostKernels = {
    n,
    k,
    t: 0,
    y: Float64Array.from(reads[0] as Float32Array),
    train: {},
    test: {},
    testTest: reads[1 + 2 * gs.length] ? Float64Array.from(reads[1 + 2 * gs.length]!) : null,
  };
  gs.forEach((g, i) => {
    h.train[g] = Float64Array.from(reads[1 + i] as Float32Array);
    const te = reads[1 + gs.length + i];
    if (te) {
      h.test[g] = Float64Array.from(te);
      h.t = te.length / n;
    }
  });
  return h;
}

/** Mean/cov on the host given `applyG(B, m)` = g(M) B for an n x m matrix B. */
function hostPrediction(
  h: HostKernels,
  g: Which,
  applyG: (B: Float64Array, m: number) => Float64Array,
  cov: boolean,
  withTrain = false,
): Prediction {
  const { n, k, t } = h;
  const alpha = applyG(h.y, k); // g(M) y, n x k
  const Mt = h.test[g];
  const out: Prediction = {
    mean: Mt
      ? tensor(Float32Array.from(matmulHost(Mt, alpha, t, n, k)), { shape: [t, k] })
      : tensor(Float32Array.from(matmulHost(h.train[g]!, alpha, n, n, k)), { shape: [n, k] }),
  };
  if (withTrain || !Mt) {
    out.train = Mt
      ? tensor(Float32Array.from(matmulHost(h.train[g]!, alpha, n, n, k)), { shape: [n, k] })
      : out.mean;
  }
  if (cov && Mt) {
    const A = applyG(transposeHost(Mt, t, n), t); // (M + reg)^{-1} M_x*^T, n x t
    if (g === "nngp") {
      // GP posterior: K_** - K_*x (K + reg)^{-1} K_x*
      const KtA = matmulHost(Mt, A, t, n, t);
      out.cov = tensor(Float32Array.from(h.testTest!, (v, i) => v - KtA[i]), { shape: [t, t] });
    } else {
      out.cov = assembleCov(h, A);
    }
  }
  return out;
}

/** K_** - K_*x A - (K_*x A)^T + A^T K A for A = g(M) M_x*^T (n x t), on the host. */
function assembleCov(h: HostKernels, A: Float64Array): Tensor {
  const { n, t } = h;
  const Kt = h.test.nngp!;
  const KtA = matmulHost(Kt, A, t, n, t);
  const AKA = matmulHost(A, matmulHost(h.train.nngp!, A, n, n, t), t, n, t, true);
  const c = new Float64Array(t * t);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < t; j++) {
      c[i * t + j] = h.testTest![i * t + j] - KtA[i * t + j] - KtA[j * t + i] + AKA[i * t + j];
    }
  }
  return tensor(Float32Array.from(c), { shape: [t, t] });
}

/**
 * Options of {@link gradientDescentMseEnsemble}.
 *
 * @example
 * ```ts
 * import type { GdEnsembleOptions } from "./predict.ts";
 * const o: GdEnsembleOptions = { learningRate: 1, diagReg: 1e-4 };
 * console.log(o.learningRate); // 1
 * ```
 */
export interface GdEnsembleOptions {
  /** Gradient-descent learning rate (default 1). */
  learningRate?: number;
  /** Diagonal regularizer (default 0). */
  diagReg?: number;
  /** "scaled" (default) or "absolute". */
  diagRegMode?: "scaled" | "absolute";
  /** Which kernels (default: those present in kTrainTrain). */
  get?: ("nngp" | "ntk")[];
  /** Eigendecomposition: "host" (f64, default, precise) or "gpu" (f32 Jacobi, `eighGpu`). */
  eigh?: EighMethod;
}

/**
 * Where the predictors' eigendecomposition runs: "host" (f64 `eighHost`, precise) or "gpu"
 * (f32 parallel Jacobi, `eighGpu`).
 *
 * @example
 * ```ts
 * import type { EighMethod } from "./predict.ts";
 * const m: EighMethod = "gpu";
 * console.log(m); // "gpu"
 * ```
 */
export type EighMethod = "host" | "gpu";

const eighMethodSchema = z.enum(["host", "gpu"]).default("host");

const gdSchema = z.object({
  learningRate: z.number().positive().finite().default(1),
  diagReg: z.number().nonnegative().finite().default(0),
  diagRegMode: z.enum(["scaled", "absolute"]).default("scaled"),
  eigh: eighMethodSchema,
});

/** The method string of an eigendecomposition. */
function eighMethodName(m: EighMethod): string {
  return m === "gpu" ? "gpu-f32-jacobi" : "host-f64-eigh";
}

/**
 * Options of one {@link GdEnsemblePredictor.predict} call.
 *
 * @example
 * ```ts
 * import type { PredictAtOptions } from "./predict.ts";
 * const o: PredictAtOptions = { computeCov: false, diagReg: 1e-3, train: true };
 * console.log(o.diagReg); // 0.001
 * ```
 */
export interface PredictAtOptions {
  /** Also return test covariances. */
  computeCov?: boolean;
  /** Override the regularizer for this call (same mode as the predictor). */
  diagReg?: number;
  /** Also return training-set means. */
  train?: boolean;
}

/**
 * Predictions of infinitely wide networks trained by gradient descent, at any time.
 *
 * @example
 * ```ts
 * import type { GdEnsemblePredictor } from "./predict.ts";
 * const f = (p: GdEnsemblePredictor) => p.predict(Infinity);
 * console.log(typeof f); // "function"
 * ```
 */
export interface GdEnsemblePredictor {
  /** Means (and covariances) at training time `t` (Infinity allowed). */
  predict(t: number, options?: PredictAtOptions): Promise<InferenceResult>;
  /** The eigendecompositions of the training kernels (on the host; computed per `eigh`). */
  readonly eigen: Partial<Record<"nngp" | "ntk", Eigh>>;
}

/**
 * Infinitely wide networks trained on MSE by gradient descent (NTK) or readout-only training
 * (NNGP), evaluated in closed form at any time t through the eigendecomposition of the
 * training kernels (computed once: host f64, about 4 n^3 flops, or with `eigh: "gpu"` the f32
 * GPU Jacobi method; results name it in `method`). A diagReg override at predict
 * time reuses the eigendecomposition (eigenvalues shift by the regularizer), so regularization
 * sweeps are cheap. At t = infinity the result equals {@link gpInference}.
 *
 * @example
 * ```ts
 * import { gradientDescentMseEnsemble } from "./predict.ts";
 * import { eye, tensor } from "../gpu/mod.ts";
 * const p = await gradientDescentMseEnsemble({
 *   kTrainTrain: { ntk: eye(2) }, kTestTrain: { ntk: eye(2) }, yTrain: tensor([[1], [2]]),
 * }, { learningRate: 2 }); // m = 2 targets: df/dt = -(f - y)
 * const r = await p.predict(Math.log(2)); // half way
 * console.log(await r.ntk!.mean.read()); // Float32Array [0.5, 1]
 * ```
 */
export async function gradientDescentMseEnsemble(
  input: InferenceInput,
  options: GdEnsembleOptions = {},
): Promise<GdEnsemblePredictor> {
  const r = gdSchema.safeParse(options);
  if (!r.success) {
    const iss = r.error.issues[0];
    throw new InvalidArgumentError(
      `gradientDescentMseEnsemble: option ${iss.path.join(".")}: ${iss.message}`,
    );
  }
  const o = r.data;
  const which = whichOf(input, options.get, "gradientDescentMseEnsemble");
  const hasCov = !!input.kTestTest && !!input.kTestTrain;
  shapes(input, which, hasCov && !!input.kTrainTrain.nngp, "gradientDescentMseEnsemble");
  const h = await readHost(input, which, hasCov && !!input.kTrainTrain.nngp);
  const eigen: Partial<Record<Which, Eigh>> = {};
  for (const g of which) {
    eigen[g] = o.eigh === "gpu"
      ? await eighGpuToHost(input.kTrainTrain[g]!)
      : eighHost(h.train[g]!, h.n);
  }
  // Projections of the targets and of the test kernels onto the eigenvectors (reused by every t).
  const vty: Partial<Record<Which, Float64Array>> = {};
  const mtv: Partial<Record<Which, Float64Array>> = {};
  for (const g of which) {
    vty[g] = matmulHost(eigen[g]!.vectors, h.y, h.n, h.n, h.k, true);
    if (h.test[g]) mtv[g] = matmulHost(h.test[g]!, eigen[g]!.vectors, h.t, h.n, h.n);
  }
  const m = h.n * h.k;
  return {
    eigen,
    predict(t: number, po: PredictAtOptions = {}): Promise<InferenceResult> {
      if (!(t >= 0)) {
        return Promise.reject(
          new InvalidArgumentError(`predict: t must be >= 0 (or Infinity), got ${t}`),
        );
      }
      const cov = po.computeCov ?? false;
      if (cov && !hasCov) {
        return Promise.reject(
          new InvalidArgumentError("predict: computeCov needs kTestTest and kTestTrain"),
        );
      }
      const dr = po.diagReg ?? o.diagReg;
      if (!(dr >= 0)) {
        return Promise.reject(new InvalidArgumentError(`predict: diagReg must be >= 0, got ${dr}`));
      }
      const result: InferenceResult = { method: eighMethodName(o.eigh), regularizer: {} };
      for (const g of which) {
        const e = eigen[g]!;
        const reg = hostRegularizer(h.train[g]!, h.n, dr, o.diagRegMode);
        result.regularizer[g] = reg;
        // gfun(lambda) = (1 - exp(-lr lambda t / m)) / lambda on lambda + reg (>= 0)
        const gv = new Float64Array(h.n);
        for (let i = 0; i < h.n; i++) {
          const lam = Math.max(e.values[i], 0) + reg;
          const x = (o.learningRate * t) / m;
          if (t === Infinity) gv[i] = lam > 0 ? 1 / lam : 0;
          else if (lam * x < 1e-8) gv[i] = x; // limit lambda -> 0
          else gv[i] = -Math.expm1(-lam * x) / lam;
        }
        result[g] = eigenPrediction(h, e, reg, gv, vty[g]!, mtv[g] ?? null, cov, po.train ?? false);
      }
      return Promise.resolve(result);
    },
  };
}

function eigenPrediction(
  h: HostKernels,
  e: Eigh,
  reg: number,
  gv: Float64Array,
  vty: Float64Array,
  mtv: Float64Array | null,
  cov: boolean,
  withTrain: boolean,
): Prediction {
  const { n, k, t } = h;
  // coefficients c = diag(g) V^T y  (n x k)
  const c = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) c[i * k + j] = gv[i] * vty[i * k + j];
  const out: Prediction = {
    mean: mtv
      ? tensor(Float32Array.from(matmulHost(mtv, c, t, n, k)), { shape: [t, k] })
      : trainMean(),
  };
  function trainMean(): Tensor {
    // (M + reg) V diag(g) V^T y = V diag((lambda + reg) g) V^T y: the regularized dynamics
    const lc = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) lc[i * k + j] = (Math.max(e.values[i], 0) + reg) * c[i * k + j];
    }
    return tensor(Float32Array.from(matmulHost(e.vectors, lc, n, n, k)), { shape: [n, k] });
  }
  if (withTrain) out.train = mtv ? trainMean() : out.mean;
  if (cov && mtv) {
    // A = g(M) M_x*^T = V diag(g) (M_x* V)^T  (n x t)
    const gm = new Float64Array(n * t);
    for (let i = 0; i < n; i++) for (let j = 0; j < t; j++) gm[i * t + j] = gv[i] * mtv[j * n + i];
    out.cov = assembleCov(h, matmulHost(e.vectors, gm, n, n, t));
  }
  return out;
}

/**
 * Options of {@link gradientDescentMse}.
 *
 * @example
 * ```ts
 * import type { GdMseOptions } from "./predict.ts";
 * const o: GdMseOptions = { learningRate: 0.5 };
 * console.log(o.learningRate); // 0.5
 * ```
 */
export interface GdMseOptions extends SolveOptions {
  /** Learning rate (default 1). */
  learningRate?: number;
  /**
   * Eigendecomposition at finite t: "host" (f64, default, precise) or "gpu" (f32 Jacobi,
   * `eighGpu`; the regularized kernel never leaves the GPU before it). `method` says which ran.
   */
  eigh?: EighMethod;
}

/**
 * What a linearized network's predictor takes at time t.
 *
 * @example
 * ```ts
 * import type { GdMseInputs } from "./predict.ts";
 * import { zeros } from "../gpu/mod.ts";
 * const i: GdMseInputs = { fxTrain0: zeros([2, 1]) };
 * console.log(i.fxTest0); // undefined
 * ```
 */
export interface GdMseInputs {
  /** Outputs of the network at initialization on the training set [n, k]. */
  fxTrain0: Tensor;
  /** Outputs at initialization on test inputs [t, k]. */
  fxTest0?: Tensor;
  /** Empirical (or analytic) NTK between test and train inputs [t, n]. */
  ntkTestTrain?: Tensor;
}

/**
 * The linearized dynamics of one network trained by gradient descent on MSE with NTK
 * `ntkTrainTrain` (Lee et al. 2019): `f_train(t) = y + exp(-lr Theta t / m)(f_0 - y)` and
 * `f_test(t) = f_test,0 + Theta_*x Theta^{-1}(I - exp(-lr Theta t / m))(y - f_0)`. Finite t uses
 * the eigendecomposition of Theta (host f64, or GPU f32 Jacobi with `eigh: "gpu"`); t = infinity
 * uses Cholesky with `precision`.
 *
 * @example
 * ```ts
 * import { gradientDescentMse } from "./predict.ts";
 * import { eye, tensor, zeros } from "../gpu/mod.ts";
 * const p = gradientDescentMse(eye(2), tensor([[1], [3]]), { learningRate: 2 });
 * const r = await p.predict(Infinity, { fxTrain0: zeros([2, 1]) });
 * console.log(await r.train.read()); // Float32Array [1, 3]
 * const g = gradientDescentMse(eye(2), tensor([[1], [3]]), { learningRate: 2, eigh: "gpu" });
 * const h = await g.predict(Math.log(2), { fxTrain0: zeros([2, 1]) }); // half way
 * console.log(await h.train.read(), h.method); // Float32Array [0.5, 1.5] "gpu-f32-jacobi"
 * ```
 */
export function gradientDescentMse(
  ntkTrainTrain: Tensor,
  yTrain: Tensor,
  options: GdMseOptions = {},
): {
  predict(
    t: number,
    inputs: GdMseInputs,
  ): Promise<{ train: Tensor; test?: Tensor; method: string }>;
} {
  const so = parseSolveOptions(options, "gradientDescentMse");
  const lr = options.learningRate ?? 1;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new InvalidArgumentError(`gradientDescentMse: learningRate must be > 0, got ${lr}`);
  }
  const em = eighMethodSchema.safeParse(options.eigh);
  if (!em.success) {
    throw new InvalidArgumentError(
      `gradientDescentMse: eigh must be "host" or "gpu", got ${JSON.stringify(options.eigh)}`,
    );
  }
  const eighMethod = em.data;
  let eig: Promise<{ e: Eigh }> | null = null;
  const n = yTrain.shape[0];
  return {
    async predict(t, inputs) {
      const { fxTrain0, fxTest0, ntkTestTrain } = inputs;
      if (fxTrain0.shape.join() !== yTrain.shape.join()) {
        throw new ShapeError(
          `gradientDescentMse: fxTrain0 [${fxTrain0.shape}] must match yTrain [${yTrain.shape}]`,
        );
      }
      if ((fxTest0 === undefined) !== (ntkTestTrain === undefined)) {
        throw new InvalidArgumentError(
          "gradientDescentMse: pass fxTest0 and ntkTestTrain together",
        );
      }
      const resid = sub(yTrain, fxTrain0); // y - f0
      try {
        if (t === Infinity) {
          const ens = await gpInference({
            kTrainTrain: { ntk: ntkTrainTrain },
            kTestTrain: ntkTestTrain ? { ntk: ntkTestTrain } : undefined,
            yTrain: resid,
          }, { ...so, get: ["ntk"], train: true });
          const p = ens.ntk!;
          // The (regularized) dynamics fit the training targets exactly at t = infinity.
          const r: { train: Tensor; test?: Tensor; method: string } = {
            train: add(yTrain, 0),
            method: ens.method,
          };
          if (fxTest0) r.test = add(fxTest0, p.mean);
          dispose([p.mean, p.train]);
          return r;
        }
        if (!(t >= 0)) throw new InvalidArgumentError(`predict: t must be >= 0, got ${t}`);
        eig ??= (async () => {
          if (eighMethod === "gpu") {
            const Kr = scope(() =>
              add(
                ntkTrainTrain,
                mul(eye(n), gpuRegularizer(ntkTrainTrain, so.diagReg, so.diagRegMode)),
              )
            );
            try {
              return { e: await eighGpuToHost(Kr) };
            } finally {
              Kr.dispose();
            }
          }
          const K = Float64Array.from(await ntkTrainTrain.read());
          const reg = hostRegularizer(K, n, so.diagReg, so.diagRegMode);
          const Kr = Float64Array.from(K);
          for (let i = 0; i < n; i++) Kr[i * n + i] += reg;
          return { e: eighHost(Kr, n) };
        })();
        const { e } = await eig;
        const k = yTrain.shape[1];
        const m = n * k;
        const [rh, tt] = await Promise.all([resid.read(), ntkTestTrain?.read()]);
        const vtr = matmulHost(e.vectors, rh, n, n, k, true); // V^T (y - f0)
        const decay = new Float64Array(n * k), gcoef = new Float64Array(n * k);
        for (let i = 0; i < n; i++) {
          const lam = Math.max(e.values[i], 0);
          const x = (lr * t) / m;
          const em = -Math.expm1(-lam * x); // 1 - exp(-lam x)
          const gi = lam * x < 1e-8 ? x : em / lam;
          for (let j = 0; j < k; j++) {
            decay[i * k + j] = em * vtr[i * k + j];
            gcoef[i * k + j] = gi * vtr[i * k + j];
          }
        }
        // f_train(t) = f0 + V (1 - exp) V^T (y - f0)
        const dtrain = matmulHost(e.vectors, decay, n, n, k);
        const f0 = await fxTrain0.read();
        const train = Float32Array.from(dtrain, (v, i) => f0[i] + v);
        const r: { train: Tensor; test?: Tensor; method: string } = {
          train: tensor(train, { shape: [n, k] }),
          method: eighMethodName(eighMethod),
        };
        if (tt && fxTest0) {
          const nt = tt.length / n;
          const tv = matmulHost(tt, e.vectors, nt, n, n);
          const dtest = matmulHost(tv, gcoef, nt, n, k);
          const ft0 = await fxTest0.read();
          r.test = tensor(Float32Array.from(dtest, (v, i) => ft0[i] + v), { shape: [nt, k] });
        }
        return r;
      } finally {
        resid.dispose();
      }
    },
  };
}
