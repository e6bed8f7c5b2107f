#!/usr/bin/env bash
# Runs every benchmark suite and its peer on the GPU machine and prints the ratios.
# Here first: bash ../shared/device/prepare.sh && bash bench/slim_node_modules.sh
# There (carry .device): source .device/boot.sh && bash bench/device.sh [suite ...]
# Writes logs to $OUT (or ./out/bench) so they come back with the device tool.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out/bench}
mkdir -p "$out"
export RUST_BACKTRACE=0 PYTHONUNBUFFERED=1 NO_COLOR=1
# The machine has no network: use the packages packed by bench/slim_node_modules.sh.
deno_flags="-A"
if [ -f .device/nm.tar.xz ] && [ ! -d node_modules ]; then
  tar -xJf .device/nm.tar.xz
  deno_flags="-A --node-modules-dir=manual"
fi
suites=${*:-gpu nn kernels_inf sde bnn optim text}
# One device call may run 600 s at most: DEVICE_BUDGET_S (default 540) bounds the whole script.
# Each run gets at most 240 s and at most what is left; a suite with under 60 s left is skipped
# (said so), so the ratios of the suites that ran still come back.
budget=${DEVICE_BUDGET_S:-540}
start=$SECONDS
limit_for() { # seconds a run may take now: min(240, what is left after reserving `$1` s)
  local left=$((budget - (SECONDS - start) - $1))
  echo $((left < 240 ? left : 240))
}
for s in $suites; do
  [ -f "bench/${s}_bench.ts" ] || { echo "# no bench/${s}_bench.ts"; continue; }
  peer="bench/peers/${s}_peer.py"
  reserve=0
  [ -f "$peer" ] && reserve=$(( (budget - (SECONDS - start)) / 2 ))
  t=$(limit_for "$reserve")
  if [ "$t" -lt 60 ]; then
    echo "# skipped $s: ${t} s left of the ${budget} s budget"
    continue
  fi
  echo "== $s (gpusci, limit ${t} s)"
  timeout "$t" deno run $deno_flags "bench/${s}_bench.ts" --report --big 2>&1 | tee "$out/${s}_gpusci.txt"
  if [ -f "$peer" ]; then
    t=$(limit_for 0)
    echo "== $s (peer, limit ${t} s)"
    timeout "$t" python3 "$peer" --big 2>&1 | tee "$out/${s}_peer.txt"
  fi
done
# Ratios: for every gpusci metric `m`, a peer metric `torch_m` or `jax_m` gives m / peer.
python3 - "$out" <<'PY'
import glob, os, sys
out = sys.argv[1]
rows = []
for f in sorted(glob.glob(os.path.join(out, "*_gpusci.txt"))):
    suite = os.path.basename(f)[: -len("_gpusci.txt")]
    ours = {}
    for line in open(f):
        p = line.split()
        if len(p) >= 2 and not line.startswith("#"):
            try:
                ours[p[0]] = float(p[1])
            except ValueError:
                pass
    peer = {}
    pf = os.path.join(out, f"{suite}_peer.txt")
    if os.path.exists(pf):
        for line in open(pf):
            p = line.split()
            if len(p) >= 2 and not line.startswith("#"):
                try:
                    peer[p[0]] = float(p[1])
                except ValueError:
                    pass
    for m, v in ours.items():
        for lib in ("torch", "jax", "numpy"):
            if f"{lib}_{m}" in peer and peer[f"{lib}_{m}"] > 0:
                rows.append((suite, m, v, lib, peer[f"{lib}_{m}"], v / peer[f"{lib}_{m}"]))
print("\n== ratios (gpusci / peer; for *_us and *_ms lower is better)")
for r in rows:
    print(f"{r[0]:12s} {r[1]:36s} gpusci {r[2]:<12.5g} {r[3]:6s} {r[4]:<12.5g} ratio {r[5]:.3f}")
PY
