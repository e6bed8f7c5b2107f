/**
 * Tensor-core benchmarks: matmul and conv2d GFLOP/s, elementwise and reduction bandwidth,
 * per-dispatch overhead and sync latency. `deno bench -A bench/gpu_bench.ts`, or
 * `deno run -A bench/gpu_bench.ts --report [--big]` for metric lines (peer: bench/peers/gpu_peer.py).
 *
 * @module
 */
import { add, conv2d, matmul, random, runtime, sum, type Tensor } from "../src/gpu/mod.ts";
import { setMatmulTuning } from "../src/gpu/ops/matmul.ts";
import { emit, reportMode, secondsPerRep, wallPerRep } from "./_harness.ts";

const big = Deno.args.includes("--big");
const fallback = runtime().summary.isFallback;
// Software adapters get small sizes so `deno bench` finishes in seconds.
const MATMUL_N = big ? [256, 1024, 4096] : fallback ? [128, 256] : [256, 1024, 4096];
const ELEM_N = big ? [1 << 22, 1 << 26] : fallback ? [1 << 18] : [1 << 22, 1 << 26];
// conv2d: batch, spatial side, channels in = out, 3x3 "same" (a ResNet-style stage).
const CONV = fallback && !big ? { n: 4, side: 16, ch: 16 } : { n: 64, side: 32, ch: 64 };
const convName = `conv2d_gflops_b${CONV.n}_s${CONV.side}_c${CONV.ch}`;

function mats(n: number): [Tensor, Tensor] {
  const [ka, kb] = random.split(random.key(n));
  return [random.normal(ka, [n, n]), random.normal(kb, [n, n])];
}

async function matmulGflops(n: number): Promise<number> {
  const [a, b] = mats(n);
  const reps = Math.max(3, Math.min(200, Math.round(2e11 / (2 * n ** 3))));
  const s = await secondsPerRep(() => matmul(a, b).dispose(), fallback ? 3 : reps);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / s / 1e9;
}

async function conv2dGflops(): Promise<number> {
  const { n, side, ch } = CONV;
  const [kx, kw] = random.split(random.key(6));
  const x = random.normal(kx, [n, side, side, ch]), w = random.normal(kw, [3, 3, ch, ch]);
  const flops = 2 * n * side * side * 9 * ch * ch;
  const s = await secondsPerRep(() => conv2d(x, w).dispose(), fallback ? 3 : 50);
  x.dispose();
  w.dispose();
  return flops / s / 1e9;
}

async function addGbps(n: number): Promise<number> {
  const x = random.normal(random.key(1), [n]), y = random.normal(random.key(2), [n]);
  const s = await secondsPerRep(() => add(x, y).dispose(), fallback ? 5 : 100);
  x.dispose();
  y.dispose();
  return (3 * 4 * n) / s / 1e9;
}

async function sumGbps(n: number): Promise<number> {
  const x = random.normal(random.key(3), [n]);
  const s = await secondsPerRep(() => sum(x).dispose(), fallback ? 5 : 100);
  x.dispose();
  return (4 * n) / s / 1e9;
}

async function dispatchMicros(): Promise<number> {
  const x = random.normal(random.key(4), [4]);
  const s = await wallPerRep(() => add(x, 1).dispose(), 2000);
  x.dispose();
  return s * 1e6;
}

async function syncMillis(): Promise<number> {
  const x = random.normal(random.key(5), [4]);
  await x.read();
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) await x.read();
  x.dispose();
  return (performance.now() - t0) / 10;
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  for (const n of MATMUL_N) emit(`matmul_gflops_n${n}`, await matmulGflops(n), "GFLOP/s");
  if (Deno.args.includes("--variants")) {
    // Kernel variants (software prefetch, K-slice) at the sizes that use the 128x128 tiles.
    for (const prefetch of [false, true]) {
      for (const bk of [8, 16] as const) {
        const old = setMatmulTuning({ prefetch, bk });
        for (const n of [2048, 4096]) {
          emit(
            `variant_matmul_gflops_n${n}_pf${+prefetch}_bk${bk}`,
            await matmulGflops(n),
            "GFLOP/s",
          );
        }
        setMatmulTuning(old);
      }
    }
  }
  emit(convName, await conv2dGflops(), "GFLOP/s");
  for (const n of ELEM_N) emit(`add_gbps_${n}`, await addGbps(n), "GB/s");
  for (const n of ELEM_N) emit(`sum_gbps_${n}`, await sumGbps(n), "GB/s");
  emit("dispatch_overhead_us", await dispatchMicros(), "us");
  emit("sync_latency_ms", await syncMillis(), "ms");
} else {
  for (const n of MATMUL_N) {
    const [a, b] = mats(n);
    Deno.bench(`matmul f32 n=${n}`, { group: "matmul" }, async () => {
      matmul(a, b).dispose();
      await runtime().sync();
    });
  }
  {
    const { n, side, ch } = CONV;
    const x = random.normal(random.key(6), [n, side, side, ch]);
    const w = random.normal(random.key(7), [3, 3, ch, ch]);
    Deno.bench(`conv2d 3x3 b=${n} ${side}x${side} c=${ch}`, { group: "conv" }, async () => {
      conv2d(x, w).dispose();
      await runtime().sync();
    });
  }
  for (const n of ELEM_N) {
    const x = random.normal(random.key(1), [n]);
    Deno.bench(`add n=${n} (10 dispatches, one sync)`, { group: "elementwise" }, async () => {
      for (let i = 0; i < 10; i++) add(x, x).dispose();
      await runtime().sync();
    });
    Deno.bench(`sum n=${n} (10 dispatches, one sync)`, { group: "reduce" }, async () => {
      for (let i = 0; i < 10; i++) sum(x).dispose();
      await runtime().sync();
    });
  }
  const tiny = random.normal(random.key(4), [4]);
  Deno.bench("1000 tiny dispatches + sync", { group: "overhead" }, async () => {
    for (let i = 0; i < 1000; i++) add(tiny, 1).dispose();
    await runtime().sync();
  });
  Deno.bench("sync latency (read 4 floats)", { group: "overhead" }, async () => {
    await tiny.read();
  });
}
