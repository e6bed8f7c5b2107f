/**
 * Neural-network training throughput: Adam steps per second of a ReLU MLP
 * 784 -> width -> width -> 10 with softmax cross-entropy on a fixed random batch, for
 * widths 256 and 1024 and batch sizes 128 and 1024 (metric `mlp_w{width}_b{batch}_steps_per_s`).
 *
 * `deno bench -A bench/nn_bench.ts` (one step plus a sync per iteration), or
 * `deno run -A bench/nn_bench.ts --report [--big]` for metric lines; the peer
 * bench/peers/nn_peer.py prints `torch_mlp_w..._steps_per_s` for the same work.
 * Steps run back to back with no readback (the loss stays on the GPU); the clock stops at a
 * sync after a chunk of steps, chunks growing until one lasts at least `--seconds` (default 1).
 *
 * @module
 */
import {
  dispose,
  random,
  runtime,
  scope,
  type Tensor,
  tensor,
  valueAndGrad,
} from "../src/gpu/mod.ts";
import { adam, mlp, type Params, softmaxCrossEntropy } from "../src/nn/mod.ts";
import { emit, reportMode } from "./_harness.ts";

const fallback = runtime().summary.isFallback;
const big = Deno.args.includes("--big");
const secIdx = Deno.args.indexOf("--seconds");
const MIN_SECONDS = secIdx >= 0 ? Number(Deno.args[secIdx + 1]) : 1;
// Software adapters (llvmpipe) get the small configurations only, so `deno bench` ends quickly.
const CONFIGS: [number, number][] = fallback && !big
  ? [[256, 128]]
  : [[256, 128], [256, 1024], [1024, 128], [1024, 1024]];

/** A training setup whose `step()` records one Adam step on the GPU (no readback). */
function setup(width: number, batch: number) {
  const net = mlp([width, width, 10], { parameterization: "standard", activation: "relu" });
  const [kp, kx] = random.split(random.key(width * 7 + batch));
  let params = net.init(kp, [784]).params;
  const x = random.normal(kx, [batch, 784]);
  const y = tensor(Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10), "i32");
  const opt = adam({ lr: 1e-3 });
  let state = opt.init(params);
  const vg = valueAndGrad((p: Params[], xb: Tensor) => softmaxCrossEntropy(net.apply(p, xb), y));
  let last: Tensor | null = null;
  return {
    step(): void {
      const r = scope(() => {
        const [l, g] = vg(params, x);
        const u = opt.update(g, state, params);
        return { ...u, l };
      });
      dispose([params, state, last]);
      params = r.params, state = r.state, last = r.l;
      runtime().flush();
    },
    async sync(): Promise<number> {
      return last ? (await last.read())[0] : NaN;
    },
    dispose(): void {
      dispose([params, state, x, y, last]);
    },
  };
}

/** Steps per second, timed over chunks of back-to-back steps that end in one readback. */
async function stepsPerSecond(width: number, batch: number): Promise<number> {
  const s = setup(width, batch);
  for (let i = 0; i < 3; i++) s.step();
  await s.sync();
  let n = 2, rate = 0;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) s.step();
    const loss = await s.sync();
    const sec = (performance.now() - t0) / 1e3;
    if (!Number.isFinite(loss)) throw new Error(`loss became ${loss}`);
    rate = n / sec;
    if (sec >= MIN_SECONDS || (fallback && !big && n >= 8)) break;
    n = Math.min(n * 4, Math.max(n * 2, Math.ceil((MIN_SECONDS / sec) * n * 1.2)));
  }
  s.dispose();
  return rate;
}

if (reportMode) {
  console.log(`# adapter ${runtime().summary.description}`);
  for (const [w, b] of CONFIGS) {
    const d0 = runtime().dispatches;
    const rate = await stepsPerSecond(w, b);
    emit(`mlp_w${w}_b${b}_steps_per_s`, rate, "steps/s");
    console.log(`# w${w} b${b}: ${runtime().dispatches - d0} dispatches in total`);
  }
} else {
  for (const [w, b] of CONFIGS) {
    const s = setup(w, b);
    Deno.bench(`mlp 784-${w}-${w}-10 adam step, batch ${b}`, { group: "mlp" }, async () => {
      s.step();
      await s.sync();
    });
  }
}
