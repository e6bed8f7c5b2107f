import assert from "node:assert/strict";
import {
  grad,
  mean,
  mul,
  ones,
  random,
  sqrt,
  square,
  sum,
  type Tensor,
  tensor,
} from "../../src/gpu/mod.ts";
import { linComb } from "../../src/gpu/ops/lincomb.ts";
import { batchMeanNorms } from "../../src/sde/kernels/row_norms.ts";
import { sdeUpdate } from "../../src/sde/kernels/update.ts";
import { assertClose } from "../_util.ts";

Deno.test("update kernel: coefficients, in-kernel noise moments, determinism", async () => {
  const n = 1 << 16;
  const x = ones([n]), s = mul(ones([n]), 2);
  const y = await sdeUpdate(x, s, {
    cx: 3,
    cs: -1,
    cz: 0.5,
    noise: { key: random.key(1), step: 7 },
  }).read();
  let m = 0, v = 0;
  for (const e of y) m += e / n;
  for (const e of y) v += (e - m) ** 2 / n;
  assert.ok(Math.abs(m - 1) < 4 * 0.5 / Math.sqrt(n), `mean ${m}`);
  assert.ok(Math.abs(v - 0.25) < 4 * 0.25 * Math.sqrt(2 / n), `var ${v}`);
  const y2 = await sdeUpdate(x, s, {
    cx: 3,
    cs: -1,
    cz: 0.5,
    noise: { key: random.key(1), step: 7 },
  }).read();
  assert.deepEqual(y2, y);
  const y3 = await sdeUpdate(x, s, {
    cx: 3,
    cs: -1,
    cz: 0.5,
    noise: { key: random.key(1), step: 8 },
  }).read();
  assert.notDeepEqual(y3, y);
});

Deno.test("batch-mean norms: score norms match tensor ops, noise norms match the update's noise", async () => {
  for (const d of [2, 5, 12]) {
    const b = 300;
    const s = random.normal(random.key(d), [b, d], 0, 3);
    const key = random.key(9), step = 4;
    const nm = await batchMeanNorms(s, key, step).read();
    const ref = await mean(sqrt(sum(square(s), 1))).item();
    assertClose([nm[0]], [ref], { rtol: 1e-5 }, `score norm d=${d}`);
    // the update with cx = 0, cz = 1 writes exactly the noise it would add
    const z = sdeUpdate(s, null, { cx: 0, cz: 1, noise: { key, step } });
    const zref = await mean(sqrt(sum(square(z), 1))).item();
    assertClose([nm[1]], [zref], { rtol: 1e-5 }, `noise norm d=${d}`);
  }
});

Deno.test("linComb: values and gradients", async () => {
  const a = tensor([1, 2, 3, 4, 5]), b = tensor([5, 4, 3, 2, 1]);
  assertClose(await linComb([2, -1], [a, b]).read(), [-3, 0, 3, 6, 9], {}, "linComb");
  const g = grad((p: Tensor[]) => sum(square(linComb([2, -1], p))))([a, b]);
  assertClose(await g[0].read(), [-12, 0, 12, 24, 36], {}, "d/da");
  assertClose(await g[1].read(), [6, 0, -6, -12, -18], {}, "d/db");
  assert.throws(() => linComb([1], [a, b]), /as many coefficients/);
});
