/**
 * Potential scale reduction R-hat (Gelman and Rubin 1992), in its split and rank-normalized
 * forms (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021, as in Stan and ArviZ).
 *
 * `"rank"` (default) is the maximum of the split-R-hat of rank-normalized draws (bulk) and of
 * rank-normalized folded draws `|x - median|` (tails). Values near 1 mean the chains agree;
 * above ~1.01 they have not mixed.
 *
 * @example
 * ```ts
 * import { rhat } from "./rhat.ts";
 * console.log(rhat([[0, 1, 0, 1, 0, 1], [10, 11, 10, 11, 10, 11]]) > 2); // true: chains disagree
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { checkDraws, type Draws, splitChains } from "./chains.ts";
import { rankNormalize } from "./rank_normalize.ts";

/** Which R-hat: `"rank"` (default), `"split"` (split chains), `"basic"` (chains as given). */
export type RhatMethod = "rank" | "split" | "basic";

/** Classic R-hat of chains as given: sqrt(((N-1)/N W + B/N) / W). */
function rhatBasic(chains: Float64Array[]): number {
  const M = chains.length, N = chains[0].length;
  if (M < 2) {
    throw new InvalidArgumentError(`rhat: need at least 2 chains after splitting, got ${M}`);
  }
  const means = chains.map((c) => c.reduce((a, b) => a + b, 0) / N);
  const vars = chains.map((c, i) => c.reduce((a, b) => a + (b - means[i]) ** 2, 0) / (N - 1));
  const mm = means.reduce((a, b) => a + b, 0) / M;
  const B = N * means.reduce((a, b) => a + (b - mm) ** 2, 0) / (M - 1);
  const W = vars.reduce((a, b) => a + b, 0) / M;
  if (W === 0) return B === 0 ? 1 : Infinity;
  return Math.sqrt((B / W + N - 1) / N);
}

function median(chains: Float64Array[]): number {
  const all = Float64Array.from(chains.flatMap((c) => Array.from(c))).sort();
  const n = all.length;
  return n % 2 ? all[(n - 1) / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
}

/**
 * R-hat of one scalar quantity over several chains.
 *
 * @example
 * ```ts
 * import { rhat } from "./rhat.ts";
 * let s = 7;
 * const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
 * const chains = [0, 1, 2, 3].map(() => Array.from({ length: 400 }, u));
 * console.log(rhat(chains) < 1.02); // true: well mixed
 * ```
 */
export function rhat(draws: Draws, method: RhatMethod = "rank"): number {
  const chains = checkDraws(draws, "rhat", 4);
  switch (method) {
    case "basic":
      return rhatBasic(chains);
    case "split":
      return rhatBasic(splitChains(chains));
    case "rank": {
      const split = splitChains(chains);
      const bulk = rhatBasic(rankNormalize(split));
      const med = median(split);
      const tail = rhatBasic(rankNormalize(split.map((c) => c.map((v) => Math.abs(v - med)))));
      return Math.max(bulk, tail);
    }
    default:
      throw new InvalidArgumentError(
        `rhat: method must be "rank", "split" or "basic", got ${JSON.stringify(method)}`,
      );
  }
}
