/**
 * Host f64 references for the optim tests: the influence-balancing dynamics and the PES /
 * truncated-ES estimators with episode resets, written independently of the GPU code.
 *
 * @module
 */

/** Influence task parameters (defaults: the reference task). */
export interface InfluenceRef {
  n: number;
  positive: number;
  a: number;
  b: number;
  target: number;
  init: number;
  horizon: number;
}

/** The default task. */
export const INFLUENCE: InfluenceRef = {
  n: 23,
  positive: 10,
  a: 0.5,
  b: 0.5,
  target: 1,
  init: 1,
  horizon: Infinity,
};

/** One step in place; returns the step's loss. */
export function influenceStep(task: InfluenceRef, s: Float64Array, theta: number): number {
  const { n, positive, a, b } = task;
  for (let j = 0; j < n; j++) {
    const sign = j < positive ? 1 : -1;
    s[j] = a * s[j] + (j + 1 < n ? b * s[j + 1] : 0) + theta * sign;
  }
  return 0.5 * (s[0] - task.target) ** 2;
}

/**
 * K steps from state s at index t (in place, with resets); returns the per-step losses and the
 * new index.
 */
export function influenceUnroll(
  task: InfluenceRef,
  s: Float64Array,
  t: number,
  theta: number,
  K: number,
): { losses: number[]; t: number; firstEnd: number } {
  const losses: number[] = [];
  let firstEnd = K;
  for (let k = 0; k < K; k++) {
    losses.push(influenceStep(task, s, theta));
    t++;
    if (t === task.horizon) {
      t = 0;
      s.fill(task.init);
      if (firstEnd === K) firstEnd = k;
    }
  }
  return { losses, t, firstEnd };
}

/** Mean per-step loss over one full episode from the initial state (finite horizon). */
export function influenceEpisodeLoss(task: InfluenceRef, theta: number): number {
  const s = new Float64Array(task.n).fill(task.init);
  let acc = 0;
  for (let t = 0; t < task.horizon; t++) acc += influenceStep(task, s, theta);
  return acc / task.horizon;
}

/** Sample mean and its standard error. */
export function meanSe(xs: readonly number[]): { mean: number; se: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length), sd: Math.sqrt(v) };
}
