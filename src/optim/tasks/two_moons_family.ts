/**
 * A family of small classification problems: a `2 -> H tanh -> 1` MLP trained with the logistic
 * loss on the two-moons data set (one of the tasks of Maheswaranathan et al. 2021), each problem
 * with its own random rotation and scale of the inputs and its own initial weights
 * (`w ~ N(0, 1/fanIn)`, zero biases). Every step draws a fresh minibatch: class `c` is a fair
 * coin, `u ~ U(0, pi)`, the point is `(cos u, sin u)` for class 0 and `(1 - cos u, 1/2 - sin u)`
 * for class 1, centred, plus N(0, noise^2) noise, then rotated and scaled per problem.
 *
 * The parameters of one problem are laid out flat as `w1 [2, H] | b1 [H] | w2 [H] | b2`, and
 * its gradient comes from reverse-mode autodiff of the batched network (a `vjp` that records
 * its own graph, so truncated backprop through a learned optimizer gets second derivatives).
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { twoMoonsFamily } from "./two_moons_family.ts";
 * const family = twoMoonsFamily({ hidden: 8, batch: 16 });
 * const tasks = family.sample(key(0), 2);
 * const { loss, grad } = family.lossAndGrad(tasks, family.initParams(tasks), key(1), 1);
 * console.log(family.segments, loss.shape, grad.shape); // [16, 8, 8, 1] [2] [2, 33]
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  add,
  concat,
  cos,
  exp,
  matmul,
  mean,
  mul,
  neg,
  ones,
  random,
  reshape,
  sin,
  slice,
  softplus,
  stack,
  sub,
  tanh,
  type Tensor,
  vjp,
  zeros,
} from "../../gpu/mod.ts";
import { foldIn } from "../../gpu/random.ts";
import type { TaskFamily } from "../lopt/task_family.ts";
import { parseOptions } from "../../options.ts";
import { tileReplicas } from "../unrolled_system.ts";

const schema = z.strictObject({
  hidden: z.number().int().min(1).max(1024).default(16),
  batch: z.number().int().min(1).max(65536).default(32),
  noise: z.number().min(0).finite().default(0.1),
  logScaleRange: z.number().min(0).max(5).default(0.5),
});

/** Options of {@link twoMoonsFamily}. */
export interface TwoMoonsFamilyOptions {
  /** Hidden units H of the MLP [16]. */
  hidden?: number;
  /** Minibatch size per step [32]. */
  batch?: number;
  /** Standard deviation of the point noise [0.1]. */
  noise?: number;
  /** Input scale `exp(U(-r, r))` per problem [0.5]. */
  logScaleRange?: number;
}

/** One batch of problems: input transform `[P, 2, 2]` and initial weights `[P, n]`. */
export type TwoMoonsTasks = { transform: Tensor; init: Tensor };

/** The family, with its parsed options. */
export interface TwoMoonsFamily extends TaskFamily<TwoMoonsTasks> {
  /** The parsed options. */
  readonly options: Readonly<Required<TwoMoonsFamilyOptions>>;
}

/**
 * Builds the two-moons MLP task family.
 *
 * @example
 * ```ts
 * import { twoMoonsFamily } from "./two_moons_family.ts";
 * console.log(twoMoonsFamily().paramSize); // 65 = 2*16 + 16 + 16 + 1
 * ```
 */
export function twoMoonsFamily(options: TwoMoonsFamilyOptions = {}): TwoMoonsFamily {
  const o = parseOptions(schema, options, "twoMoonsFamily");
  const H = o.hidden, B = o.batch, n = 4 * H + 1;

  /** Logistic loss per problem `[P]` of the MLP with flat parameters `p [P, n]`. */
  const lossOf = (p: Tensor, x: Tensor, y: Tensor): Tensor => {
    const P = p.shape[0];
    const w1 = reshape(slice(p, [null, [0, 2 * H]]), [P, 2, H]);
    const b1 = reshape(slice(p, [null, [2 * H, 3 * H]]), [P, 1, H]);
    const w2 = reshape(slice(p, [null, [3 * H, 4 * H]]), [P, H, 1]);
    const b2 = reshape(slice(p, [null, [4 * H, n]]), [P, 1, 1]);
    const f = add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2); // [P, B, 1]
    return mean(softplus(neg(mul(reshape(f, [P, B]), y))), 1);
  };

  return {
    name: "two-moons-mlp",
    options: o,
    paramSize: n,
    segments: [2 * H, H, H, 1],
    sample(key, count) {
      const angle = random.uniform(foldIn(key, 0), [count, 1, 1], 0, 2 * Math.PI);
      const scale = exp(
        random.uniform(foldIn(key, 1), [count, 1, 1], -o.logScaleRange, o.logScaleRange),
      );
      const [c, s] = [cos(angle), sin(angle)];
      // x @ transform with transform = scale * [[c, s], [-s, c]] rotates each row by angle
      const transform = mul(concat([concat([c, s], 2), concat([neg(s), c], 2)], 1), scale);
      const w1 = random.normal(foldIn(key, 2), [count, 2 * H], 0, Math.SQRT1_2);
      const w2 = random.normal(foldIn(key, 3), [count, H], 0, 1 / Math.sqrt(H));
      const init = concat([w1, zeros([count, H]), w2, zeros([count, 1])], 1);
      return { transform, init };
    },
    initParams(tasks) {
      return add(tasks.init, 0);
    },
    lossAndGrad(tasks, params, key, replicas) {
      const P = params.shape[0];
      if (params.shape.join() !== `${P},${n}` || tasks.transform.shape.join() !== `${P},2,2`) {
        throw new ShapeError(
          `twoMoonsFamily: params [${params.shape}] must be [P, ${n}] and tasks [P, 2, 2], got ` +
            `[${tasks.transform.shape}]`,
        );
      }
      if (P % replicas !== 0) {
        throw new ShapeError(`twoMoonsFamily: ${P} problems do not split into ${replicas}`);
      }
      const m = P / replicas;
      // the same minibatch for every replica (antithetic copies)
      const cls = tileReplicas(random.bernoulli(foldIn(key, 0), [m, B], 0.5), replicas); // 1: class 1
      const u = tileReplicas(random.uniform(foldIn(key, 1), [m, B], 0, Math.PI), replicas);
      const eps = tileReplicas(random.normal(foldIn(key, 2), [m, B, 2], 0, o.noise), replicas);
      // class 0: (cos u, sin u); class 1: (1 - cos u, 1/2 - sin u); centred at (1/2, 1/4)
      const sign = sub(1, mul(cls, 2)); // +1 for class 0, -1 for class 1
      const px = add(mul(cos(u), sign), sub(cls, 0.5));
      const py = add(mul(sin(u), sign), sub(mul(cls, 0.5), 0.25));
      const raw = add(stack([px, py], 2), eps); // [P, B, 2]
      const x = matmul(raw, tasks.transform);
      const y = neg(sign); // labels +-1: class 1 -> +1
      const [loss, grad] = vjp((p: Tensor) => lossOf(p, x, y), params, ones([P]));
      return { loss, grad };
    },
  };
}
