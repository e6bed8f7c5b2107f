import assert from "node:assert/strict";
import { InvalidArgumentError, random, tensor } from "../../mod.ts";
import { philoxHost } from "../../src/gpu/kernels/philox.ts";

const N = 40000;

function ks(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(sample).sort();
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = cdf(s[i]);
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs((i + 1) / s.length - f));
  }
  return d;
}
// KS critical value at alpha = 0.001.
const KS_CRIT = 1.95 / Math.sqrt(N);

function phi(x: number): number {
  // Normal CDF via erfc-free series for the test (|x| < 8): 0.5 * (1 + erf(x / sqrt 2)).
  const z = x / Math.SQRT2;
  let sum = 0, term = z;
  if (Math.abs(z) > 5) return z > 0 ? 1 : 0;
  for (let n = 0; n < 150; n++) {
    sum += term / (2 * n + 1);
    term *= -z * z / (n + 1);
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
}

function moments(x: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - m) ** 2;
  return { mean: m, variance: v / (x.length - 1) };
}

Deno.test("Philox4x32-10 matches the Random123 known-answer vectors", () => {
  const hex = (w: number[]) => w.map((x) => x.toString(16).padStart(8, "0")).join(" ");
  assert.equal(hex(philoxHost([0, 0, 0, 0], [0, 0])), "6627e8d5 e169c58d bc57ac4c 9b00dbd8");
  assert.equal(
    hex(philoxHost([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])),
    "408f276d 41c83b0e a20bc7c6 6d5451fd",
  );
  assert.equal(
    hex(philoxHost([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])),
    "d16cfe09 94fdcceb 5001e420 24126ea1",
  );
});

Deno.test("GPU Philox is bit-identical to the host implementation", async () => {
  const k = random.key(123456789);
  const got = await random.bits(k, [10]).read();
  const want = [
    ...philoxHost([0, 0, 0, 0], k.words),
    ...philoxHost([1, 0, 0, 0], k.words),
    ...philoxHost([2, 0, 0, 0], k.words),
  ].slice(0, 10);
  assert.deepEqual(Array.from(got), want);
});

Deno.test("same key gives the same numbers; split and foldIn give different streams", async () => {
  const k = random.key(7);
  const [a, b] = await Promise.all([random.normal(k, [64]).read(), random.normal(k, [64]).read()]);
  assert.deepEqual(a, b);
  const [k1, k2] = random.split(k);
  assert.notDeepEqual(k1.words, k2.words);
  assert.deepEqual(
    random.split(k).map((x) => x.words),
    [k1.words, k2.words],
    "split is deterministic",
  );
  assert.notDeepEqual(random.foldIn(k, 1).words, random.foldIn(k, 2).words);
  const [u1, u2] = await Promise.all([
    random.uniform(k1, [N]).read(),
    random.uniform(k2, [N]).read(),
  ]);
  let c = 0;
  for (let i = 0; i < N; i++) c += (u1[i] - 0.5) * (u2[i] - 0.5);
  const corr = (c / N) / (1 / 12);
  assert.ok(
    Math.abs(corr) < 4 / Math.sqrt(N),
    `streams of split keys are uncorrelated (corr ${corr})`,
  );
});

Deno.test("uniform: moments and KS test", async () => {
  const u = await random.uniform(random.key(1), [N], -2, 3).read();
  assert.ok(u.every((v) => v >= -2 && v < 3));
  const { mean, variance } = moments(u);
  const sd = Math.sqrt(25 / 12);
  assert.ok(Math.abs(mean - 0.5) < 4 * sd / Math.sqrt(N), `mean ${mean}`);
  assert.ok(Math.abs(variance - 25 / 12) < 0.05 * 25 / 12, `variance ${variance}`);
  assert.ok(ks(u, (x) => (x + 2) / 5) < KS_CRIT, "KS");
});

Deno.test("normal: moments and KS test", async () => {
  const z = await random.normal(random.key(2), [N], 1, 2).read();
  const { mean, variance } = moments(z);
  assert.ok(Math.abs(mean - 1) < 4 * 2 / Math.sqrt(N), `mean ${mean}`);
  // Var of the sample variance of a normal: 2 sigma^4 / (n - 1).
  assert.ok(Math.abs(variance - 4) < 4 * Math.sqrt(2 * 16 / N), `variance ${variance}`);
  assert.ok(ks(z, (x) => phi((x - 1) / 2)) < KS_CRIT, "KS");
});

Deno.test("bernoulli, rademacher, gumbel", async () => {
  const [b, r, g] = await Promise.all([
    random.bernoulli(random.key(3), [N], 0.3).read(),
    random.rademacher(random.key(4), [N]).read(),
    random.gumbel(random.key(5), [N]).read(),
  ]);
  assert.ok(b.every((v) => v === 0 || v === 1));
  assert.ok(Math.abs(moments(b).mean - 0.3) < 4 * Math.sqrt(0.21 / N));
  assert.ok(r.every((v) => v === 1 || v === -1));
  assert.ok(Math.abs(moments(r).mean) < 4 / Math.sqrt(N));
  assert.ok(ks(g, (x) => Math.exp(-Math.exp(-x))) < KS_CRIT, "gumbel KS");
});

Deno.test("categorical frequencies match softmax probabilities", async () => {
  const logits = [0, Math.log(2), Math.log(5)];
  const rows = 20000;
  const flat = new Float32Array(rows * 3);
  for (let i = 0; i < rows; i++) flat.set(logits, i * 3);
  const c = await random.categorical(random.key(6), tensor(flat, { shape: [rows, 3] })).read();
  const p = [1 / 8, 2 / 8, 5 / 8];
  const counts = [0, 0, 0];
  for (const v of c) counts[v]++;
  counts.forEach((n, k) => {
    const z = (n - rows * p[k]) / Math.sqrt(rows * p[k] * (1 - p[k]));
    assert.ok(Math.abs(z) < 4, `class ${k}: z = ${z}`);
  });
});

Deno.test("permutation is a deterministic permutation", async () => {
  const p = await random.permutation(random.key(9), 1000).read();
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, await random.permutation(random.key(9), 1000).read());
  assert.notDeepEqual(p, await random.permutation(random.key(10), 1000).read());
});

Deno.test("random argument errors", () => {
  assert.throws(() => random.key(-1), InvalidArgumentError);
  assert.throws(() => random.key(1.5), InvalidArgumentError);
  assert.throws(() => random.uniform(random.key(0), [2], 1, 0), InvalidArgumentError);
  assert.throws(() => random.bernoulli(random.key(0), [2], 2), InvalidArgumentError);
  assert.throws(() => random.normal({} as never, [2]), /expected a random Key/);
});
