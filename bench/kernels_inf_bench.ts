/**
 * Infinite-width kernel throughput: NNGP + NTK entries per second of a depth-3 ReLU FC network
 * (W_std 1.5, b_std 0.05, readout Dense(10)) on N x N inputs with d = 784, for N = 1,000 and
 * N = 10,000 (`kinf_relu3_n{N}_entries_per_s`: N^2 / seconds, both kernels together), and the
 * time of a regularized NNGP solve with 10 right-hand sides (`kinf_solve_f32_n{n}_ms`: blocked
 * GPU Cholesky + triangular solves; `kinf_solve_df64_n{n}_ms`: the same in double-float on the
 * GPU, peer JAX float64 on the GPU; `kinf_solve_f64_n{n}_ms`: host f64 Cholesky including the
 * readback), and the symmetric eigendecomposition of the regularized NNGP
 * (`kinf_eigh_gpu_n{n}_ms`: f32 parallel Jacobi on the GPU, `eighGpu`, including the final
 * readback of values and vectors; `kinf_eigh_f64_n{n}_ms`: host f64 `eighHost` including the
 * readback of the matrix). The peer times `jnp.linalg.eigh` (f32)
 * and `numpy.linalg.eigh` (f64) on the same matrix.
 *
 * `deno bench -A bench/kernels_inf_bench.ts`, or `deno run -A bench/kernels_inf_bench.ts
 * --report [--big]` for metric lines; the peer bench/peers/kernels_inf_peer.py prints
 * `jax_...` (GPU, f32, matmul precision "highest") and `numpy_...` (CPU, f64) lines for the
 * same work. Kernel time is GPU time from timestamp queries over repeated computations recorded
 * into one command stream (`kernelBatched`: input matmul + one fused elementwise pass per block;
 * for N >= 4096, 4 x 4 blocks of which the 6 below the diagonal are transposed copies); nothing
 * is read back. Software adapters (llvmpipe) run N = 500, n = 300 and eigh n = 128 only (`--big`:
 * the full set).
 *
 * Measured on an H100 (Deno 2.9.6, 2026-11-27) BEFORE the symmetric 4 x 4 block path, i.e. one
 * full matmul + one fused pass: N = 10,000: 1.536e10 entries/s (matmul 5.54 ms + fused pass
 * ~0.97 ms per repetition) vs JAX f32 "highest" 1.627e10 (ratio 0.94; JAX TF32 2.83e10);
 * N = 1,000: 8.03e9 vs JAX 1.02e10; solves: f32 GPU n = 1,000 35 ms and n = 4,000 73 ms vs JAX
 * 1.2 ms and 4.1 ms; host f64 n = 1,000 473 ms vs numpy/scipy 71 ms. The symmetric path (which
 * skips 6/16 of the matmul and of the fused pass) is tested for correctness on llvmpipe but was
 * not timed on the GPU.
 *
 * CNN-GAP row (`kinf_cnn_gap_relu3_n{N}_s{S}_entries_per_s`: N^2 / seconds, NNGP + NTK): a depth-3
 * ReLU network of 3x3 "same" convolutions (W_std 1.5, b_std 0.05), global average pooling and a
 * Dense(10) readout on N images of S x S x 1, through `kernelBatched` (blocks of N / 2 rows, the
 * block below the diagonal mirrored). Each pair of images carries a [P, P] cross-location kernel
 * (P = S^2), so an entry costs ~P^2 times a fully connected one. GPU: N = 256, S = 8; software
 * adapters: N = 32, S = 7. The peer computes the same recursion in JAX / numpy. Not yet timed on a
 * GPU.
 *
 * @module
 */
import { dispose, random, runtime, scope, type Tensor } from "../src/gpu/mod.ts";
import {
  conv,
  dense,
  eighGpuToHost,
  eighHost,
  globalAvgPool,
  inputKernel,
  kernelBatched,
  relu,
  serial,
  solvePsd,
} from "../src/kernels_inf/mod.ts";
import { emit, reportMode, secondsPerRep } from "./_harness.ts";

const fallback = runtime().summary.isFallback;
const big = Deno.args.includes("--big");
const nIdx = Deno.args.indexOf("--n"); // `--n 200`: one small size, for a quick local check
const only = nIdx >= 0 ? [Number(Deno.args[nIdx + 1])] : null;
const SIZES = only ?? (fallback && !big ? [500] : [1000, 10000]);
const SOLVE_SIZES = only ?? (fallback && !big ? [300] : [1000, 4000]);
const EIGH_SIZES = only ?? (fallback && !big ? [128] : [1000]);

const net = serial(
  dense(512, { wStd: 1.5, bStd: 0.05 }),
  relu(),
  dense(512, { wStd: 1.5, bStd: 0.05 }),
  relu(),
  dense(512, { wStd: 1.5, bStd: 0.05 }),
  relu(),
  dense(10, { wStd: 1.5, bStd: 0.05 }),
);

/** The CNN-GAP of the CNN row: 3 x (3x3 "same" conv, ReLU), global average pooling, Dense(10). */
const gapNet = serial(
  ...[0, 1, 2].flatMap(() => [conv(1, [3, 3], { wStd: 1.5, bStd: 0.05 }), relu()]),
  globalAvgPool(),
  dense(10, { wStd: 1.5, bStd: 0.05 }),
);
const GAP_SIZE = fallback && !big ? { n: 32, side: 7 } : { n: 256, side: 8 };

/** CNN-GAP NNGP+NTK entries (pairs of images) per second, two blocks of rows. */
async function gapEntriesPerSecond(n: number, side: number): Promise<number> {
  const x = random.uniform(random.key(n + side), [n, side, side, 1]);
  const once = () => {
    const k = kernelBatched(gapNet, x, null, { blockSize: Math.ceil(n / 2) });
    dispose([k.nngp, k.ntk, k.cov1, k.cov2]);
  };
  const sec = await secondsPerRep(once, fallback ? 1 : 5, 1);
  x.dispose();
  return (n * n) / sec;
}

function inputs(n: number): Tensor {
  return random.uniform(random.key(n), [n, 784]);
}

/**
 * One NNGP+NTK computation through the library's batched path (no readback; results freed).
 * Large N uses 4 x 4 blocks: only the 10 blocks on/above the diagonal are computed, the other 6
 * are transposed copies (k(x, x) is symmetric).
 */
function kernelOnce(x: Tensor): void {
  const n = x.shape[0];
  const blockSize = n >= 4096 ? Math.ceil(n / 4 / 64) * 64 : n;
  const k = kernelBatched(net, x, null, { blockSize });
  dispose([k.nngp, k.ntk, k.cov1, k.cov2]);
}

async function entriesPerSecond(n: number): Promise<number> {
  const x = inputs(n);
  const reps = fallback ? 2 : n >= 10000 ? 5 : 20;
  const sec = await secondsPerRep(() => kernelOnce(x), reps, 1);
  x.dispose();
  return (n * n) / sec;
}

async function solveMs(n: number, precision: "f32" | "df64" | "f64"): Promise<number> {
  const x = inputs(n);
  const k = scope(() => net.kernel(x, null, { get: "nngp" }));
  const y = random.normal(random.key(7), [n, 10]);
  await runtime().sync();
  const once = async () => {
    const t0 = performance.now();
    const r = await solvePsd(k.nngp, y, { diagReg: 1e-4, precision });
    await r.x.read();
    r.x.dispose();
    return performance.now() - t0;
  };
  const d0 = runtime().dispatches;
  await once(); // warm-up (pipeline compilation)
  if (reportMode && precision !== "f64") {
    // with ~30 us per dispatch and ~11 ms per readback on Deno's WebGPU, these bound the time
    console.log(`# solve ${precision} n=${n}: ${runtime().dispatches - d0} dispatches`);
  }
  const reps = precision === "f64" || fallback ? 1 : 3;
  let best = Infinity;
  for (let i = 0; i < reps; i++) best = Math.min(best, await once());
  dispose([x, y, k.nngp, k.cov1]);
  return best;
}

/** Milliseconds of one eigendecomposition of the regularized NNGP (best of a few, after warm-up). */
async function eighMs(n: number, where: "gpu" | "f64"): Promise<number> {
  const x = inputs(n);
  const k = scope(() => net.kernel(x, null, { get: "nngp" }));
  await runtime().sync();
  const once = async () => {
    const t0 = performance.now();
    if (where === "gpu") await eighGpuToHost(k.nngp);
    else eighHost(await k.nngp.read(), n);
    return performance.now() - t0;
  };
  await once();
  let best = Infinity;
  for (let i = 0; i < (fallback ? 1 : 3); i++) best = Math.min(best, await once());
  dispose([x, k.nngp, k.cov1]);
  return best;
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  for (const n of SIZES) {
    emit(`kinf_relu3_n${n}_entries_per_s`, await entriesPerSecond(n), "entries/s");
    // Diagnostic split: the input-kernel matmul alone (the rest is one fused pass).
    const x = inputs(n);
    const sec = await secondsPerRep(
      () => {
        const k = scope(() => inputKernel(x));
        dispose([k.nngp, k.cov1, k.cov2]);
      },
      n >= 10000 ? 5 : 20,
      1,
    );
    console.log(`# N=${n}: input kernel (matmul) ${(sec * 1e3).toFixed(3)} ms per repetition`);
    x.dispose();
  }
  const { n: gn, side } = GAP_SIZE;
  emit(
    `kinf_cnn_gap_relu3_n${gn}_s${side}_entries_per_s`,
    await gapEntriesPerSecond(gn, side),
    "entries/s",
  );
  for (const n of SOLVE_SIZES) {
    emit(`kinf_solve_f32_n${n}_ms`, await solveMs(n, "f32"), "ms");
    emit(`kinf_solve_df64_n${n}_ms`, await solveMs(n, "df64"), "ms");
    if (n <= 2000) emit(`kinf_solve_f64_n${n}_ms`, await solveMs(n, "f64"), "ms");
  }
  for (const n of EIGH_SIZES) {
    emit(`kinf_eigh_gpu_n${n}_ms`, await eighMs(n, "gpu"), "ms");
    emit(`kinf_eigh_f64_n${n}_ms`, await eighMs(n, "f64"), "ms");
  }
} else {
  const x = inputs(SIZES[0]);
  Deno.bench(`depth-3 ReLU NNGP+NTK, N = ${SIZES[0]}, d = 784`, { group: "kernel" }, async () => {
    kernelOnce(x);
    await runtime().sync();
  });
  const n = SOLVE_SIZES[0];
  const xs = inputs(n);
  const k = scope(() => net.kernel(xs, null, { get: "nngp" }));
  const y = random.normal(random.key(7), [n, 10]);
  for (const precision of ["f32", "df64", "f64"] as const) {
    Deno.bench(`NNGP solve ${precision}, n = ${n}, 10 rhs`, { group: "solve" }, async () => {
      const r = await solvePsd(k.nngp, y, { diagReg: 1e-4, precision });
      await r.x.read();
      r.x.dispose();
    });
  }
  const ne = EIGH_SIZES[0];
  const ke = scope(() => net.kernel(inputs(ne), null, { get: "nngp" }));
  Deno.bench(`NNGP eigh gpu-f32-jacobi, n = ${ne}`, { group: "eigh" }, async () => {
    await eighGpuToHost(ke.nngp);
  });
  Deno.bench(`NNGP eigh host-f64, n = ${ne}`, { group: "eigh" }, async () => {
    eighHost(await ke.nngp.read(), ne);
  });
}
