/**
 * Step-size adaptation by dual averaging (Nesterov 2009, as adapted by Hoffman and Gelman 2014,
 * "The No-U-Turn Sampler", Algorithm 5; Stan's defaults gamma = 0.05, t0 = 10, kappa = 0.75,
 * mu = log(10 eps0)), run entirely on the GPU: the state is per-chain `[C]` tensors updated with
 * elementwise ops from each step's acceptance probabilities, so warm-up needs no readback.
 *
 * With `shareAcrossChains` (default) all chains use one step size driven by the mean acceptance
 * probability over chains, which is steadier with few chains; otherwise each chain adapts its own.
 *
 * @example
 * ```ts
 * import { full } from "../gpu/mod.ts";
 * import { DualAveraging } from "./dual_averaging.ts";
 * const da = new DualAveraging(4, { initialStepSize: 0.1, targetAccept: 0.8 });
 * for (let i = 0; i < 20; i++) da.update(full([4], 0.95)); // accepting too often: grow
 * console.log((await da.finalStepSize().read())[0] > 0.1); // true
 * ```
 * @module
 */
import { z } from "zod";
import { add, broadcastTo, exp, full, mean, mul, sub, type Tensor } from "../gpu/mod.ts";
import { keep, scope } from "../gpu/tensor.ts";
import { parseOptions } from "../options.ts";

const dualAveragingSchema = z.strictObject({
  initialStepSize: z.number().positive(),
  targetAccept: z.number().gt(0).lt(1).default(0.8),
  gamma: z.number().positive().default(0.05),
  t0: z.number().nonnegative().default(10),
  kappa: z.number().gt(0.5).lte(1).default(0.75),
  shareAcrossChains: z.boolean().default(true),
});

/** Options of {@link DualAveraging}. */
export interface DualAveragingOptions {
  /** Initial step size eps0 (also sets mu = log(10 eps0)). */
  initialStepSize: number;
  /** Target mean acceptance probability delta in (0, 1) (default 0.8). */
  targetAccept?: number;
  /** Shrinkage gamma > 0 (default 0.05). */
  gamma?: number;
  /** Iteration offset t0 >= 0 (default 10). */
  t0?: number;
  /** Averaging exponent kappa in (0.5, 1] (default 0.75). */
  kappa?: number;
  /** One step size for all chains (mean acceptance) instead of one per chain (default true). */
  shareAcrossChains?: boolean;
}

/**
 * Dual-averaging step-size adaptation state for C chains, on the GPU.
 *
 * @example
 * ```ts
 * import { full } from "../gpu/mod.ts";
 * import { DualAveraging } from "./dual_averaging.ts";
 * const da = new DualAveraging(2, { initialStepSize: 1 });
 * da.update(full([2], 0.1)); // accepting too rarely: shrink
 * console.log((await da.stepSize.read())[0] < 1); // true
 * da.dispose();
 * ```
 */
export class DualAveraging {
  /** The parsed options. */
  readonly options: Required<DualAveragingOptions>;
  /** Updates so far. */
  iteration = 0;
  /** Current step size per chain `[C]` (use during warm-up). */
  stepSize: Tensor;
  #logEpsBar: Tensor;
  #hBar: Tensor;
  #mu: number;

  /** Starts adaptation for `chains` chains. */
  constructor(readonly chains: number, options: DualAveragingOptions) {
    this.options = parseOptions(dualAveragingSchema, options, "DualAveraging");
    const eps0 = this.options.initialStepSize;
    this.#mu = Math.log(10 * eps0);
    this.stepSize = keep(full([chains], eps0));
    this.#logEpsBar = keep(full([chains], 0));
    this.#hBar = keep(full([chains], 0));
  }

  /** Feeds one step's acceptance probabilities `[C]`; updates `stepSize` (GPU ops only). */
  update(acceptProb: Tensor): void {
    const { targetAccept, gamma, t0, kappa, shareAcrossChains } = this.options;
    const t = ++this.iteration;
    const w = 1 / (t + t0);
    const eta = Math.pow(t, -kappa);
    const [hBar, logEps, logEpsBar, eps] = scope(() => {
      const a = shareAcrossChains
        ? broadcastTo(mean(acceptProb, 0, true), [this.chains])
        : acceptProb;
      const hBar = add(mul(this.#hBar, 1 - w), mul(sub(targetAccept, a), w));
      const logEps = sub(this.#mu, mul(hBar, Math.sqrt(t) / gamma));
      const logEpsBar = add(mul(logEps, eta), mul(this.#logEpsBar, 1 - eta));
      return [hBar, logEps, logEpsBar, exp(logEps)];
    });
    keep([hBar, logEpsBar, eps]);
    logEps.dispose();
    this.#hBar.dispose();
    this.#logEpsBar.dispose();
    this.stepSize.dispose();
    this.#hBar = hBar;
    this.#logEpsBar = logEpsBar;
    this.stepSize = eps;
  }

  /** The adapted step size `exp(logEpsBar)` per chain `[C]` (a new tensor; use after warm-up). */
  finalStepSize(): Tensor {
    return this.iteration === 0 ? add(this.stepSize, 0) : exp(this.#logEpsBar);
  }

  /** Frees the adaptation state. */
  dispose(): void {
    this.stepSize.dispose();
    this.#logEpsBar.dispose();
    this.#hBar.dispose();
  }
}
