/**
 * The meta-objective itself, evaluated without gradients for many thetas at once: each theta
 * row runs one whole episode from a fresh initial state (step 0 to the horizon) as one
 * particle, and the result is its mean per-step loss. Used for meta-loss surfaces (one
 * particle per grid point) and to score trained thetas.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { key } from "../gpu/random.ts";
 * import { episodeLoss } from "./episode_loss.ts";
 * import { lrScheduleRegression } from "./tasks/lr_schedule_regression.ts";
 * const l = episodeLoss(lrScheduleRegression(), tensor([[-4.6, -4.6], [0, 0]]), key(0));
 * console.log(await l.read()); // two meta-losses
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, mul, scope, sum, type Tensor } from "../gpu/mod.ts";
import { foldIn, type Key } from "../gpu/random.ts";
import { EpisodeClock } from "./episode_clock.ts";
import { runTruncation } from "./truncation.ts";
import type { UnrolledSystem } from "./unrolled_system.ts";

/**
 * Mean per-step loss of one full episode for each row of `thetas` (`[G, D]` -> `[G]`).
 * Long horizons run in chunks of `chunk` steps (default 1000) to bound memory.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { key } from "../gpu/random.ts";
 * import { episodeLoss } from "./episode_loss.ts";
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * console.log(episodeLoss(influenceBalancing({ horizon: 10 }), tensor([[0.5]]), key(0)).shape); // [1]
 * ```
 */
export function episodeLoss<S>(
  system: UnrolledSystem<S>,
  thetas: Tensor,
  key: Key,
  chunk = 1000,
): Tensor {
  const T = system.horizon;
  if (T === Infinity) {
    throw new InvalidArgumentError(
      `episodeLoss: system "${system.name}" never ends an episode (horizon Infinity)`,
    );
  }
  if (thetas.rank !== 2 || thetas.shape[1] !== system.thetaDim) {
    throw new ShapeError(
      `episodeLoss: thetas must be [G, ${system.thetaDim}], got [${thetas.shape}]`,
    );
  }
  const G = thetas.shape[0];
  const clock = new EpisodeClock(T, new Int32Array(G));
  try {
    return scope(() => {
      let state = system.init(thetas, { particles: G, replicas: 1, key: foldIn(key, 0) });
      let acc: Tensor | null = null;
      for (let done = 0, c = 0; done < T; c++) {
        const K = Math.min(chunk, T - done);
        const out = runTruncation(system, thetas, state, clock.plan(K), {
          key: foldIn(key, c + 1),
          replicas: 1,
        });
        const part = mul(sum(out.losses, 1), 1 / T);
        acc = acc ? add(acc, part) : part;
        state = out.state;
        clock.advance(K);
        done += K;
      }
      return acc as Tensor;
    });
  } finally {
    clock.dispose();
  }
}
