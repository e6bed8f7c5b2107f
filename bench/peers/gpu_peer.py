"""Peer of bench/gpu_bench.ts: the same metrics in numpy (CPU) and torch (GPU, TF32 off).

Prints `name value unit` lines with the same metric names, prefixed by the library.
Usage: python3 bench/peers/gpu_peer.py [--big]
"""
import sys
import time

import numpy as np

from _peer import emit, torch_cuda

BIG = "--big" in sys.argv


def numpy_metrics():
    for n in [256, 1024] + ([4096] if BIG else []):
        a = np.random.randn(n, n).astype(np.float32)
        b = np.random.randn(n, n).astype(np.float32)
        a @ b
        reps = max(2, int(2e10 / (2 * n**3)))
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        s = (time.perf_counter() - t0) / reps
        emit(f"numpy_matmul_gflops_n{n}", 2 * n**3 / s / 1e9, "GFLOP/s")
    n = 1 << 22
    x = np.random.randn(n).astype(np.float32)
    y = np.random.randn(n).astype(np.float32)
    t0 = time.perf_counter()
    for _ in range(20):
        np.add(x, y)
    emit(f"numpy_add_gbps_{n}", 3 * 4 * n / ((time.perf_counter() - t0) / 20) / 1e9, "GB/s")


def torch_metrics():
    torch = torch_cuda("GPU peer")
    if torch is None:
        return
    dev = "cuda"
    print(f"# torch device {torch.cuda.get_device_name(0)}")

    def gpu_seconds(fn, reps):
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / 1e3 / reps

    for n in [256, 1024, 4096]:
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        reps = max(3, min(200, round(2e11 / (2 * n**3))))
        s = gpu_seconds(lambda: a @ b, reps)
        emit(f"torch_matmul_gflops_n{n}", 2 * n**3 / s / 1e9, "GFLOP/s")
    # conv2d: 3x3 "same", batch 64, 32x32, 64 -> 64 channels (cuDNN, NCHW, TF32 off).
    cb, side, ch = 64, 32, 64
    xc = torch.randn(cb, ch, side, side, device=dev)
    wc = torch.randn(ch, ch, 3, 3, device=dev)
    s = gpu_seconds(lambda: torch.nn.functional.conv2d(xc, wc, padding=1), 50)
    emit(f"torch_conv2d_gflops_b{cb}_s{side}_c{ch}", 2 * cb * side * side * 9 * ch * ch / s / 1e9,
         "GFLOP/s")
    for n in [1 << 22, 1 << 26]:
        x = torch.randn(n, device=dev)
        y = torch.randn(n, device=dev)
        emit(f"torch_add_gbps_{n}", 3 * 4 * n / gpu_seconds(lambda: x + y, 100) / 1e9, "GB/s")
        emit(f"torch_sum_gbps_{n}", 4 * n / gpu_seconds(lambda: x.sum(), 100) / 1e9, "GB/s")
    tiny = torch.randn(4, device=dev)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(2000):
        tiny + 1
    torch.cuda.synchronize()
    emit("torch_dispatch_overhead_us", (time.perf_counter() - t0) / 2000 * 1e6, "us")
    t0 = time.perf_counter()
    for _ in range(10):
        tiny.cpu()
    emit("torch_sync_latency_ms", (time.perf_counter() - t0) / 10 * 1e3, "ms")


if __name__ == "__main__":
    numpy_metrics()
    torch_metrics()
