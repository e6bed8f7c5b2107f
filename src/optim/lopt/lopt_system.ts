/**
 * Learned-optimizer meta-training as an unrolled system (learned_optimization's
 * `TruncatedStep` over a task family): theta is the optimizer's weights, each particle trains
 * its own problem drawn from the family with the optimizer `theta[p]`, and the per-step loss is
 * the problem's training loss before the update (or its log, the default, so that problems of
 * very different loss scales weigh alike; Metz et al. 2020 normalize losses for the same
 * reason). An episode is `horizon` inner steps; a new episode draws a new problem. The
 * optimizer's update also receives that training loss (`LoptUpdateInput.loss`, for loss
 * features), computed anyway for the meta-loss. Any estimator in `src/optim` (PES, truncated
 * ES, TBPTT) trains it with `metaTrain`.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { learnedOptimizerSystem } from "./lopt_system.ts";
 * const sys = learnedOptimizerSystem(linearRegressionFamily(), mlpLopt(), { horizon: 50 });
 * console.log(sys.thetaDim, sys.horizon); // 1762 50
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  keptCache,
  log,
  reshape,
  take,
  type Tensor,
  tensor,
  treeFlatten,
  treeMap,
  where,
  zeros,
} from "../../gpu/mod.ts";
import { foldIn } from "../../gpu/random.ts";
import type { LearnedOptimizer } from "./learned_optimizer.ts";
import type { TaskFamily } from "./task_family.ts";
import { parseOptions } from "../../options.ts";
import { tileReplicas, type UnrolledSystem } from "../unrolled_system.ts";

const schema = z.strictObject({
  horizon: z.number().int().min(1).max(1_000_000).default(100),
  metaLoss: z.enum(["log", "raw"]).default("log"),
});

/** Options of {@link learnedOptimizerSystem}. */
export interface LearnedOptimizerSystemOptions {
  /** Inner training steps per episode [100]. */
  horizon?: number;
  /** Per-step meta-loss: `log` of the training loss, or the `raw` loss ["log"]. */
  metaLoss?: "log" | "raw";
}

/** The state of every particle: its problem, parameters `[P, n]` and accumulators. */
export interface LearnedOptimizerState {
  /** The sampled problems (leaves `[P, ...]`). */
  tasks: Record<string, Tensor>;
  /** Inner parameters `[P, n]`. */
  params: Tensor;
  /** The optimizer's per-parameter state `[P, stateRows, n]`. */
  optState: Tensor;
}

/** The state of a system over several families: one {@link LearnedOptimizerState} each. */
export interface MixtureState {
  /** Per-family states, in the order of the families. */
  groups: LearnedOptimizerState[];
}

/**
 * Particle rows of each family when `P` particles in `replicas` equal blocks are split
 * between `F` families: inside every block of `m = P / replicas` rows, family f owns a
 * contiguous run (as even as possible), so antithetic copies meet the same family. Returns the
 * row indices of each family in block order.
 *
 * @example
 * ```ts
 * import { familyRows } from "./lopt_system.ts";
 * console.log(familyRows(8, 2, 2)); // [[0, 1, 4, 5], [2, 3, 6, 7]]
 * ```
 */
export function familyRows(P: number, replicas: number, families: number): number[][] {
  const m = P / replicas;
  if (!Number.isInteger(m) || m < families) {
    throw new ShapeError(
      `learnedOptimizerSystem: ${P} particles in ${replicas} replica blocks cannot hold ` +
        `${families} families (each block needs at least one particle per family)`,
    );
  }
  return Array.from({ length: families }, (_, f) => {
    const [lo, hi] = [Math.floor((f * m) / families), Math.floor(((f + 1) * m) / families)];
    const rows: number[] = [];
    for (let b = 0; b < replicas; b++) for (let j = lo; j < hi; j++) rows.push(b * m + j);
    return rows;
  });
}

/** One family's particle rows and their kept GPU tables (see `mixtureSystem`). */
interface GroupLayout {
  rows: number[];
  /** The group's particle rows, i32 [R]. */
  index: Tensor;
  /** Particle -> its row in the group (0 if not in it), i32 [P]. */
  gather: Tensor;
  /** 1 on the group's particles, f32 [P]. */
  mask: Tensor;
}

/**
 * Meta-training on several task families at once (Metz et al. 2020 train on distributions of
 * tasks): the particles are split between the families (see {@link familyRows}), each group
 * trains problems of its family with its own parameter layout, and the per-step meta-losses are
 * put back in particle order. With one family this is {@link learnedOptimizerSystem}.
 *
 * @example
 * ```ts
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { twoMoonsFamily } from "../tasks/two_moons_family.ts";
 * import { gruLopt } from "./gru_lopt.ts";
 * import { mixtureSystem } from "./lopt_system.ts";
 * const sys = mixtureSystem([linearRegressionFamily(), twoMoonsFamily()], gruLopt(), { horizon: 50 });
 * console.log(sys.name); // "gru-lopt/linear-regression+two-moons-mlp"
 * ```
 */
export function mixtureSystem(
  families: readonly TaskFamily[],
  lopt: LearnedOptimizer,
  options: LearnedOptimizerSystemOptions = {},
): UnrolledSystem<MixtureState> {
  if (families.length === 0) {
    throw new ShapeError("mixtureSystem: families must hold at least one task family");
  }
  const parts = families.map((f) => learnedOptimizerSystem(f, lopt, options));
  // Every group's state keeps all P rows (rows of other families are unused copies), so the
  // estimators' episode resets, which select whole particle rows, work unchanged. The index,
  // gather and mask tables depend only on (P, replicas): uploaded once and kept, not per step.
  const layouts = keptCache<GroupLayout[]>();
  const layout = (P: number, replicas: number): GroupLayout[] =>
    layouts(`${P}/${replicas}`, () =>
      familyRows(P, replicas, families.length).map((rows) => {
        const gather = new Int32Array(P); // particle -> its row in the group (0 if not in it)
        const mask = new Float32Array(P);
        rows.forEach((row, k) => {
          gather[row] = k;
          mask[row] = 1;
        });
        return {
          rows,
          index: tensor(Int32Array.from(rows), { dtype: "i32" }),
          gather: tensor(gather, { dtype: "i32" }),
          mask: tensor(mask),
        };
      }));
  const expand = (leaf: Tensor, g: GroupLayout) => take(leaf, g.gather, 0);
  return {
    name: `${lopt.name}/${families.map((f) => f.name).join("+")}`,
    thetaDim: lopt.thetaDim,
    horizon: parts[0].horizon,
    init(theta, ctx) {
      return {
        groups: layout(ctx.particles, ctx.replicas).map((g, f) => {
          const state = parts[f].init(take(theta, g.index, 0), {
            particles: g.rows.length,
            replicas: ctx.replicas,
            key: foldIn(ctx.key, f),
          });
          return treeMap(
            (leaf: Tensor) => expand(leaf, g),
            state,
          ) as unknown as LearnedOptimizerState;
        }),
      };
    },
    step(theta, s, ctx) {
      const P = theta.shape[0];
      const groupLoss = new Array<Tensor>(families.length);
      const lay = layout(P, ctx.replicas);
      const groups = lay.map((g, f) => {
        const idx = g.index;
        const mine = treeMap((leaf: Tensor) => take(leaf, idx, 0), s.groups[f]);
        const out = parts[f].step(take(theta, idx, 0), mine as unknown as LearnedOptimizerState, {
          ...ctx,
          t: Int32Array.from(g.rows, (r) => ctx.t[r]),
          time: take(ctx.time, idx, 0),
          key: foldIn(ctx.key, f),
        });
        groupLoss[f] = expand(out.loss, g);
        const m = g.mask;
        const next = treeFlatten(out.state), old = treeFlatten(s.groups[f]);
        return next.rebuild(next.leaves.map((leaf, i) => {
          const o = old.leaves[i];
          const mk = reshape(m, [P, ...o.shape.slice(1).map(() => 1)]);
          return where(mk, expand(leaf, g), o);
        })) as LearnedOptimizerState;
      });
      // each particle's loss comes from its own family's group
      let loss = groupLoss[0];
      for (let f = 1; f < families.length; f++) {
        loss = where(lay[f].mask, groupLoss[f], loss);
      }
      return { state: { groups }, loss };
    },
  };
}

/**
 * Builds the meta-training system of `lopt` on `family`.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { full } from "../../gpu/mod.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { learnedOptimizerSystem } from "./lopt_system.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const sys = learnedOptimizerSystem(linearRegressionFamily({ dim: 4 }), lopt);
 * const theta = full([2, lopt.thetaDim], 0.01);
 * const s = sys.init(theta, { particles: 2, replicas: 1, key: key(0) });
 * console.log(s.params.shape, s.optState.shape); // [2, 4] [2, 6, 4]
 * ```
 */
export function learnedOptimizerSystem(
  family: TaskFamily,
  lopt: LearnedOptimizer,
  options: LearnedOptimizerSystemOptions = {},
): UnrolledSystem<LearnedOptimizerState> {
  const o = parseOptions(schema, options, "learnedOptimizerSystem");
  const n = family.paramSize;
  return {
    name: `${lopt.name}/${family.name}`,
    thetaDim: lopt.thetaDim,
    horizon: o.horizon,
    init(_theta, ctx) {
      const distinct = family.sample(ctx.key, ctx.particles / ctx.replicas);
      const tasks: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(distinct)) tasks[k] = tileReplicas(v, ctx.replicas);
      return {
        tasks,
        params: family.initParams(tasks),
        optState: zeros([ctx.particles, lopt.stateRows, n]),
      };
    },
    step(theta, s, ctx) {
      const { loss, grad } = family.lossAndGrad(s.tasks, s.params, ctx.key, ctx.replicas);
      const P = theta.shape[0];
      const lossP = reshape(loss, [P]);
      const out = lopt.update({
        theta,
        params: s.params,
        grads: grad,
        state: s.optState,
        iteration: ctx.time,
        segments: family.segments,
        loss: lossP,
      });
      return {
        state: { tasks: s.tasks, params: out.params, optState: out.state },
        loss: o.metaLoss === "log" ? log(lossP) : lossP,
      };
    },
  };
}
