/**
 * Rank normalization (Vehtari, Gelman, Simpson, Carpenter and Buerkner 2021): replace each draw
 * by the normal quantile of its fractional rank over all chains, `z = Phi^-1((r - 3/8) / (S + 1/4))`
 * (Blom's offset; ties get their average rank). Used by bulk-ESS and rank-normalized R-hat.
 *
 * @example
 * ```ts
 * import { rankNormalize } from "./rank_normalize.ts";
 * const z = rankNormalize([[10, 30], [20, 40]]);
 * console.log(z[0][0] < z[1][0], z[0][1] < z[1][1]); // true true
 * ```
 * @module
 */
import { checkDraws, type Draws } from "./chains.ts";
import { normalQuantile } from "./normal.ts";

/**
 * Rank-normalized draws, same layout as the input.
 *
 * @example
 * ```ts
 * import { rankNormalize } from "./rank_normalize.ts";
 * console.log(rankNormalize([[1, 1, 1]])[0][0]); // 0 (all tied: the middle rank)
 * ```
 */
export function rankNormalize(draws: Draws): Float64Array[] {
  const chains = checkDraws(draws, "rankNormalize", 1);
  const n = chains[0].length, S = chains.length * n;
  const flat = new Float64Array(S);
  chains.forEach((c, i) => flat.set(c, i * n));
  const order = Array.from({ length: S }, (_, i) => i).sort((a, b) => flat[a] - flat[b]);
  const ranks = new Float64Array(S);
  for (let i = 0; i < S;) {
    let j = i;
    while (j + 1 < S && flat[order[j + 1]] === flat[order[i]]) j++;
    const avg = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    i = j + 1;
  }
  return chains.map((_, c) => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = normalQuantile((ranks[c * n + i] - 0.375) / (S + 0.25));
    return z;
  });
}
