/**
 * DKS on convolutional networks: with Delta-orthogonal filter banks a deep stride-1 "same"
 * convolutional network at initialization propagates each location's q and the c between two
 * images at the same location exactly as a dense chain does, so the global C map predicted by
 * `globalCMap` for the chain holds per location (Martens et al. 2021, section 7).
 */
import assert from "node:assert/strict";
import { conv2d, random, scope, type Tensor, tensor } from "../../src/gpu/mod.ts";
import { deltaOrthogonalInit, dksTransform, globalCMap } from "../../src/kernels_inf/dks/mod.ts";
import { randn } from "../_util.ts";

/**
 * Two images [2, S, S, C] whose channel vectors have q = 1 at every location and cosine
 * `c0(p)` at location p.
 */
function imagePair(seed: number, s: number, ch: number, c0: (p: number) => number): Float32Array {
  const z = randn(seed, 2 * s * s * ch);
  const out = new Float32Array(2 * s * s * ch);
  const loc = s * s;
  for (let p = 0; p < loc; p++) {
    const a = z.subarray(p * ch, (p + 1) * ch);
    const b = Float64Array.from(z.subarray((loc + p) * ch, (loc + p + 1) * ch));
    // Gram-Schmidt: b orthogonal to a, then both to norm sqrt(ch) (q = 1).
    let ab = 0, aa = 0;
    for (let k = 0; k < ch; k++) (ab += a[k] * b[k]), (aa += a[k] * a[k]);
    for (let k = 0; k < ch; k++) b[k] -= (ab / aa) * a[k];
    let bb = 0;
    for (let k = 0; k < ch; k++) bb += b[k] * b[k];
    const na = Math.sqrt(ch / aa), nb = Math.sqrt(ch / bb);
    const c = c0(p);
    for (let k = 0; k < ch; k++) {
      out[p * ch + k] = a[k] * na;
      out[(loc + p) * ch + k] = c * a[k] * na + Math.sqrt(1 - c * c) * b[k] * nb;
    }
  }
  return out;
}

// A checkerboard of c0 = 0.8 / 0.2: a convolution that mixed neighbouring locations at init (e.g.
// Gaussian filters) would pull both toward their average; Delta-orthogonal filters keep each
// location on its own chain.
const c0At = (s: number) => (p: number) => ((p % s) + Math.floor(p / s)) % 2 === 0 ? 0.8 : 0.2;

Deno.test("Delta-orthogonal DKS CNN: per-location q = 1 and c follows the chain's global C map", async () => {
  const [s, ch, depth] = [4, 256, 6];
  const c0 = c0At(s);
  const t = dksTransform({ activation: "tanh", depth, zeta: 3 });
  const ws: Tensor[] = [];
  for (let l = 0; l < depth; l++) {
    ws.push(await deltaOrthogonalInit(random.key(40 + l), [3, 3, ch, ch]));
  }
  const y = scope(() => {
    let h = tensor(imagePair(5, s, ch, c0), { shape: [2, s, s, ch] });
    for (const w of ws) h = t.apply(conv2d(h, w, { padding: "same" }));
    return h;
  });
  const d = await y.read();
  y.dispose();
  for (const w of ws) w.dispose();
  const loc = s * s;
  let qMean = 0;
  const cSum = new Map<number, { sum: number; n: number }>();
  for (let p = 0; p < loc; p++) {
    let aa = 0, bb = 0, ab = 0;
    for (let k = 0; k < ch; k++) {
      const a = d[p * ch + k], b = d[(loc + p) * ch + k];
      (aa += a * a), (bb += b * b), (ab += a * b);
    }
    qMean += (aa + bb) / (2 * ch * loc);
    const e = cSum.get(c0(p)) ?? { sum: 0, n: 0 };
    e.sum += ab / Math.sqrt(aa * bb), e.n++;
    cSum.set(c0(p), e);
  }
  assert.ok(Math.abs(qMean - 1) < 0.05, `mean q ${qMean}`);
  for (const [start, { sum, n }] of cSum) {
    const measured = sum / n, predicted = globalCMap(t, depth, start);
    // Finite width 256: per-location fluctuations ~ 1/sqrt(256), averaged over 8 locations.
    assert.ok(
      Math.abs(measured - predicted) < 0.03,
      `c0 ${start}: mean c ${measured} vs predicted ${predicted}`,
    );
    // The prediction is informative: the network moved c well away from c0.
    assert.ok(Math.abs(predicted - start) > 3 * 0.03, `c0 ${start}: predicted ${predicted}`);
  }
});
