/**
 * The exact score of a Gaussian mixture under an SDE's perturbation kernel, as a {@link ScoreFn}
 * that runs one fused GPU kernel per call: grad_x log p_t(x) for
 * p_t = sum_k pi_k N(m(t) mu_k, m(t)^2 S_k + s(t)^2 I). It also offers the exact divergence of
 * the score, log p_t, and records its vector-Jacobian product (the Hessian of log p_t, which is
 * symmetric) so `vjp`/`grad` through it work to first order (Hutchinson estimates).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * import { gmmScore } from "./gmm_score.ts";
 * import { VPSDE } from "./vp.ts";
 * const score = gmmScore(GaussianMixture.isotropic([[-2, 0], [2, 0]], 0.1), new VPSDE());
 * const s = score(random.normal(random.key(0), [4, 2]), 0.5);
 * console.log(s.shape); // [4, 2]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { paramWords } from "../gpu/kernels/indexing.ts";
import { memoKernel } from "../gpu/kernels/indexing.ts";
import { keep, type Tensor, tensor } from "../gpu/mod.ts";
import { record } from "../gpu/tape.ts";
import { checkOperands, Tensor as TensorClass } from "../gpu/tensor.ts";
import type { GaussianMixture } from "./gmm.ts";
import { GMM_MAX_DIM, gmmKernel, type GmmMode } from "./kernels/gmm_score.ts";
import type { ScoreFn, Sde, TimeArg } from "./sde.ts";

const kernel = memoKernel(gmmKernel);

/** The exact mixture score plus its divergence and log-density at any time. */
export interface GmmScoreFn extends ScoreFn {
  /** The mixture it belongs to. */
  readonly mixture: GaussianMixture;
  /** The SDE whose marginals it scores. */
  readonly sde: Sde;
  /** Exact divergence of the score (trace of the Hessian of log p_t), shape [n]. */
  divergence(x: Tensor, t: TimeArg): Tensor;
  /** log p_t(x), shape [n]. */
  logDensity(x: Tensor, t: TimeArg): Tensor;
  /** The Hessian of log p_t applied to `v` (the Jacobian-vector product of the score), [n, D]. */
  hvp(x: Tensor, t: TimeArg, v: Tensor): Tensor;
  /** Frees the component buffer (the function is unusable afterwards). */
  dispose(): void;
}

/**
 * Builds the exact score of `mixture` perturbed by `sde` (dimension up to 16).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * import { gmmScore } from "./gmm_score.ts";
 * import { VESDE } from "./ve.ts";
 * const score = gmmScore(GaussianMixture.isotropic([[1, 0]], 1), new VESDE({ sigmaMax: 10 }));
 * console.log(await score(tensor([[0, 0]]), 0).read()); // ~[1, 0] (sigma_min^2 is tiny)
 * ```
 */
export function gmmScore(mixture: GaussianMixture, sde: Sde): GmmScoreFn {
  const D = mixture.D, K = mixture.K;
  if (D > GMM_MAX_DIM) {
    throw new InvalidArgumentError(
      `gmmScore: dimension ${D} exceeds the kernel's maximum of ${GMM_MAX_DIM}`,
    );
  }
  const stride = 1 + 2 * D + D * D;
  const host = new Float32Array(K * stride);
  for (let k = 0; k < K; k++) {
    const o = k * stride;
    host[o] = Math.log(mixture.weights[k]);
    host.set(mixture.means[k], o + 1);
    host.set(mixture.eigenvalues[k], o + 1 + D);
    host.set(mixture.eigenvectors[k], o + 1 + 2 * D);
  }
  const comp = keep(tensor(host, { shape: [K * stride] }));

  const run = (mode: GmmMode, x: Tensor, t: TimeArg, ct?: Tensor): Tensor => {
    const where = `gmmScore.${mode}`;
    if (x.rank !== 2 || x.shape[1] !== D) {
      throw new ShapeError(`${where}: expected x of shape [n, ${D}], got [${x.shape}]`);
    }
    if (ct && (ct.size !== x.size)) {
      throw new ShapeError(`${where}: v [${ct.shape}] must have the shape of x [${x.shape}]`);
    }
    const n = x.shape[0];
    const ins = [x, comp];
    let tlen = 1, m = 0, s = 0;
    let owned: Tensor[] = [];
    if (typeof t === "number") {
      m = sde.meanCoef(t);
      s = sde.std(t);
    } else {
      if (t.size !== 1 && t.size !== n) {
        throw new ShapeError(`${where}: t has ${t.size} elements, expected 1 or ${n}`);
      }
      tlen = t.size;
      owned = [sde.meanCoefT(t), sde.stdT(t)];
      ins.push(...owned);
    }
    if (ct) ins.push(ct);
    const rt = checkOperands(where, ...ins);
    const out = TensorClass.empty(mode === "score" || mode === "hvp" ? [n, D] : [n], "f32", where);
    const w = paramWords();
    w.u[0] = n;
    w.u[1] = K;
    w.u[2] = tlen;
    w.f[4] = m;
    w.f[5] = s;
    const g = Math.ceil(n / 64);
    const groups: [number, number, number] = g <= 65535
      ? [g, 1, 1]
      : [Math.ceil(g / Math.ceil(g / 65535)), Math.ceil(g / 65535), 1];
    rt.dispatch(
      kernel(D, mode, typeof t !== "number"),
      ins.map((a) => a.buffer(where)),
      [out.buffer()],
      w.u,
      groups,
    );
    for (const o of owned) o.dispose();
    return out;
  };

  const hvp = (x: Tensor, t: TimeArg, v: Tensor) => run("hvp", x, t, v);
  const fn =
    ((x: Tensor, t: TimeArg) =>
      record(run("score", x, t), [x], (g) => [hvp(x, t, g)])) as GmmScoreFn;
  Object.assign(fn, {
    mixture,
    sde,
    divergence: (x: Tensor, t: TimeArg) => run("div", x, t),
    logDensity: (x: Tensor, t: TimeArg) => run("logp", x, t),
    hvp,
    dispose: () => comp.dispose(),
  });
  return fn;
}
