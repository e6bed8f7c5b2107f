"""Helpers every peer script shares: metric lines, the --seconds flag, torch on CUDA.

Peers run as scripts (`python3 bench/peers/x_peer.py`), so this sibling module is importable as
`from _peer import emit`.
"""

import sys


def emit(name, value, unit):
    """One metric line `name value unit`, the format bench/device.sh parses."""
    print(f"{name} {value:.5g} {unit}", flush=True)


def seconds_arg(default):
    """The minimum seconds per measurement from `--seconds S` (default when absent)."""
    return float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else default


def torch_cuda(what="peer"):
    """torch with full-precision f32 matmuls (TF32 off, as our kernels), or None (printed why)
    when torch or CUDA is missing."""
    try:
        import torch
    except ImportError:
        print(f"# torch not importable; skipping {what}")
        return None
    if not torch.cuda.is_available():
        print(f"# torch without CUDA; skipping {what}")
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch
