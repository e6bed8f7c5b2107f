#!/usr/bin/env bash
# Runs experiments' full presets on the GPU machine, each under its own time limit, so one slow
# experiment cannot eat the whole device call. Results land in $OUT/experiments/<name>/ (they
# come back with the device tool) together with a log per experiment.
# Here first: bash ../shared/device/prepare.sh && bash bench/slim_node_modules.sh
# There (carry .device): source .device/boot.sh && bash bench/device_presets.sh [limit_s] [name ...]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out}/experiments
mkdir -p "$out"
export RUST_BACKTRACE=0 NO_COLOR=1
deno_flags="-A"
if [ -f .device/nm.tar.xz ] && [ ! -d node_modules ]; then
  tar -xJf .device/nm.tar.xz
  deno_flags="-A --node-modules-dir=manual"
fi
limit=${1:-240}
shift || true
names=${*:-nngp-mnist bnn-ess sde-gmm sde-mnist}
# One device call may run 600 s at most: DEVICE_BUDGET_S (default 540) bounds the whole script,
# so an experiment gets min(limit_s, what is left less 25 s for the SIGINT grace); one with under
# 60 s left is skipped (said so).
budget=${DEVICE_BUDGET_S:-540}
start=$SECONDS
for n in $names; do
  left=$((budget - (SECONDS - start) - 25))
  t=$((left < limit ? left : limit))
  if [ "$t" -lt 60 ]; then
    echo "# skipped $n: ${left} s left of the ${budget} s budget"
    continue
  fi
  echo "== $n (full preset, limit ${t} s)"
  # SIGINT first: the runner keeps what was written and exits 130.
  timeout -s INT -k 20 "$t" deno run $deno_flags cli.ts run "$n" --full --out "$out" \
    >"$out/$n.log" 2>&1
  echo "exit $? after $(grep -c . "$out/$n.log") log lines"
  tail -n 5 "$out/$n.log"
done
