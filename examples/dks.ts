/**
 * Kernel shaping for deep networks without normalization (Martens et al. 2021, DKS; Zhang et
 * al. 2022, TAT): transform the activation so the network's kernel maps are tame, then check
 * the prediction on a real, randomly initialized deep network on the GPU.
 *
 * 1. DKS shapes tanh for a 32-layer chain (global C map slope 1.5 at c = 1, C(0) = 0, q kept
 *    at 1) and for a residual network (8 blocks of 2 layers, shortcut weight 0.8), whose
 *    maximal slope function is different, so the same target gives a different tanh.
 * 2. TAT shapes leaky ReLU so the chain's global C map has C(0) = 0.9.
 * 3. A width-512 chain with scaled orthogonal weights maps pairs of inputs with cosine c0 to
 *    outputs whose mean cosine matches the predicted global C map.
 *
 * Run: `deno run -A examples/dks.ts`
 *
 * @module
 */
import { matmul, random, type Tensor, tensor } from "../src/gpu/mod.ts";
import {
  dksTransform,
  globalCMap,
  localQMap,
  orthogonalInit,
  residualGlobalCMap,
  residualMaxSlope,
  tatTransform,
} from "../src/kernels_inf/mod.ts";

const depth = 32, width = 512;
const fmt = (x: number) => x.toFixed(4);

const dks = dksTransform({ activation: "tanh", depth, zeta: 1.5 });
console.log(
  `DKS tanh, ${depth}-layer chain: phi_hat(x) = ${fmt(dks.gamma)} (tanh(${fmt(dks.alpha)} x + ` +
    `${fmt(dks.beta)}) ${dks.delta < 0 ? "-" : "+"} ${fmt(Math.abs(dks.delta))}); ` +
    `Q(1) = ${fmt(localQMap(dks, 1))}, ` +
    `C_f(0) = ${fmt(globalCMap(dks, depth, 0))}`,
);

const arch = { blocks: 8, branchDepth: 2, shortcutWeight: 0.8 };
const res = dksTransform({
  activation: "tanh",
  depth: arch.blocks * arch.branchDepth,
  zeta: 1.5,
  maxSlopeFunction: residualMaxSlope(arch),
});
console.log(
  `DKS tanh, residual net (8 blocks x 2 layers, w_s 0.8): input scale ${fmt(res.alpha)} ` +
    `(chain of 16: ${fmt(dksTransform({ activation: "tanh", depth: 16 }).alpha)}); ` +
    `C_f(0.5) = ${fmt(residualGlobalCMap(res, arch, 0.5))}`,
);

const tat = tatTransform({ activation: "leaky_relu", depth, eta: 0.9 });
console.log(
  `TAT leaky ReLU, ${depth}-layer chain: negative slope ${fmt(tat.negativeSlope!)}, ` +
    `output scale ${fmt(tat.gamma)}, C_f(0) = ${fmt(globalCMap(tat, depth, 0))}`,
);

// Pairs of unit-q inputs with cosine c0 through one deep random network (q = |x|^2 / width);
// the mean output cosine over the pairs estimates C_f(c0).
const pairs = 16;
const keys = random.split(random.key(2), depth);
const weights: Tensor[] = [];
for (const k of keys) weights.push(await orthogonalInit(k, width, width));

async function meanOutputCosine(phi: (x: Tensor) => Tensor, c0: number): Promise<number> {
  const g = await random.normal(random.key(1), [2 * pairs, width]).read() as Float32Array;
  const dot = (u: Float32Array, v: Float32Array) => u.reduce((s, x, i) => s + x * v[i], 0);
  const rows: number[] = [];
  for (let p = 0; p < pairs; p++) {
    const a = g.subarray(2 * p * width, (2 * p + 1) * width);
    const b = g.subarray((2 * p + 1) * width, (2 * p + 2) * width);
    // Gram-Schmidt, then mix to cosine c0, each scaled to q = 1
    const proj = dot(a, b) / dot(a, a);
    const e = b.map((x, i) => x - proj * a[i]);
    const na = Math.sqrt(dot(a, a) / width), ne = Math.sqrt(dot(e, e) / width);
    rows.push(...a.map((x) => x / na));
    rows.push(...a.map((x, i) => c0 * x / na + Math.sqrt(1 - c0 * c0) * e[i] / ne));
  }
  let h: Tensor = tensor(Float32Array.from(rows), { shape: [2 * pairs, width] });
  for (const w of weights) {
    const next = matmul(phi(h), w);
    h.dispose();
    h = next;
  }
  const out = await h.read() as Float32Array;
  h.dispose();
  let sum = 0;
  for (let p = 0; p < pairs; p++) {
    const u = out.subarray(2 * p * width, (2 * p + 1) * width);
    const v = out.subarray((2 * p + 1) * width, (2 * p + 2) * width);
    sum += dot(u, v) / Math.sqrt(dot(u, u) * dot(v, v));
  }
  return sum / pairs;
}

for (const [name, phi] of [["DKS tanh", dks], ["TAT leaky ReLU", tat]] as const) {
  for (const c0 of [0, 0.5]) {
    const measured = await meanOutputCosine(phi.apply, c0);
    console.log(
      `${name}: c0 = ${c0}: predicted C_f(c0) = ${fmt(globalCMap(phi, depth, c0))}, ` +
        `measured (width ${width}, mean of ${pairs} pairs) ${fmt(measured)}`,
    );
  }
}
