import assert from "node:assert/strict";
import { moments, slicedWasserstein } from "../../src/sde/metrics.ts";
import { crc32, encodeGrayPng, imageGrid } from "../../src/sde/png.ts";
import { rng } from "../_util.ts";

Deno.test("sliced Wasserstein: zero for equal sets, the shift for translations, size-robust", () => {
  const r = rng(1);
  const a = Float64Array.from({ length: 2000 }, () => r());
  assert.equal(slicedWasserstein(a, a, 2), 0);
  const shifted = a.map((v, i) => (i % 2 === 0 ? v + 0.3 : v));
  // projections of a shift s e1 move by s cos(theta): SW = s / sqrt(2)
  assert.ok(Math.abs(slicedWasserstein(a, shifted, 2) - 0.3 / Math.SQRT2) < 1e-3);
  const half = a.slice(0, 1000);
  assert.ok(slicedWasserstein(a, half, 2) < 0.05);
  const a3 = Float64Array.from({ length: 3000 }, () => r());
  const b3 = a3.map((v) => v + 1);
  // in 3-D with random directions, E[(theta . 1)^2] = 1: SW ~ 1
  assert.ok(Math.abs(slicedWasserstein(a3, b3, 3, { projections: 512 }) - 1) < 0.1);
  assert.throws(() => slicedWasserstein([1, 2, 3], [1, 2], 2), /multiples of dim 2/);
  const m = moments([0, 0, 2, 4], 2);
  assert.deepEqual(m.mean, [1, 2]);
  assert.deepEqual(m.cov, [[1, 2], [2, 4]]);
});

Deno.test("png: valid signature, chunk CRCs, grid size", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const png = encodeGrayPng(Float32Array.from({ length: 12 }, (_, i) => i / 11), 4, 3);
  assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const dv = new DataView(png.buffer);
  let o = 8;
  const types: string[] = [];
  while (o < png.length) {
    const len = dv.getUint32(o);
    const type = new TextDecoder().decode(png.slice(o + 4, o + 8));
    types.push(type);
    assert.equal(dv.getUint32(o + 8 + len), crc32(png.slice(o + 4, o + 8 + len)), `${type} crc`);
    o += 12 + len;
  }
  assert.deepEqual(types, ["IHDR", "IDAT", "IEND"]);
  assert.equal(dv.getUint32(16), 4);
  assert.equal(dv.getUint32(20), 3);
  const g = imageGrid(new Float32Array(5 * 4), 5, 2, 2, { columns: 3, pad: 1, scale: 2 });
  assert.deepEqual([g.width, g.height], [(3 * 3 + 1) * 2, (2 * 3 + 1) * 2]);
  assert.throws(() => encodeGrayPng([0, 1], 3, 1), /2 pixels for a 3 x 1 image/);
});
