import assert from "node:assert/strict";
import { DtypeError, matmul, matmulEpilogue, ones, ShapeError, tensor } from "../../mod.ts";
import { assertClose, randn } from "../_util.ts";

/** f64 reference for C = op(A) op(B) of single matrices. */
function mmRef(
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [9, 1, 3],
  [16, 16, 16],
  [17, 33, 19],
  [64, 64, 64],
  [65, 63, 17],
  [128, 128, 8],
  [129, 130, 131],
  [200, 150, 3],
  [20, 300, 257],
];

for (const kernel of ["tiled", "direct"] as const) {
  Deno.test(`matmul (${kernel} kernel) matches f64 at tile boundaries, all transpose flags`, async () => {
    const { setMatmulTuning } = await import("../../src/gpu/ops/matmul.ts");
    const old = setMatmulTuning({ kernel });
    try {
      for (const [M, N, K] of shapes) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const a = randn(M * 31 + K, M * K), b = randn(N * 7 + K, K * N);
            const A = tensor(a, { shape: tA ? [K, M] : [M, K] });
            const B = tensor(b, { shape: tB ? [N, K] : [K, N] });
            const C = matmul(A, B, { transA: tA, transB: tB });
            assert.deepEqual(C.shape, [M, N]);
            assertClose(await C.read(), mmRef(a, b, M, N, K, tA, tB), {
              rtol: 1e-4,
              atol: 1e-4 * Math.sqrt(K),
            }, `${M}x${N}x${K} tA=${tA} tB=${tB}`);
            A.dispose();
            B.dispose();
            C.dispose();
          }
        }
      }
    } finally {
      setMatmulTuning(old);
    }
  });
}

Deno.test("matmul broadcasts batch dims", async () => {
  const [B1, M, K, N] = [3, 20, 17, 18];
  const a = randn(1, B1 * M * K), b = randn(2, K * N);
  const C = matmul(tensor(a, { shape: [B1, M, K] }), tensor(b, { shape: [1, K, N] }));
  assert.deepEqual(C.shape, [B1, M, N]);
  const got = await C.read();
  for (let z = 0; z < B1; z++) {
    const ref = mmRef(a.subarray(z * M * K, (z + 1) * M * K), b, M, N, K, false, false);
    assertClose(
      got.subarray(z * M * N, (z + 1) * M * N),
      ref,
      { rtol: 1e-4, atol: 1e-4 },
      `batch ${z}`,
    );
  }
  // [2,1,M,K] @ [3,K,N] -> [2,3,M,N]
  const a2 = randn(3, 2 * 4 * 5), b2 = randn(4, 3 * 5 * 6);
  const C2 = matmul(tensor(a2, { shape: [2, 1, 4, 5] }), tensor(b2, { shape: [3, 5, 6] }));
  assert.deepEqual(C2.shape, [2, 3, 4, 6]);
  const g2 = await C2.read();
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      const ref = mmRef(
        a2.subarray(i * 20, i * 20 + 20),
        b2.subarray(j * 30, j * 30 + 30),
        4,
        6,
        5,
        false,
        false,
      );
      assertClose(g2.subarray((i * 3 + j) * 24, (i * 3 + j + 1) * 24), ref, {
        rtol: 1e-4,
        atol: 1e-5,
      }, `b ${i},${j}`);
    }
  }
});

Deno.test("matmul with 1-D operands follows NumPy", async () => {
  const m = tensor([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(Array.from(await matmul(tensor([1, 1, 1]), m).read()), [9, 12]);
  assert.deepEqual(Array.from(await matmul(m, tensor([1, -1])).read()), [-1, -1, -1]);
  assert.equal(await matmul(tensor([1, 2]), tensor([3, 4])).item(), 11);
});

Deno.test("matmul with zero-size dims", async () => {
  const C = matmul(tensor(new Float32Array(0), { shape: [0, 3] }), tensor([[1], [2], [3]]));
  assert.deepEqual(C.shape, [0, 1]);
  const Z = matmul(
    tensor(new Float32Array(0), { shape: [2, 0] }),
    tensor(new Float32Array(0), { shape: [0, 2] }),
  );
  assert.deepEqual(await Z.toArray(), [[0, 0], [0, 0]]);
});

Deno.test("matmul errors name both shapes", () => {
  assert.throws(() => matmul(tensor([[1, 2]]), tensor([[1, 2]])), (e: Error) => {
    assert.ok(e instanceof ShapeError);
    assert.match(e.message, /\[1,2\].*\[1,2\]/);
    return true;
  });
  assert.throws(() => matmul(tensor([[1]], "i32"), tensor([[1]], "i32")), DtypeError);
  assert.throws(() => matmul(tensor(1), tensor([1])), ShapeError);
});

Deno.test("every tiled-kernel variant is exact on a batch that selects 128x128 tiles", async () => {
  const { setMatmulTuning } = await import("../../src/gpu/ops/matmul.ts");
  const [B, M, K, N] = [48, 130, 21, 129]; // 48 * 2 * 2 = 192 tiles of 128 -> the big kernel
  const a = randn(11, B * M * K), b = randn(12, K * N);
  const refs = Array.from(
    { length: 3 },
    (_, z) => mmRef(a.subarray(z * M * K, (z + 1) * M * K), b, M, N, K, false, false),
  );
  const A = tensor(a, { shape: [B, M, K] }), Bt = tensor(b, { shape: [K, N] });
  try {
    for (const prefetch of [false, true]) {
      for (const bk of [8, 16] as const) {
        setMatmulTuning({ prefetch, bk, kernel: "tiled" });
        const got = await matmul(A, Bt).read();
        for (let z = 0; z < 3; z++) {
          assertClose(
            got.subarray(z * M * N, (z + 1) * M * N),
            refs[z],
            { rtol: 1e-4, atol: 1e-4 },
            `prefetch=${prefetch} bk=${bk} batch ${z}`,
          );
        }
      }
    }
  } finally {
    setMatmulTuning({ prefetch: false, bk: 16, kernel: "auto" });
  }
});

Deno.test("matmul sums a long K in full (llvmpipe stops loops after 65535 iterations)", async () => {
  // K beyond the cap and beyond one dispatch's chunk of the direct kernel (260,000): thin
  // (naive kernel) and 16 x 16 (direct on CPU adapters, tiled on GPUs) outputs, transposed
  // operands and an epilogue, which must apply once to the full sum.
  const K = 600_001;
  const last = new Float32Array(K).fill(1);
  last[K - 1] = 5; // the last chunk's final term counts
  const a = tensor(last, { shape: [1, K] });
  const thin = await matmul(a, ones([K, 2])).read();
  assert.deepEqual(Array.from(thin), [K + 4, K + 4]);
  const sq = await matmul(ones([16, K]), ones([K, 16])).read();
  assert.ok(sq.every((v) => v === K), `16 x 16: ${sq[0]}, ${sq[255]}`);
  const tt = await matmul(ones([K, 16]), ones([16, K]), { transA: true, transB: true }).read();
  assert.ok(tt.every((v) => v === K), `transposed: ${tt[0]}`);
  const epi = await matmulEpilogue(ones([16, K]), ones([K, 16]), {
    epilogue: { expr: "v * s + b", inputs: { b: ones([16]) }, params: { s: 0.5 } },
  }).read();
  assert.ok(epi.every((v) => v === K / 2 + 1), `epilogue: ${epi[0]} vs ${K / 2 + 1}`);
});
