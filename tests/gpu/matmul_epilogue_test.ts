import assert from "node:assert/strict";
import {
  add,
  DtypeError,
  grad,
  GradError,
  InvalidArgumentError,
  matmul,
  matmulEpilogue,
  runtime,
  ShapeError,
  sum,
  swish,
  type Tensor,
  tensor,
} from "../../mod.ts";
import { setMatmulTuning } from "../../src/gpu/ops/matmul.ts";
import { sizeOf } from "../../src/gpu/shape.ts";
import { withoutRecording } from "../../src/gpu/tape.ts";
import { assertClose, randn } from "../_util.ts";

/** f64 reference of op(A) op(B) for matrix `z` of a batch stored contiguously. */
function mmRef(
  a: Float32Array,
  b: Float32Array,
  [M, N, K]: [number, number, number],
  tA: boolean,
  tB: boolean,
  z: number,
): Float64Array {
  const oa = z * M * K, ob = z * K * N;
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += (tA ? a[oa + k * M + i] : a[oa + i * K + k]) *
          (tB ? b[ob + j * K + k] : b[ob + k * N + j]);
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

const swishRef = (x: number) => x / (1 + Math.exp(-x));

const EPILOGUE = {
  // bias [N], batch-indexed bias [..., 1, N], per-row [M, 1], elementwise [..., M, N], a param,
  // and the row/col/batch indices themselves.
  expr: "swish(v + bias + bb) * scale + rs * full + 0.01 * f32(row) - 0.02 * f32(col) + " +
    "0.5 * f32(batch)",
  helpers: "fn swish(x: f32) -> f32 { return x / (1.0 + exp(-x)); }",
};

/** Fused matmul + epilogue against the f64 reference of the unfused computation. */
async function checkCase(
  what: string,
  batch: number[],
  [M, N, K]: [number, number, number],
  tA: boolean,
  tB: boolean,
) {
  const nb = sizeOf(batch);
  const seed = M * 1000 + N * 10 + K + (tA ? 1 : 0) + (tB ? 2 : 0);
  const a = randn(seed, nb * M * K), b = randn(seed + 1, nb * K * N);
  const bias = randn(seed + 2, N), bb = randn(seed + 3, nb * N), rs = randn(seed + 4, M);
  const full = randn(seed + 5, nb * M * N);
  const scale = 0.75;
  const A = tensor(a, { shape: [...batch, ...(tA ? [K, M] : [M, K])] });
  const B = tensor(b, { shape: [...batch, ...(tB ? [N, K] : [K, N])] });
  const inputs = {
    bias: tensor(bias, { shape: [N] }),
    bb: tensor(bb, { shape: [...batch, 1, N] }),
    rs: tensor(rs, { shape: [M, 1] }),
    full: tensor(full, { shape: [...batch, M, N] }),
  };
  const C = matmulEpilogue(A, B, {
    transA: tA,
    transB: tB,
    epilogue: { ...EPILOGUE, inputs, params: { scale } },
  });
  assert.deepEqual(C.shape, [...batch, M, N], what);
  const ref = new Float64Array(nb * M * N);
  for (let z = 0; z < nb; z++) {
    const c = mmRef(a, b, [M, N, K], tA, tB, z);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const o = z * M * N + i * N + j;
        ref[o] = swishRef(c[i * N + j] + bias[j] + bb[z * N + j]) * scale + rs[i] * full[o] +
          0.01 * i - 0.02 * j + 0.5 * z;
      }
    }
  }
  assertClose(await C.read(), ref, { rtol: 1e-4, atol: 1e-4 * Math.sqrt(K) }, what);
  for (const t of [A, B, C, ...Object.values(inputs)]) t.dispose();
}

/** Runs `fn` with the matmul kernel choice forced, restoring the previous tuning. */
async function withKernel(kernel: "tiled" | "direct" | "auto", fn: () => Promise<void>) {
  const old = setMatmulTuning({ kernel });
  try {
    await fn();
  } finally {
    setMatmulTuning(old);
  }
}

const FLAGS = [[false, false], [true, false], [false, true], [true, true]] as const;

Deno.test("matmulEpilogue: naive kernel (M or N < 16) matches the f64 unfused reference", async () => {
  for (const [tA, tB] of FLAGS) {
    await checkCase(`naive 7x33x5 tA=${tA} tB=${tB}`, [], [7, 33, 5], tA, tB);
    await checkCase(`naive [2] 20x9x17 tA=${tA} tB=${tB}`, [2], [20, 9, 17], tA, tB);
  }
  await checkCase("naive K=0", [], [3, 4, 0], false, false);
});

Deno.test("matmulEpilogue: direct kernel matches the f64 unfused reference", async () => {
  await withKernel("direct", async () => {
    for (const [tA, tB] of FLAGS) {
      await checkCase(`direct 37x45x19 tA=${tA} tB=${tB}`, [], [37, 45, 19], tA, tB);
    }
    // batch dims (each kernel variant compiles for seconds on lavapipe: one flag pair here)
    await checkCase("direct [2, 3] 17x24x9 tB", [2, 3], [17, 24, 9], false, true);
  });
});

Deno.test("matmulEpilogue: tiled 64 kernel matches the f64 unfused reference", async () => {
  await withKernel("tiled", async () => {
    for (const [tA, tB] of FLAGS) {
      // one 128-tile: the 64x64 kernel; K=33 ragged over the 16-wide K tiles; vec4 and scalar loads
      await checkCase(`tiled64 70x65x33 tA=${tA} tB=${tB}`, [], [70, 65, 33], tA, tB);
      await checkCase(`tiled64 [3] 64x68x20 tA=${tA} tB=${tB}`, [3], [64, 68, 20], tA, tB);
    }
  });
});

Deno.test("matmulEpilogue: tiled 128 kernel matches the f64 unfused reference", async () => {
  await withKernel("tiled", async () => {
    // 2 x 2 tiles x 48 batch matrices = 192 tiles of 128: the 128x128 kernel
    for (const [tA, tB] of [[false, false], [true, true]] as const) {
      await checkCase(
        `tiled128 [3, 16] 130x129x6 tA=${tA} tB=${tB}`,
        [3, 16],
        [130, 129, 6],
        tA,
        tB,
      );
    }
    const old = setMatmulTuning({ bk: 8, prefetch: true });
    try {
      await checkCase("tiled128 bk=8 prefetch", [48], [129, 132, 20], false, true);
    } finally {
      setMatmulTuning(old);
    }
  });
});

Deno.test("matmulEpilogue: equals matmul + ops on the GPU; kernels are keyed on the epilogue", async () => {
  const x = tensor(randn(1, 40 * 24), { shape: [40, 24] });
  const w = tensor(randn(2, 24 * 32), { shape: [24, 32] });
  const bias = tensor(randn(3, 32), { shape: [32] });
  const unfused = await swish(add(matmul(x, w), bias)).read();
  const helpers = "fn swish(x: f32) -> f32 { return x / (1.0 + exp(-x)); }";
  const fused = matmulEpilogue(x, w, {
    epilogue: { expr: "swish(v + b)", inputs: { b: bias }, helpers },
  });
  assertClose(await fused.read(), unfused, { rtol: 1e-5, atol: 1e-5 }, "swish(xw + b)");
  // same shapes, other expressions: a kernel cache ignoring the epilogue would reuse the first
  const plain = await matmul(x, w).read();
  const doubled = await matmulEpilogue(x, w, { epilogue: { expr: "2.0 * v" } }).read();
  assertClose(doubled, Array.from(plain, (v) => 2 * v), { rtol: 1e-6, atol: 0 }, "2v");
  const shifted = await matmulEpilogue(x, w, { epilogue: { expr: "v + c", params: { c: 3 } } })
    .read();
  assertClose(shifted, Array.from(plain, (v) => v + 3), { rtol: 1e-6, atol: 1e-6 }, "v + 3");
  // a param is a uniform: another value, same kernel, new result
  const shifted2 = await matmulEpilogue(x, w, { epilogue: { expr: "v + c", params: { c: -1 } } })
    .read();
  assertClose(shifted2, Array.from(plain, (v) => v - 1), { rtol: 1e-6, atol: 1e-6 }, "v - 1");
});

Deno.test("matmulEpilogue: bad input throws typed errors naming what is wrong", () => {
  const a = tensor(randn(1, 20 * 8), { shape: [20, 8] });
  const b = tensor(randn(2, 8 * 18), { shape: [8, 18] });
  const mmE = (epilogue: Parameters<typeof matmulEpilogue>[2]["epilogue"], bb: Tensor = b) =>
    matmulEpilogue(a, bb, { epilogue });
  // input shapes
  assert.throws(
    () => mmE({ expr: "v + bias", inputs: { bias: tensor(new Float32Array(19)) } }),
    (e) => e instanceof ShapeError && /"bias" \[19\].*output \[20,18\]/.test(e.message),
  );
  assert.throws(
    () =>
      mmE({ expr: "v + r", inputs: { r: tensor(new Float32Array(18 * 20), { shape: [18, 20] }) } }),
    (e) => e instanceof ShapeError && /"r" \[18,20\]/.test(e.message),
  );
  const a3 = tensor(randn(3, 2 * 3 * 20 * 8), { shape: [2, 3, 20, 8] });
  assert.throws(
    () =>
      matmulEpilogue(a3, b, {
        epilogue: {
          expr: "v + q",
          inputs: { q: tensor(new Float32Array(2 * 18), { shape: [2, 1, 1, 18] }) },
        },
      }),
    (e) =>
      e instanceof ShapeError && /batch dims must be all 1 or all of the output's/.test(e.message),
  );
  assert.throws(
    () => mmE({ expr: "v", inputs: { q: tensor(new Int32Array(18), { dtype: "i32" }) } }),
    (e) => e instanceof DtypeError && /"q" must be f32, got i32/.test(e.message),
  );
  // operands
  assert.throws(
    () => mmE({ expr: "v" }, tensor(new Float32Array(9 * 18), { shape: [9, 18] })),
    ShapeError,
  );
  assert.throws(
    () => matmulEpilogue(tensor(new Float32Array(8)), b, { epilogue: { expr: "v" } }),
    (e) => e instanceof ShapeError && /at least 2-D/.test(e.message),
  );
  // the epilogue itself
  assert.throws(() => mmE({ expr: " " }), InvalidArgumentError);
  assert.throws(
    () => matmulEpilogue(a, b, {} as Parameters<typeof matmulEpilogue>[2]),
    (e) => e instanceof InvalidArgumentError && /epilogue is required/.test(e.message),
  );
  for (const name of ["v", "row", "p", "let", "f32", "ep_x", "2x", "a-b", ""]) {
    assert.throws(
      () => mmE({ expr: "v", params: { [name]: 1 } }),
      (e) => e instanceof InvalidArgumentError && e.message.includes(`"${name}" is not a valid`),
      name,
    );
  }
  assert.throws(
    () => mmE({ expr: "v", inputs: { s: tensor([1]) }, params: { s: 1 } }),
    (e) => e instanceof InvalidArgumentError && /both an input and a param/.test(e.message),
  );
  assert.throws(
    () => mmE({ expr: "v", params: { s: "1" as unknown as number } }),
    (e) => e instanceof InvalidArgumentError && /"s" must be a number/.test(e.message),
  );
  // binding and uniform limits
  const limit = runtime().device.limits.maxStorageBuffersPerShaderStage;
  const one = tensor([1]);
  const many = Object.fromEntries(Array.from({ length: limit - 2 }, (_, i) => [`x${i}`, one]));
  assert.throws(
    () => mmE({ expr: "v", inputs: many }),
    (e) =>
      e instanceof InvalidArgumentError &&
      e.message.includes(`at most ${limit} storage buffers`) &&
      e.message.includes("maxStorageBuffersPerShaderStage"),
  );
  const params = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, i]));
  assert.throws(
    () => mmE({ expr: "v", inputs: { s: one, t: one }, params }),
    (e) => e instanceof InvalidArgumentError && /need 68 uniform words/.test(e.message),
  );
  // no gradient: a traced operand is refused, not silently treated as a constant
  assert.throws(
    () => grad((w: Tensor) => sum(matmulEpilogue(a, w, { epilogue: { expr: "v" } })))(b),
    (e) => e instanceof GradError && /has no gradient/.test(e.message),
  );
  // with recording paused, every op yields constants, the fused one too
  const g = grad((w: Tensor) =>
    add(sum(w), withoutRecording(() => sum(matmulEpilogue(a, w, { epilogue: { expr: "v" } }))))
  )(b);
  assert.deepEqual(g.shape, [8, 18]);
  assert.throws(
    () =>
      grad((bias: Tensor) =>
        sum(matmulEpilogue(a, b, { epilogue: { expr: "v + c", inputs: { c: bias } } }))
      )(
        tensor(new Float32Array(18)),
      ),
    GradError,
  );
});
