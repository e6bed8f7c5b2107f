/**
 * Divergence of a score function, div_x s(x, t) = tr(ds/dx), per sample: the Hutchinson-Skilling
 * estimator eps^T (ds/dx) eps (eps Rademacher or Gaussian, E[eps eps^T] = I, one vector-Jacobian
 * product), or the exact trace by one vector-Jacobian product per dimension (low dimension), or an
 * analytic divergence when the score function provides one (the exact Gaussian-mixture score).
 *
 * @example
 * ```ts
 * import { mul, random } from "../gpu/mod.ts";
 * import { exactDivergence } from "./divergence.ts";
 * const s = (x: import("../gpu/mod.ts").Tensor) => mul(x, -2); // div = -2 D
 * console.log(await exactDivergence(s, random.normal(random.key(0), [3, 2]), 0.5).read()); // [-4, -4, -4]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, full, mul, oneHot, reshape, sum, type Tensor, vjp } from "../gpu/mod.ts";
import type { ScoreFn, TimeArg } from "./sde.ts";

/** How a divergence is computed. */
export type DivergenceMethod = "hutchinson-rademacher" | "hutchinson-gaussian" | "exact";

/** Largest per-sample dimension {@link exactDivergence} accepts (one backward pass each). */
export const EXACT_DIVERGENCE_MAX_DIM = 64;

/** A score function that knows its own divergence (e.g. `gmmScore`). */
export interface ScoreWithDivergence extends ScoreFn {
  /** Exact divergence per sample, shape [B]. */
  divergence(x: Tensor, t: TimeArg): Tensor;
}

/**
 * True when `score` carries an analytic `divergence`.
 *
 * @example
 * ```ts
 * import { hasDivergence } from "./divergence.ts";
 * console.log(hasDivergence((x) => x)); // false
 * ```
 */
export function hasDivergence(score: ScoreFn): score is ScoreWithDivergence {
  return typeof (score as Partial<ScoreWithDivergence>).divergence === "function";
}

function batchAxes(x: Tensor): number[] {
  return x.shape.map((_, i) => i).slice(1);
}

/**
 * Returns the score and the Hutchinson estimate eps^T (ds/dx) eps per sample ([B]) for a probe
 * `eps` shaped like x (one forward and one backward pass).
 *
 * @example
 * ```ts
 * import { mul, random } from "../gpu/mod.ts";
 * import { hutchinsonDivergence } from "./divergence.ts";
 * const x = random.normal(random.key(0), [2, 3]);
 * const probe = random.rademacher(random.key(1), [2, 3]);
 * const { div } = hutchinsonDivergence((x) => mul(x, 3), x, 0.1, probe);
 * console.log(await div.read()); // [9, 9]: eps^T (3 I) eps = 3 |eps|^2 = 9
 * ```
 */
export function hutchinsonDivergence(
  score: ScoreFn,
  x: Tensor,
  t: TimeArg,
  probe: Tensor,
): { score: Tensor; div: Tensor } {
  if (probe.shape.join() !== x.shape.join()) {
    throw new ShapeError(`hutchinsonDivergence: probe [${probe.shape}] must match x [${x.shape}]`);
  }
  const [s, g] = vjp((xx: Tensor) => score(xx, t), x, probe);
  const axes = batchAxes(x);
  const div = axes.length ? sum(mul(g, probe), axes) : mul(g, probe);
  g.dispose();
  return { score: s, div };
}

/**
 * Exact divergence by one vector-Jacobian product per dimension (x: [B, D...] with at most 64
 * values per sample), or the score's own analytic `divergence` when it has one.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * import { gmmScore } from "./gmm_score.ts";
 * import { exactDivergence } from "./divergence.ts";
 * import { VPSDE } from "./vp.ts";
 * const score = gmmScore(GaussianMixture.isotropic([[0, 0]], 1), new VPSDE());
 * console.log(await exactDivergence(score, random.normal(random.key(0), [2, 2]), 0.3).read()); // [-2, -2]
 * ```
 */
export function exactDivergence(score: ScoreFn, x: Tensor, t: TimeArg): Tensor {
  if (hasDivergence(score)) return score.divergence(x, t);
  const b = x.shape[0], d = x.size / b;
  if (d > EXACT_DIVERGENCE_MAX_DIM) {
    throw new InvalidArgumentError(
      `exactDivergence: ${d} values per sample exceeds ${EXACT_DIVERGENCE_MAX_DIM} (one backward ` +
        `pass each); use a Hutchinson estimator`,
    );
  }
  const axes = batchAxes(x);
  let acc: Tensor | null = null;
  for (let j = 0; j < d; j++) {
    const e = reshape(oneHot(full([b], j, "i32"), d), x.shape);
    const [s, g] = vjp((xx: Tensor) => score(xx, t), x, e);
    const term = sum(mul(g, e), axes);
    s.dispose();
    g.dispose();
    e.dispose();
    if (acc) {
      const next: Tensor = add(acc, term);
      acc.dispose();
      term.dispose();
      acc = next;
    } else acc = term;
  }
  return acc!;
}
