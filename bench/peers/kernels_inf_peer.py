"""Peer of bench/kernels_inf_bench.ts: the same infinite-width kernel work in JAX (GPU) and numpy.

A pure jax.numpy implementation of the neural-tangents recursions (neural_tangents itself is not
installed on the GPU machine): input kernel x x^T / d, then for a depth-3 ReLU FC network
(W_std 1.5, b_std 0.05, readout Dense(10)) Dense: nngp' = W^2 nngp + b^2, ntk' = nngp' + W^2 ntk;
ReLU (arc-cosine, Cho & Saul 2009): nngp' = s (sin t + (pi - t) cos t) / (2 pi),
ntk' = ntk (pi - t) / (2 pi), with s = sqrt(c1 c2) and cos t = nngp / s.

Metrics (same names as the gpusci suite, prefixed):
  jax_kinf_relu3_n{N}_entries_per_s    N^2 / seconds, NNGP + NTK, f32, jit, matmul precision
                                        "highest" (full f32, like gpusci); timed over repeated
                                        runs ended by block_until_ready
  numpy_kinf_relu3_n{N}_entries_per_s  the same in numpy f64 on the CPU
  jax_kinf_solve_f32_n{n}_ms           Cholesky + cho_solve (10 rhs) of the regularized NNGP, f32
  jax_kinf_solve_df64_n{n}_ms          the same in float64 on the GPU (jax_enable_x64): the precise
                                        solve JAX offers there, the peer of gpusci's double-float
  numpy_kinf_solve_f64_n{n}_ms         scipy cho_factor/cho_solve in f64
  jax_kinf_eigh_gpu_n{n}_ms            jnp.linalg.eigh of the regularized NNGP, f32, values and
                                        vectors copied to the host (as gpusci's eighGpuToHost)
  numpy_kinf_eigh_f64_n{n}_ms          numpy.linalg.eigh in f64
  jax_kinf_cnn_gap_relu3_n{N}_s{S}_entries_per_s    N^2 / seconds, NNGP + NTK of a depth-3 ReLU
                                        CNN-GAP (3x3 SAME convolutions, global average pooling,
                                        Dense(10)) on N images S x S x 1: GPU N = 256, S = 8; CPU
                                        N = 32, S = 7 (cross-location kernels [N, N, S, S, S, S])
  numpy_kinf_cnn_gap_relu3_n32_s7_entries_per_s  the same in numpy f64 (always the CPU size)
Also prints (informational, no ratio) jax_tf32_kinf_relu3_n{N}_entries_per_s with JAX's default
matmul precision (TF32 on NVIDIA GPUs).
Usage: python3 bench/peers/kernels_inf_peer.py [--big]
"""
import sys
import time

import numpy as np

from _peer import emit

W2, B2 = 1.5**2, 0.05**2
BIG = "--big" in sys.argv


def np_kernel(x):
    d = x.shape[1]
    nngp = x @ x.T / d
    cov = np.einsum("ij,ij->i", x, x) / d
    ntk = np.zeros_like(nngp)
    for _ in range(3):
        nngp = W2 * nngp + B2
        cov = W2 * cov + B2
        ntk = nngp + W2 * ntk
        s = np.sqrt(np.outer(cov, cov))
        c = np.clip(nngp / s, -1.0, 1.0)
        t = np.arccos(c)
        nngp = s * (np.sin(t) + (np.pi - t) * c) / (2 * np.pi)
        ntk = ntk * (np.pi - t) / (2 * np.pi)
        cov = cov / 2
    nngp = W2 * nngp + B2
    ntk = nngp + W2 * ntk
    return nngp, ntk


def cnn_gap_kernel(xp, x, precision=None):
    """NNGP and NTK of the CNN-GAP row for images x [N, H, W, 1] (Novak et al. 2019).

    Kernels keep both locations of a pair: [N, N, H, W, H, W]. A 3x3 SAME convolution maps a
    kernel to the mean over the 9 taps of the kernel at both locations shifted by the same tap
    (zero padding); the ReLU dual uses the variances at each of the two locations.
    """
    n, h, w, c = x.shape
    nngp = xp.einsum("ayxc,bvuc->abyxvu", x, x, **precision) / c
    cov = xp.einsum("ayxc,avuc->ayxvu", x, x, **precision) / c  # per image, both locations
    ntk = xp.zeros_like(nngp)

    def window_mean(k):
        pad = [(0, 0)] * (k.ndim - 4) + [(1, 1)] * 4
        kp = xp.pad(k, pad)
        out = 0
        for dy in range(3):
            for dx in range(3):
                out = out + kp[..., dy:dy + h, dx:dx + w, dy:dy + h, dx:dx + w]
        return out / 9

    def variances(k):  # [M, H, W, H, W] -> [M, H, W]: each location with itself
        return xp.einsum("ayxyx->ayx", k)

    def relu(k, v1, v2, t=None):
        s = xp.sqrt(v1 * v2)
        cth = xp.clip(k / s, -1.0, 1.0)
        th = xp.arccos(cth)
        k2 = s * (xp.sin(th) + (xp.pi - th) * cth) / (2 * xp.pi)
        return k2, (None if t is None else t * (xp.pi - th) / (2 * xp.pi))

    for _ in range(3):
        nngp, ntk, cov = window_mean(nngp), window_mean(ntk), window_mean(cov)
        nngp = W2 * nngp + B2
        ntk = nngp + W2 * ntk
        cov = W2 * cov + B2
        v = variances(cov)
        nngp, ntk = relu(nngp, v[:, None, :, :, None, None], v[None, :, None, None, :, :], ntk)
        cov, _ = relu(cov, v[:, :, :, None, None], v[:, None, None, :, :])
    nngp, ntk = nngp.mean(axis=(2, 3, 4, 5)), ntk.mean(axis=(2, 3, 4, 5))
    nngp = W2 * nngp + B2
    return nngp, nngp + W2 * ntk


def regularized_nngp(n):
    x = np.random.default_rng(n).uniform(size=(n, 784))
    k, _ = np_kernel(x)
    return k + 1e-4 * np.mean(np.diag(k)) * np.eye(n)


def run_numpy(sizes, solve_sizes, eigh_sizes):
    for n in sizes:
        x = np.random.default_rng(n).uniform(size=(n, 784))
        np_kernel(x[:100])
        t0 = time.perf_counter()
        np_kernel(x)
        emit(f"numpy_kinf_relu3_n{n}_entries_per_s", n * n / (time.perf_counter() - t0), "entries/s")
    gn, side = 32, 7  # the CPU size always: f64 [N, N, S, S, S, S] arrays at the GPU size need ~30 GB
    xg = np.random.default_rng(gn).uniform(size=(gn, side, side, 1))
    t0 = time.perf_counter()
    cnn_gap_kernel(np, xg, {})
    emit(f"numpy_kinf_cnn_gap_relu3_n{gn}_s{side}_entries_per_s", gn * gn / (time.perf_counter() - t0), "entries/s")
    try:
        from scipy.linalg import cho_factor, cho_solve
    except ImportError:
        print("# scipy not importable; skipping numpy solves")
        return
    for n in solve_sizes:
        x = np.random.default_rng(n).uniform(size=(n, 784))
        k, _ = np_kernel(x)
        k = k + 1e-4 * np.mean(np.diag(k)) * np.eye(n)
        y = np.random.default_rng(7).normal(size=(n, 10))
        t0 = time.perf_counter()
        cho_solve(cho_factor(k, lower=True), y)
        emit(f"numpy_kinf_solve_f64_n{n}_ms", (time.perf_counter() - t0) * 1e3, "ms")
    for n in eigh_sizes:
        k = regularized_nngp(n)
        t0 = time.perf_counter()
        np.linalg.eigh(k)
        emit(f"numpy_kinf_eigh_f64_n{n}_ms", (time.perf_counter() - t0) * 1e3, "ms")


def run_jax(sizes, solve_sizes, eigh_sizes, gap_size):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        print("# jax not importable; skipping")
        return
    dev = jax.devices()[0]
    print(f"# jax {jax.__version__} device {dev.device_kind} ({dev.platform})")

    def make(precision):
        def kernel(x):
            d = x.shape[1]
            nngp = jnp.matmul(x, x.T, precision=precision) / d
            cov = jnp.sum(x * x, axis=1) / d
            ntk = jnp.zeros_like(nngp)
            for _ in range(3):
                nngp = W2 * nngp + B2
                cov = W2 * cov + B2
                ntk = nngp + W2 * ntk
                s = jnp.sqrt(cov[:, None] * cov[None, :])
                c = jnp.clip(nngp / s, -1.0, 1.0)
                t = jnp.arccos(c)
                nngp = s * (jnp.sin(t) + (jnp.pi - t) * c) / (2 * jnp.pi)
                ntk = ntk * (jnp.pi - t) / (2 * jnp.pi)
                cov = cov / 2
            nngp = W2 * nngp + B2
            ntk = nngp + W2 * ntk
            return nngp, ntk

        return jax.jit(kernel)

    for label, precision in (("jax", jax.lax.Precision.HIGHEST), ("jax_tf32", None)):
        kernel = make(precision)
        for n in sizes:
            x = jax.random.uniform(jax.random.PRNGKey(n), (n, 784), dtype=jnp.float32)
            jax.block_until_ready(kernel(x))
            reps = 5 if n >= 10000 else 20
            t0 = time.perf_counter()
            for _ in range(reps):
                out = kernel(x)
            jax.block_until_ready(out)
            sec = (time.perf_counter() - t0) / reps
            emit(f"{label}_kinf_relu3_n{n}_entries_per_s", n * n / sec, "entries/s")

    gn, side = gap_size  # (N, S) of the CNN-GAP row
    gap = jax.jit(lambda x: cnn_gap_kernel(jnp, x, {"precision": jax.lax.Precision.HIGHEST}))
    xg = jax.random.uniform(jax.random.PRNGKey(gn), (gn, side, side, 1), dtype=jnp.float32)
    jax.block_until_ready(gap(xg))
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        out = gap(xg)
    jax.block_until_ready(out)
    sec = (time.perf_counter() - t0) / reps
    emit(f"jax_kinf_cnn_gap_relu3_n{gn}_s{side}_entries_per_s", gn * gn / sec, "entries/s")

    solve = jax.jit(lambda k, y: jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(k, lower=True), y))
    kernel = make(jax.lax.Precision.HIGHEST)
    problems = {}
    for n in solve_sizes:
        x = jax.random.uniform(jax.random.PRNGKey(n), (n, 784), dtype=jnp.float32)
        k, _ = kernel(x)
        k = k + 1e-4 * jnp.mean(jnp.diag(k)) * jnp.eye(n, dtype=jnp.float32)
        y = jax.random.normal(jax.random.PRNGKey(7), (n, 10), dtype=jnp.float32)
        problems[n] = (np.asarray(k), np.asarray(y))
        jax.block_until_ready(solve(k, y))
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            jax.block_until_ready(solve(k, y))
            best = min(best, time.perf_counter() - t0)
        emit(f"jax_kinf_solve_f32_n{n}_ms", best * 1e3, "ms")
    # float64 on the GPU (enabled only now: everything above is float32)
    jax.config.update("jax_enable_x64", True)
    for n, (k32, y32) in problems.items():
        k = jnp.asarray(k32, dtype=jnp.float64)
        y = jnp.asarray(y32, dtype=jnp.float64)
        jax.block_until_ready(solve(k, y))
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            np.asarray(solve(k, y))  # gpusci's timing includes the readback too
            best = min(best, time.perf_counter() - t0)
        emit(f"jax_kinf_solve_df64_n{n}_ms", best * 1e3, "ms")
    jax.config.update("jax_enable_x64", False)

    eigh = jax.jit(jnp.linalg.eigh)
    for n in eigh_sizes:
        k = jnp.asarray(regularized_nngp(n), dtype=jnp.float32)
        jax.block_until_ready(eigh(k))
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            w, v = eigh(k)
            np.asarray(w), np.asarray(v)
            best = min(best, time.perf_counter() - t0)
        emit(f"jax_kinf_eigh_gpu_n{n}_ms", best * 1e3, "ms")


def main():
    gpu = True
    try:
        import jax

        gpu = jax.devices()[0].platform == "gpu"
    except Exception:
        gpu = False
    sizes = [1000, 10000] if (BIG or gpu) else [1000]
    solve_sizes = [1000, 4000] if (BIG or gpu) else [500]
    eigh_sizes = [1000] if (BIG or gpu) else [128]
    run_jax(sizes, solve_sizes, eigh_sizes, (256, 8) if (BIG or gpu) else (32, 7))
    run_numpy(sizes, [n for n in solve_sizes if n <= 2000] + ([4000] if BIG else []), eigh_sizes)


if __name__ == "__main__":
    main()
