import assert from "node:assert/strict";
import {
  add,
  col2im,
  conv2d,
  type Conv2dOptions,
  DtypeError,
  grad,
  hvp,
  im2col,
  InvalidArgumentError,
  matmul,
  mul,
  reshape,
  runtime,
  scope,
  ShapeError,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  zeros,
} from "../../mod.ts";
import { numericGrad, randn } from "../_util.ts";

// ---------------------------------------------------------------------------------------------
// f64 host reference: geometry from the documented formulas, direct nested-loop convolution.

type Pair = [number, number];
interface Geo {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  o: number;
  s: Pair;
  d: Pair;
  pad: [Pair, Pair];
  oh: number;
  ow: number;
}

function geo(xs: number[], ws: number[], opts: Conv2dOptions = {}): Geo {
  const [n, h, w, c] = xs, [kh, kw, , o] = ws;
  const two = (v: number | readonly number[] | undefined): Pair =>
    v === undefined ? [1, 1] : typeof v === "number" ? [v, v] : [v[0], v[1]];
  const s = two(opts.stride), d = two(opts.dilation);
  const ext: Pair = [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1];
  const p = opts.padding ?? "same";
  let pad: [Pair, Pair];
  if (p === "valid") pad = [[0, 0], [0, 0]];
  else if (typeof p === "number") pad = [[p, p], [p, p]];
  else if (p === "same") {
    const side = (size: number, k: 0 | 1): Pair => {
      const total = Math.max((Math.ceil(size / s[k]) - 1) * s[k] + ext[k] - size, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    pad = [side(h, 0), side(w, 1)];
  } else pad = [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  const oh = Math.floor((h + pad[0][0] + pad[0][1] - ext[0]) / s[0]) + 1;
  const ow = Math.floor((w + pad[1][0] + pad[1][1] - ext[1]) / s[1]) + 1;
  return { n, h, w, c, kh, kw, o, s, d, pad, oh, ow };
}

/** Calls visit(xIndex, colRow, colCol) for every in-bounds tap of im2col. */
function eachTap(g: Geo, visit: (xi: number, row: number, col: number) => void): void {
  for (let b = 0; b < g.n; b++) {
    for (let i = 0; i < g.oh; i++) {
      for (let j = 0; j < g.ow; j++) {
        const row = (b * g.oh + i) * g.ow + j;
        for (let ki = 0; ki < g.kh; ki++) {
          const y = i * g.s[0] - g.pad[0][0] + ki * g.d[0];
          if (y < 0 || y >= g.h) continue;
          for (let kj = 0; kj < g.kw; kj++) {
            const x = j * g.s[1] - g.pad[1][0] + kj * g.d[1];
            if (x < 0 || x >= g.w) continue;
            for (let ch = 0; ch < g.c; ch++) {
              visit(((b * g.h + y) * g.w + x) * g.c + ch, row, (ki * g.kw + kj) * g.c + ch);
            }
          }
        }
      }
    }
  }
}

const K = (g: Geo) => g.kh * g.kw * g.c;
const rowsOf = (g: Geo) => g.n * g.oh * g.ow;

function im2colRef(x: ArrayLike<number>, g: Geo): Float64Array {
  const out = new Float64Array(rowsOf(g) * K(g));
  eachTap(g, (xi, r, c) => (out[r * K(g) + c] = x[xi]));
  return out;
}

function col2imRef(cols: ArrayLike<number>, g: Geo): Float64Array {
  const out = new Float64Array(g.n * g.h * g.w * g.c);
  eachTap(g, (xi, r, c) => (out[xi] += cols[r * K(g) + c]));
  return out;
}

/** out[n, oh, ow, o] = sum over taps of x * w; also the sum of |x * w| (for f32 error bounds). */
function convRef(x: ArrayLike<number>, w: ArrayLike<number>, g: Geo) {
  const out = new Float64Array(rowsOf(g) * g.o), abs = new Float64Array(out.length);
  eachTap(g, (xi, r, c) => {
    for (let o = 0; o < g.o; o++) {
      out[r * g.o + o] += x[xi] * w[c * g.o + o];
      abs[r * g.o + o] += Math.abs(x[xi] * w[c * g.o + o]);
    }
  });
  return { out, abs };
}

/** d<conv(x, w), y>/dx and d<conv(x, w), y>/dw. */
function convVjpX(y: ArrayLike<number>, w: ArrayLike<number>, g: Geo): Float64Array {
  const out = new Float64Array(g.n * g.h * g.w * g.c);
  eachTap(g, (xi, r, c) => {
    for (let o = 0; o < g.o; o++) out[xi] += y[r * g.o + o] * w[c * g.o + o];
  });
  return out;
}
function convVjpW(x: ArrayLike<number>, y: ArrayLike<number>, g: Geo): Float64Array {
  const out = new Float64Array(K(g) * g.o);
  eachTap(g, (xi, r, c) => {
    for (let o = 0; o < g.o; o++) out[c * g.o + o] += x[xi] * y[r * g.o + o];
  });
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const X_SHAPE = [2, 7, 5, 3];

/**
 * Asserts |got - ref| <= rtol * |ref| + atol elementwise (atol may be per element, e.g. a
 * multiple of the sum of |terms| that f32 rounding scales with), naming the first miss.
 */
function assertNear(
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  tol: { rtol: number; atol: ArrayLike<number> | number },
  what: string,
) {
  assert.equal(got.length, ref.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const atol = typeof tol.atol === "number" ? tol.atol : tol.atol[i];
    const bound = tol.rtol * Math.abs(ref[i]) + atol;
    const err = Math.abs(got[i] - ref[i]);
    if (!(err <= bound)) {
      assert.fail(`${what}[${i}]: got ${got[i]}, expected ${ref[i]} (|err| ${err} > ${bound})`);
    }
    worst = Math.max(worst, bound > 0 ? err / bound : 0);
  }
  if (Deno.env.get("CONV_TEST_VERBOSE")) console.log(`${what}: worst err/bound ${worst}`);
}

/** The largest |entry|. */
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
/** Elementwise |a| scaled by k. */
const scaled = (a: ArrayLike<number>, k: number) => Array.from(a, (v) => k * Math.abs(v));

// ---------------------------------------------------------------------------------------------

const FORWARD_CASES: [string, number[], Conv2dOptions][] = [
  ["3x3 same", [3, 3, 3, 4], { padding: "same" }],
  ["3x3 same stride 2", [3, 3, 3, 4], { padding: "same", stride: 2 }],
  ["3x3 valid", [3, 3, 3, 4], { padding: "valid" }],
  ["3x3 valid dilation 2", [3, 3, 3, 4], { padding: "valid", dilation: 2 }],
  ["3x3 same dilation 2 stride 2", [3, 3, 3, 4], { stride: 2, dilation: 2 }],
  ["3x3 same stride [1,2] dilation [2,1]", [3, 3, 3, 4], { stride: [1, 2], dilation: [2, 1] }],
  ["1x3 explicit stride [2,1]", [1, 3, 3, 4], { padding: [[1, 0], [2, 1]], stride: [2, 1] }],
  ["5x5 padding 2 stride 2", [5, 5, 3, 4], { padding: 2, stride: 2 }],
  ["5x5 valid (OW = 1)", [5, 5, 3, 4], { padding: "valid" }],
  ["5x5 same dilation [1,2]", [5, 5, 3, 4], { dilation: [1, 2] }],
  ["2x2 same (odd total pad)", [2, 2, 3, 4], { padding: "same" }],
  ["4x4 same stride 2 (pad 1+2)", [4, 4, 3, 4], { padding: "same", stride: 2 }],
  ["1x1 stride 2 valid", [1, 1, 3, 4], { padding: "valid", stride: 2 }],
  ["1x1 (pointwise path)", [1, 1, 3, 4], {}],
];

Deno.test("conv2d matches an f64 nested-loop reference (kernels, strides, dilation, padding)", async () => {
  const xd = randn(1, size(X_SHAPE));
  const x = tensor(xd, { shape: X_SHAPE });
  const runs = FORWARD_CASES.map(([name, ws, opts], k) => {
    const wd = randn(10 + k, size(ws));
    const y = conv2d(x, tensor(wd, { shape: ws }), opts);
    return { name, g: geo(X_SHAPE, ws, opts), wd, y };
  });
  const reads = await Promise.all(runs.map((r) => r.y.read()));
  runs.forEach(({ name, g, wd, y }, k) => {
    assert.deepEqual(y.shape, [g.n, g.oh, g.ow, g.o], `${name}: shape`);
    const { out, abs } = convRef(xd, wd, g);
    // f32 rounding of a K-term dot product stays far below 1e-6 of the sum of |terms|; a wrong
    // or missing tap changes an output by about 1/K of it.
    assertNear(reads[k], out, { rtol: 1e-6, atol: scaled(abs, 1e-6) }, name);
  });
  // The defaults are stride 1, dilation 1, padding "same".
  const w = tensor(randn(5, 27 * 4), { shape: [3, 3, 3, 4] });
  const [a, b] = await Promise.all([
    conv2d(x, w).read(),
    conv2d(x, w, { padding: [[1, 1], [1, 1]], stride: [1, 1], dilation: 1 }).read(),
  ]);
  assert.deepEqual(a, b);
});

Deno.test("conv2d with a 1x1 kernel equals a matmul over channels", async () => {
  const x = tensor(randn(2, size(X_SHAPE)), { shape: X_SHAPE });
  const w = tensor(randn(3, 3 * 4), { shape: [1, 1, 3, 4] });
  const y = conv2d(x, w, { padding: "valid" });
  const m = matmul(reshape(x, [2 * 7 * 5, 3]), reshape(w, [3, 4]));
  const cols = im2col(x, [1, 1], { padding: "valid" });
  const [yd, md, cd, xd] = await Promise.all([y.read(), m.read(), cols.read(), x.read()]);
  assert.deepEqual(y.shape, [2, 7, 5, 4]);
  assert.deepEqual(yd, md);
  assert.deepEqual(cols.shape, [70, 3]);
  assert.deepEqual(cd, xd, "im2col with a 1x1 window is the image itself");
});

const PATCH_CASES: [string, Pair, Conv2dOptions][] = [
  ["3x3 same", [3, 3], {}],
  ["3x3 same stride 2 dilation 2", [3, 3], { stride: 2, dilation: 2 }],
  ["2x3 explicit stride [3,2]", [2, 3], { padding: [[0, 2], [1, 0]], stride: [3, 2] }],
  ["1x1 stride 2 (unread pixels)", [1, 1], { padding: "valid", stride: 2 }],
  ["5x5 padding 1", [5, 5], { padding: 1 }],
];

Deno.test("im2col matches the host patches exactly; col2im is its adjoint", async () => {
  const xd = randn(4, size(X_SHAPE));
  const x = tensor(xd, { shape: X_SHAPE });
  const runs = PATCH_CASES.map(([name, k, opts], i) => {
    const g = geo(X_SHAPE, [...k, 3, 1], opts);
    const yd = randn(20 + i, rowsOf(g) * K(g));
    const cols = im2col(x, k, opts);
    const back = col2im(tensor(yd, { shape: [rowsOf(g), K(g)] }), [2, 7, 5, 3], k, opts);
    return { name, g, yd, cols, back };
  });
  const reads = await Promise.all(runs.flatMap((r) => [r.cols.read(), r.back.read()]));
  runs.forEach(({ name, g, yd, cols, back }, i) => {
    const [cd, bd] = [reads[2 * i], reads[2 * i + 1]];
    assert.deepEqual(cols.shape, [rowsOf(g), K(g)], `${name}: im2col shape`);
    assert.deepEqual(back.shape, X_SHAPE, `${name}: col2im shape`);
    assert.deepEqual(Array.from(cd), Array.from(im2colRef(xd, g)), `${name}: im2col`);
    // col2im sums at most KH*KW f32 values per pixel.
    const ref = col2imRef(yd, g), absRef = col2imRef(yd.map(Math.abs), g);
    assertNear(bd, ref, { rtol: 1e-6, atol: scaled(absRef, 1e-6) }, `${name}: col2im`);
    // <im2col(x), y> = <x, col2im(y)>, both sides from GPU results, in f64.
    const lhs = dot(cd, yd), rhs = dot(xd, bd);
    const scale = dot(Array.from(cd, Math.abs), Array.from(yd, Math.abs));
    assert.ok(
      Math.abs(lhs - rhs) <= 1e-6 * scale,
      `${name}: <im2col(x), y> = ${lhs} but <x, col2im(y)> = ${rhs} (scale ${scale})`,
    );
  });
});

const GRAD_CASES: [string, number[], Conv2dOptions][] = [
  ["3x3 same stride 2", [3, 3, 3, 4], { stride: 2 }],
  ["3x3 valid dilation 2", [3, 3, 3, 4], { padding: "valid", dilation: 2 }],
  ["1x3 explicit stride [2,1]", [1, 3, 3, 4], { padding: [[0, 1], [2, 0]], stride: [2, 1] }],
  ["1x1 pointwise", [1, 1, 3, 4], {}],
];

Deno.test("conv2d gradients w.r.t. x and w match central finite differences in f64", async () => {
  const xd = randn(6, size(X_SHAPE));
  const x = tensor(xd, { shape: X_SHAPE });
  for (const [name, ws, opts] of GRAD_CASES) {
    const g = geo(X_SHAPE, ws, opts);
    const wd = randn(7, size(ws), 0.5);
    const rd = randn(8, rowsOf(g) * g.o);
    const r = tensor(rd, { shape: [g.n, g.oh, g.ow, g.o] });
    // L = sum(r * y) + sum(y^2) / 2: every output element matters, and dL/dy depends on x, w.
    const loss = ([a, b]: Tensor[]) => {
      const y = conv2d(a, b, opts);
      return sum(mul(add(r, mul(y, 0.5)), y));
    };
    const hostLoss = (a: Float64Array, b: Float64Array) => {
      const y = convRef(a, b, g).out;
      return y.reduce((s, v, i) => s + rd[i] * v + 0.5 * v * v, 0);
    };
    const [value, [gx, gw]] = valueAndGrad(loss)([x, tensor(wd, { shape: ws })]);
    const [v, gxd, gwd] = await Promise.all([value.item(), gx.read(), gw.read()]);
    const x64 = Float64Array.from(xd), w64 = Float64Array.from(wd);
    const L = hostLoss(x64, w64);
    assertNear([v], [L], { rtol: 1e-5, atol: 0 }, `${name}: loss`);
    const nx = numericGrad((a) => hostLoss(a, w64), x64, 1e-4);
    const nw = numericGrad((b) => hostLoss(x64, b), w64, 1e-4);
    // Entries are sums of many f32 products of either sign: absolute slack scales with the
    // largest entry.
    assertNear(gxd, nx, { rtol: 1e-5, atol: 1e-6 * maxAbs(nx) }, `${name}: dL/dx`);
    assertNear(gwd, nw, { rtol: 1e-5, atol: 1e-6 * maxAbs(nw) }, `${name}: dL/dw`);
  }
});

Deno.test("grad of grad through conv2d: Hessian-vector products and a mixed second derivative", async () => {
  const opts: Conv2dOptions = { stride: 2, padding: [[1, 0], [0, 1]], dilation: [1, 2] };
  const ws = [3, 2, 3, 4];
  const g = geo(X_SHAPE, ws, opts);
  const [xd, wd, vx, vw] = [
    randn(30, size(X_SHAPE)),
    randn(31, size(ws), 0.5),
    randn(32, size(X_SHAPE)),
    randn(33, size(ws)),
  ];
  const x = tensor(xd, { shape: X_SHAPE }), w = tensor(wd, { shape: ws });
  const half = (y: Tensor) => mul(sum(square(y)), 0.5);
  // f = |conv(x, w)|^2 / 2 is quadratic in each argument: H_w v = J_w^T J_w v, likewise for x.
  const hw = hvp((b: Tensor) => half(conv2d(x, b, opts)), w, tensor(vw, { shape: ws }));
  const hx = hvp((a: Tensor) => half(conv2d(a, w, opts)), x, tensor(vx, { shape: X_SHAPE }));
  // d/dx <grad_w f(x, w), v> = J_x(w)^T conv(x, v) + J_x(v)^T conv(x, w).
  const vwT = tensor(vw, { shape: ws });
  const mixed = grad((a: Tensor) => {
    const gw = grad((b: Tensor) => half(conv2d(a, b, opts)))(w);
    return sum(mul(gw, vwT));
  })(x);
  const [hwd, hxd, md] = await Promise.all([hw.read(), hx.read(), mixed.read()]);
  const conv = (a: ArrayLike<number>, b: ArrayLike<number>) => convRef(a, b, g).out;
  const refW = convVjpW(xd, conv(xd, vw), g);
  const refX = convVjpX(conv(vx, wd), wd, g);
  const cx = convVjpX(conv(xd, vw), wd, g), cw = convVjpX(conv(xd, wd), vw, g);
  const refM = cx.map((v, i) => v + cw[i]);
  assertNear(hwd, refW, { rtol: 1e-5, atol: 1e-6 * maxAbs(refW) }, "H_w v");
  assertNear(hxd, refX, { rtol: 1e-5, atol: 1e-6 * maxAbs(refX) }, "H_x v");
  assertNear(md, refM, { rtol: 1e-5, atol: 1e-6 * maxAbs(refM) }, "mixed d2f/dxdw v");
});

Deno.test("grads of im2col and col2im are each other (and so compose to any order)", async () => {
  const opts: Conv2dOptions = { stride: [2, 1], dilation: [1, 2] };
  const g = geo(X_SHAPE, [2, 3, 3, 1], opts);
  const xd = randn(40, size(X_SHAPE)), yd = randn(41, rowsOf(g) * K(g));
  const yt = tensor(yd, { shape: [rowsOf(g), K(g)] });
  const xt = tensor(xd, { shape: X_SHAPE });
  // <im2col(x), y> is linear in x with gradient col2im(y); <col2im(c), x> has gradient im2col(x).
  const gx = grad((a: Tensor) => sum(mul(im2col(a, [2, 3], opts), yt)))(xt);
  const gc = grad((c: Tensor) => sum(mul(col2im(c, [2, 7, 5, 3], [2, 3], opts), xt)))(
    zeros([rowsOf(g), K(g)]),
  );
  const [gxd, gcd] = await Promise.all([gx.read(), gc.read()]);
  const absRef = scaled(col2imRef(yd.map(Math.abs), g), 1e-6);
  assertNear(gxd, col2imRef(yd, g), { rtol: 1e-6, atol: absRef }, "d<im2col(x), y>/dx");
  assert.deepEqual(Array.from(gcd), Array.from(im2colRef(xd, g)), "d<col2im(c), x>/dc");
});

Deno.test("conv2d rejects bad input with typed errors naming the argument", () => {
  const x = zeros([1, 4, 4, 2]), w = zeros([3, 3, 2, 5]);
  const bad = (fn: () => unknown, cls: ErrorConstructor | typeof ShapeError, re: RegExp) =>
    assert.throws(fn, (e: Error) => e instanceof cls && re.test(e.message), String(re));
  bad(() => conv2d(zeros([4, 4, 2]), w), ShapeError, /conv2d: x must have rank 4 .*\[4,4,2\]/);
  bad(() => conv2d(x, zeros([3, 3, 2])), ShapeError, /conv2d: w must have rank 4 \[KH, KW, C, O\]/);
  bad(
    () => conv2d(x, zeros([3, 3, 3, 5])),
    ShapeError,
    /w \[3,3,3,5\] has 3 input channels \(axis 2\), but x \[1,4,4,2\] has 2/,
  );
  bad(() => conv2d(zeros([1, 4, 4, 2], "i32"), w), DtypeError, /conv2d: x must be f32, got i32/);
  bad(() => conv2d(x, zeros([3, 3, 2, 5], "i32")), DtypeError, /conv2d: w must be f32, got i32/);
  bad(() => conv2d(x, w, { stride: 0 }), InvalidArgumentError, /option stride = 0: expected a pos/);
  bad(() => conv2d(x, w, { stride: [1, 1.5] }), InvalidArgumentError, /stride = \[1,1.5\]/);
  bad(() => conv2d(x, w, { dilation: -1 }), InvalidArgumentError, /option dilation = -1: expected/);
  bad(() => conv2d(x, w, { padding: -1 }), InvalidArgumentError, /padding = -1: expected "same"/);
  bad(
    () => conv2d(x, w, { padding: [[0, -1], [0, 0]] }),
    InvalidArgumentError,
    /padding = \[\[0,-1\],\[0,0\]\]: .*non-negative/,
  );
  bad(
    () => conv2d(x, w, { padding: "full" as "same" }),
    InvalidArgumentError,
    /padding = "full"/,
  );
  bad(
    () => conv2d(x, w, { strides: 2 } as Conv2dOptions),
    InvalidArgumentError,
    /option\(s\) strides not recognised; expected keys: stride, padding, dilation/,
  );
  bad(
    () => conv2d(x, zeros([5, 3, 2, 5]), { padding: "valid" }),
    ShapeError,
    /conv2d: output would be 0 x 2 \(expected at least 1 x 1\)/,
  );
  bad(
    () => conv2d(x, w, { padding: "valid", dilation: 2 }),
    ShapeError,
    /output would be 0 x 0 .*dilated 3 x 3 window \(5 x 5\)/,
  );
  bad(() => im2col(x, [0, 3]), InvalidArgumentError, /im2col: kernelSize = \[0,3\]: expected/);
  bad(() => im2col(zeros([4, 4]), [1, 1]), ShapeError, /im2col: x must have rank 4/);
  bad(
    () => col2im(zeros([16, 17]), [1, 4, 4, 2], [3, 3]),
    ShapeError,
    /col2im: cols \[16,17\] does not match .* \(expected \[16,18\]\)/,
  );
  bad(
    () => col2im(zeros([16, 18]), [1, 4, 4] as unknown as [number, number, number, number], [3, 3]),
    InvalidArgumentError,
    /col2im: inputShape = \[1,4,4\]: expected \[N, H, W, C\]/,
  );
});

Deno.test("conv2d and its gradient free every intermediate", async () => {
  const rt = runtime();
  const x = tensor(randn(50, size(X_SHAPE)), { shape: X_SHAPE });
  let w = tensor(randn(51, 3 * 3 * 3 * 4, 0.1), { shape: [3, 3, 3, 4] });
  const target = zeros([2, 4, 3, 4]);
  const loss = (v: Tensor) => sum(square(sub(conv2d(x, v, { stride: 2 }), target)));
  const step = () => {
    const next = scope(() => sub(w, mul(grad(loss)(w), 0.01)));
    w.dispose();
    w = next;
  };
  step(); // warm-up (first-use caches)
  // No await between the counts: finalizers of other tests' garbage cannot run in between.
  const before = rt.pool.stats().inUseBuffers;
  const y = conv2d(x, w, { stride: 2 });
  assert.equal(rt.pool.stats().inUseBuffers, before + 1, "only the output is alive");
  y.dispose();
  for (let i = 0; i < 5; i++) step();
  hvp(loss, w, w).dispose();
  assert.equal(rt.pool.stats().inUseBuffers, before, "gradient steps leak nothing");
  assert.ok(Number.isFinite(await loss(w).item()));
});
