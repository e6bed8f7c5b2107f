/**
 * WGSL for the sinusoid-regression MLP task (see `tasks/sinusoid_mlp.ts`): every particle
 * trains its own 1 -> H (tanh) -> 1 MLP with SGD on minibatches of its own sine task
 * `y = A sin(x - phase)` (the MAML sinusoid family).
 *
 * State row per particle (S = 3H + 4 floats): `w1[H] | b1[H] | w2[H] | b2 | A | phase | seed`.
 * All randomness is a Philox hash of the particle's task seed: the minibatch at episode step t
 * is `x_b = -5 + 10 u(seed, t, b)`, so the generic step path and the fused kernel see the same
 * data, and antithetic copies (same seed) see the same batches. A new episode draws its task
 * and weights from the next seed `hash(seed)`.
 *
 * Kernels: `init` (seeds -> state), `data` (state, t -> x `[P, B]`) and two forward-only
 * unrolls writing `[state | losses]`: `unroll`, one 64-thread workgroup per particle running K
 * SGD steps with resets in workgroup memory (for GPUs; needs `B * H <= 4096`), and
 * `unrollThread`, one thread per particle with everything in private arrays (for CPU adapters
 * such as llvmpipe, where workgroup barriers are slow).
 *
 * @example
 * ```ts
 * import { sinusoidMlpKernel } from "./sinusoid_mlp.ts";
 * console.log(sinusoidMlpKernel("unroll", 32, 16).outputs); // 1
 * ```
 * @module
 */
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";
import { PHILOX_WGSL } from "../../gpu/kernels/philox.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";

/** The three kernels of the task. */
export type SinusoidMlpKernel = "init" | "data" | "unroll" | "unrollThread";

/**
 * One of the task's kernels for hidden width `H` and batch `B` (both baked in).
 * Params: [P, K, T, nd, theta unused...]; see each kernel's bindings in the source.
 *
 * @example
 * ```ts
 * import { sinusoidMlpKernel } from "./sinusoid_mlp.ts";
 * console.log(sinusoidMlpKernel("init", 8, 4).inputs); // 1
 * ```
 */
export function sinusoidMlpKernel(kind: SinusoidMlpKernel, H: number, B: number): KernelSpec {
  const S = 3 * H + 4;
  const common = `${PHILOX_WGSL}
struct Params { P: u32, K: u32, T: u32, nd: u32 };
@group(0) @binding(0) var<uniform> p: Params;
const H: u32 = ${H}u;
const B: u32 = ${B}u;
const S: u32 = ${S}u;
const DATA_TAG: u32 = 0x64617461u;
const INIT_TAG: u32 = 0x696e6974u;
fn u01(r: vec4<u32>) -> vec4<f32> { return unitOpen(r); }
// Uniform inputs of the minibatch at step t: x in [-5, 5).
fn batchX(seed: u32, t: u32, b4: u32) -> vec4<f32> {
  return -5.0 + 10.0 * u01(philox(vec4<u32>(t, b4, 0u, DATA_TAG), vec2<u32>(seed, 0x6d6c7031u)));
}
fn gauss(seed: u32, j: u32) -> vec2<f32> {
  let u = u01(philox(vec4<u32>(j, 0u, 1u, INIT_TAG), vec2<u32>(seed, 0x6d6c7032u)));
  let r = sqrt(-2.0 * log(u.x));
  return vec2<f32>(r * cos(6.283185307179586 * u.y), r * sin(6.283185307179586 * u.y));
}
fn nextSeed(seed: u32) -> u32 {
  return philox(vec4<u32>(seed, 0u, 2u, INIT_TAG), vec2<u32>(0x5eedu, 0x6d6c7033u)).x & 0xffffffu;
}
fn taskOf(seed: u32) -> vec2<f32> {
  let u = u01(philox(vec4<u32>(0u, 0u, 0u, INIT_TAG), vec2<u32>(seed, 0x6d6c7032u)));
  return vec2<f32>(0.1 + 4.9 * u.x, 3.141592653589793 * u.y);
}`;
  // Writes a fresh particle (weights, task, seed) into registers.
  const freshRegs = `
    let tk = taskOf(seed);
    amp = tk.x; phase = tk.y;
    for (var j = 0u; j < H; j++) {
      let g = gauss(seed, j);
      w1[j] = g.x; b1[j] = 0.0; w2[j] = g.y / sqrt(f32(H));
    }
    b2 = 0.0;`;
  if (kind === "init") {
    return {
      code: `${common}
@group(0) @binding(1) var<storage, read> seeds: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let seed = u32(seeds[i]);
  var w1: array<f32, ${H}>; var b1: array<f32, ${H}>; var w2: array<f32, ${H}>;
  var b2 = 0.0; var amp = 0.0; var phase = 0.0;
  ${freshRegs}
  let r = i * S;
  for (var j = 0u; j < H; j++) { state[r + j] = w1[j]; state[r + H + j] = b1[j]; state[r + 2u * H + j] = w2[j]; }
  state[r + 3u * H] = b2; state[r + 3u * H + 1u] = amp; state[r + 3u * H + 2u] = phase;
  state[r + 3u * H + 3u] = f32(seed);
}`,
      inputs: 1,
      outputs: 1,
    };
  }
  if (kind === "data") {
    return {
      code: `${common}
@group(0) @binding(1) var<storage, read> state: array<f32>;
@group(0) @binding(2) var<storage, read> time: array<f32>;
@group(0) @binding(3) var<storage, read_write> xs: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P * (B / 4u)) { return; }
  let part = i / (B / 4u);
  let b4 = i % (B / 4u);
  let seed = u32(state[part * S + 3u * H + 3u]);
  let x = batchX(seed, u32(time[part]), b4);
  for (var j = 0u; j < 4u; j++) { xs[part * B + 4u * b4 + j] = x[j]; }
}`,
      inputs: 2,
      outputs: 1,
    };
  }
  if (kind === "unrollThread") {
    // One thread per particle, everything in private arrays: best on CPU adapters (llvmpipe),
    // where workgroup barriers are expensive; poor occupancy on a real GPU.
    return {
      code: `${common}
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> t0: array<u32>;
@group(0) @binding(4) var<storage, read_write> packed: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.P) { return; }
  let r = i * S;
  var w1: array<f32, ${H}>; var b1: array<f32, ${H}>; var w2: array<f32, ${H}>;
  var gw1: array<f32, ${H}>; var gb1: array<f32, ${H}>; var gw2: array<f32, ${H}>;
  var h: array<f32, ${H}>;
  for (var j = 0u; j < H; j++) { w1[j] = state[r + j]; b1[j] = state[r + H + j]; w2[j] = state[r + 2u * H + j]; }
  var b2 = state[r + 3u * H];
  var amp = state[r + 3u * H + 1u];
  var phase = state[r + 3u * H + 2u];
  var seed = u32(state[r + 3u * H + 3u]);
  let e0 = exp(theta[2u * i]);
  let e1 = exp(theta[2u * i + 1u]);
  let T = f32(p.T);
  var t = t0[i % p.nd];
  let row = i * (S + p.K);
  for (var k = 0u; k < p.K; k++) {
    for (var j = 0u; j < H; j++) { gw1[j] = 0.0; gb1[j] = 0.0; gw2[j] = 0.0; }
    var gb2 = 0.0;
    var loss = 0.0;
    for (var b4 = 0u; b4 < B / 4u; b4++) {
      let xv = batchX(seed, t, b4);
      for (var q = 0u; q < 4u; q++) {
        let x = xv[q];
        let y = amp * sin(x - phase);
        var out = b2;
        for (var j = 0u; j < H; j++) {
          h[j] = tanh(clamp(w1[j] * x + b1[j], -15.0, 15.0));
          out = out + w2[j] * h[j];
        }
        let err = out - y;
        loss = loss + err * err;
        let dout = 2.0 * err / f32(B);
        gb2 = gb2 + dout;
        for (var j = 0u; j < H; j++) {
          gw2[j] = gw2[j] + dout * h[j];
          let dh = dout * w2[j] * (1.0 - h[j] * h[j]);
          gw1[j] = gw1[j] + dh * x;
          gb1[j] = gb1[j] + dh;
        }
      }
    }
    packed[row + S + k] = loss / f32(B);
    let tf = f32(t);
    let lr = e0 * (T - tf) / T + e1 * tf / T;
    for (var j = 0u; j < H; j++) {
      w1[j] = w1[j] - lr * gw1[j];
      b1[j] = b1[j] - lr * gb1[j];
      w2[j] = w2[j] - lr * gw2[j];
    }
    b2 = b2 - lr * gb2;
    t = t + 1u;
    if (t == p.T) {
      t = 0u;
      seed = nextSeed(seed);
      ${freshRegs}
    }
  }
  for (var j = 0u; j < H; j++) { packed[row + j] = w1[j]; packed[row + H + j] = b1[j]; packed[row + 2u * H + j] = w2[j]; }
  packed[row + 3u * H] = b2; packed[row + 3u * H + 1u] = amp; packed[row + 3u * H + 2u] = phase;
  packed[row + 3u * H + 3u] = f32(seed);
}`,
      inputs: 3,
      outputs: 1,
    };
  }
  // The unroll: one 64-thread workgroup per particle. Per step, threads split the minibatch
  // for the forward pass (activations kept in workgroup memory), then split the hidden units
  // to reduce each parameter's gradient over the batch and apply the SGD update.
  return {
    code: `${common}
const WG: u32 = 64u;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> t0: array<u32>;
@group(0) @binding(4) var<storage, read_write> packed: array<f32>;
var<workgroup> w1: array<f32, ${H}>;
var<workgroup> b1: array<f32, ${H}>;
var<workgroup> w2: array<f32, ${H}>;
var<workgroup> sc: array<f32, 3>;
var<workgroup> seedS: u32;
var<workgroup> hs: array<f32, ${B * H}>;
var<workgroup> xs: array<f32, ${B}>;
var<workgroup> ds: array<f32, ${B}>;
var<workgroup> es: array<f32, ${B}>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = wid.x + wid.y * nwg.x;
  if (i >= p.P) { return; }
  let r = i * S;
  for (var j = lid; j < H; j += WG) {
    w1[j] = state[r + j]; b1[j] = state[r + H + j]; w2[j] = state[r + 2u * H + j];
  }
  if (lid == 0u) {
    sc[0] = state[r + 3u * H]; sc[1] = state[r + 3u * H + 1u]; sc[2] = state[r + 3u * H + 2u];
    seedS = u32(state[r + 3u * H + 3u]);
  }
  workgroupBarrier();
  let e0 = exp(theta[2u * i]);
  let e1 = exp(theta[2u * i + 1u]);
  let T = f32(p.T);
  var t = t0[i % p.nd];
  let row = i * (S + p.K);
  for (var k = 0u; k < p.K; k++) {
    let seed = seedS;
    for (var b = lid; b < B; b += WG) {
      let x = batchX(seed, t, b / 4u)[b % 4u];
      let y = sc[1] * sin(x - sc[2]);
      var out = sc[0];
      for (var j = 0u; j < H; j++) {
        let h = tanh(clamp(w1[j] * x + b1[j], -15.0, 15.0));
        hs[b * H + j] = h;
        out = out + w2[j] * h;
      }
      let err = out - y;
      xs[b] = x;
      ds[b] = 2.0 * err / f32(B);
      es[b] = err * err;
    }
    workgroupBarrier();
    let tf = f32(t);
    let lr = e0 * (T - tf) / T + e1 * tf / T;
    for (var j = lid; j < H; j += WG) {
      var gw1 = 0.0; var gb1 = 0.0; var gw2 = 0.0;
      let w2j = w2[j];
      for (var b = 0u; b < B; b++) {
        let h = hs[b * H + j];
        let d = ds[b];
        gw2 = gw2 + d * h;
        let dh = d * w2j * (1.0 - h * h);
        gw1 = gw1 + dh * xs[b];
        gb1 = gb1 + dh;
      }
      w1[j] = w1[j] - lr * gw1;
      b1[j] = b1[j] - lr * gb1;
      w2[j] = w2j - lr * gw2;
    }
    t = t + 1u;
    let ended = t == p.T;
    var ns = 0u;
    if (ended) {
      t = 0u;
      ns = nextSeed(seed);
      for (var j = lid; j < H; j += WG) {
        let g = gauss(ns, j);
        w1[j] = g.x; b1[j] = 0.0; w2[j] = g.y / sqrt(f32(H));
      }
    }
    // One thread owns b2, the task and the seed (no other thread touches them in this phase).
    if (lid == WG - 1u) {
      var gb2 = 0.0; var loss = 0.0;
      for (var b = 0u; b < B; b++) { gb2 = gb2 + ds[b]; loss = loss + es[b]; }
      sc[0] = sc[0] - lr * gb2;
      packed[row + S + k] = loss / f32(B);
      if (ended) {
        let tk = taskOf(ns);
        sc[0] = 0.0; sc[1] = tk.x; sc[2] = tk.y;
        seedS = ns;
      }
    }
    workgroupBarrier();
  }
  for (var j = lid; j < H; j += WG) {
    packed[row + j] = w1[j]; packed[row + H + j] = b1[j]; packed[row + 2u * H + j] = w2[j];
  }
  if (lid == 0u) {
    packed[row + 3u * H] = sc[0]; packed[row + 3u * H + 1u] = sc[1];
    packed[row + 3u * H + 2u] = sc[2]; packed[row + 3u * H + 3u] = f32(seedS);
  }
}`,
    inputs: 3,
    outputs: 1,
  };
}
