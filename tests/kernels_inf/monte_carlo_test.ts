/**
 * Closed-form kernels against Monte Carlo estimates from wide random networks, and the
 * empirical NTK of a finite network converging to the analytic NTK as width grows.
 */
import assert from "node:assert/strict";
import * as stax from "../../src/kernels_inf/mod.ts";
import { random, tensor } from "../../src/gpu/mod.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { meanEmpiricalNtkError } from "./_reference.ts";

const x = random.normal(random.key(11), [4, 6]);

Deno.test("Monte Carlo NNGP of wide ReLU/Erf/GELU networks agrees with the analytic NNGP (z-test)", async () => {
  const width = 1024, outs = 32, S = 32;
  for (const act of [stax.relu(), stax.erf(), stax.gelu()]) {
    const net = stax.serial(
      stax.dense(width, { wStd: 1.5, bStd: 0.1 }),
      act,
      stax.dense(outs, { wStd: 1.2, bStd: 0.1 }),
    );
    const exact = await net.kernel(x).nngp.read();
    const mc = await stax.monteCarloKernel(net, random.key(5), x, null, { samples: S, batch: 8 })
      .nngp.read();
    const N = 4;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const k11 = exact[i * N + i], k22 = exact[j * N + j], k12 = exact[i * N + j];
        // Var of the estimate: output-unit products (S * outs of them) + the hidden layer's
        // own fluctuation (shared by a network's outputs, O(1/width)); bias O(1/width).
        const se = Math.sqrt((k11 * k22 + k12 * k12) / (S * outs) + (2 * k11 * k22) / (S * width));
        const tol = 4.5 * se + (2 * Math.sqrt(k11 * k22)) / width;
        const err = Math.abs(mc[i * N + j] - k12);
        assert.ok(err < tol, `${act.name} (${i},${j}): MC ${mc[i * N + j]} vs ${k12} (tol ${tol})`);
      }
    }
  }
});

Deno.test("empirical NTK of a finite network approaches the analytic NTK as width grows", async () => {
  const relErr = (width: number, seeds: number[]) => {
    const net = stax.serial(
      stax.dense(width, { bStd: 0.2 }),
      stax.relu(),
      stax.dense(1, { bStd: 0.1 }),
    );
    return meanEmpiricalNtkError(net, x, [6], seeds);
  };
  const narrow = await relErr(32, [1, 2, 3]);
  const wide = await relErr(2048, [1, 2, 3]);
  // fluctuations scale like 1/sqrt(width): 8x narrower error expected; ask for 3x and < 6%
  assert.ok(wide < 0.06, `width 2048 relative error ${wide}`);
  assert.ok(wide < narrow / 3, `no convergence: ${narrow} -> ${wide}`);
});

Deno.test("empirical kernels of a linear model are exact; MC NTK is close to analytic", async () => {
  const lin = stax.serial(stax.dense(1, { bStd: 1 }));
  const p = lin.init(random.key(0), [2]);
  const xs = tensor([[1, 2], [3, -1]]);
  // f = (x w) / sqrt(2) + b  ->  NTK = x.x'/2 + 1
  const e = await stax.empiricalNtk(lin.apply, p, xs).read();
  [3.5, 1.5, 1.5, 6].forEach((v, i) => assert.ok(Math.abs(e[i] - v) < 1e-5, `${e[i]} vs ${v}`));
  const net = stax.serial(stax.dense(512, { wStd: 1.3 }), stax.erf(), stax.dense(2));
  const mc = await stax.monteCarloKernel(net, random.key(1), x, null, { samples: 4, ntk: true })
    .ntk!.read();
  const exact = await net.kernel(x).ntk!.read();
  let num = 0, den = 0;
  for (let i = 0; i < mc.length; i++) {
    num += (mc[i] - exact[i]) ** 2;
    den += exact[i] ** 2;
  }
  assert.ok(Math.sqrt(num / den) < 0.05, `MC NTK relative error ${Math.sqrt(num / den)}`);
  // empirical NNGP = f(x1) f(x2)^T / k, checked against the outputs themselves
  const f1 = await lin.apply(p, xs).read(), f2 = await lin.apply(p, tensor([[0, 1]])).read();
  const nn = await stax.empiricalNngp(lin.apply, p, xs, tensor([[0, 1]])).read();
  assert.ok(Math.abs(nn[0] - f1[0] * f2[0]) < 1e-5 && Math.abs(nn[1] - f1[1] * f2[0]) < 1e-5);
});

Deno.test("Monte Carlo options are validated", () => {
  const net = stax.serial(stax.dense(4));
  assert.throws(
    () => stax.monteCarloKernel(net, random.key(0), x, null, { samples: 0 }),
    InvalidArgumentError,
  );
  assert.throws(
    () => stax.monteCarloKernel(net, random.key(0), x, null, { bogus: 1 } as never),
    InvalidArgumentError,
  );
});
