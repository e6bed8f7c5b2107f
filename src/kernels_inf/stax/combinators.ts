/**
 * Combinators: `serial`, `parallel`, `fanOut`, `fanInSum`, `fanInConcat`.
 *
 * `serial` fuses runs of consecutive elementwise layers (Dense, activations, LayerNorm, Dropout
 * in test mode, and nested serial chains of them, following a convolution's window mean when
 * there is one) into single GPU passes, and frees the intermediate kernels of its steps as soon
 * as the next step has consumed them. Fan-in kernel
 * maps follow neural-tangents: summing branches sums their kernels; concatenating channels
 * averages the kernels weighted by channel counts.
 *
 * @example
 * ```ts
 * import { dense, fanInSum, fanOut, parallel, relu, serial } from "../mod.ts";
 * import { random } from "../../gpu/mod.ts";
 * // a residual block: x + relu(dense(x))
 * const block = serial(fanOut(2), parallel(serial(dense(8), relu()), serial()), fanInSum());
 * const k = serial(dense(8), block).kernel(random.normal(random.key(0), [3, 8]));
 * console.log(k.nngp.shape); // [3, 3]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { add, concat, mul, type Tensor } from "../../gpu/mod.ts";
import { applyStages, type Stage } from "../fused_stages.ts";
import type { Kernel } from "../kernel.ts";
import {
  channels,
  type Flow,
  type HeadStages,
  type Layer,
  makeLayer,
  type Params,
  type ShapeFlow,
  splitKeys,
} from "./layer.ts";

function isKernel(k: Flow<Kernel>): k is Kernel {
  return !Array.isArray(k);
}

function tensorsOf(k: Flow<Kernel>, into: Set<Tensor> = new Set()): Set<Tensor> {
  if (isKernel(k)) {
    for (const t of [k.nngp, k.ntk, k.cov1, k.cov2]) if (t) into.add(t);
  } else for (const c of k as readonly Flow<Kernel>[]) tensorsOf(c, into);
  return into;
}

/**
 * Layers applied one after another.
 *
 * @example
 * ```ts
 * import { dense, erf, serial } from "../mod.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const net = serial(dense(512, { wStd: 1.5, bStd: 0.05 }), erf(), dense(1));
 * const k = net.kernel(tensor([[1, 0], [0, 1]]));
 * console.log(k.nngp.shape, k.ntk!.shape); // [2, 2] [2, 2]
 * ```
 */
export function serial(...layers: Layer[]): Layer {
  for (const [i, l] of layers.entries()) {
    if (!l || typeof l.kernelFn !== "function") {
      throw new InvalidArgumentError(`serial: argument ${i} is not a layer (got ${String(l)})`);
    }
  }
  const name = `serial(${layers.map((l) => l.name).join(", ")})`;
  const allStages = layers.every((l) => l.stages !== undefined);
  const stagesOf = (width: number, from = 0): Stage[] => {
    const out: Stage[] = [];
    for (const l of layers.slice(from)) {
      const ss = l.stages!(width);
      for (const s of ss) width = s.outWidth(width);
      out.push(...ss);
    }
    return out;
  };
  // serial(conv, relu, ...) is itself a head followed by stages, fusable with what follows it
  const head = layers[0]?.headStages;
  const headStages: HeadStages | undefined = head && layers.slice(1).every((l) => l.stages)
    ? {
      head: head.head,
      stages: (width) => {
        const first = head.stages(width);
        const w = first.reduce((acc, s) => s.outWidth(acc), width);
        return [...first, ...stagesOf(w, 1)];
      },
    }
    : undefined;
  return makeLayer({
    crossLocations: layers.some((l) => l.crossLocations),
    name,
    init(key, inShape) {
      const keys = layers.length ? splitKeys(key, layers.length) : [];
      let shape = inShape;
      return layers.map((l, i) => {
        const p = l.init(keys[i], shape);
        shape = l.outputShape(shape);
        return p;
      });
    },
    outputShape(inShape) {
      return layers.reduce((s: ShapeFlow, l) => l.outputShape(s), inShape);
    },
    apply(params: Params, x: Flow<Tensor>) {
      const ps = params as readonly Params[];
      if (!Array.isArray(ps) || ps.length !== layers.length) {
        throw new InvalidArgumentError(
          `${name}: expected a list of ${layers.length} parameter trees (from init)`,
        );
      }
      return layers.reduce((h: Flow<Tensor>, l, i) => l.apply(ps[i], h), x);
    },
    kernelFn(k0: Flow<Kernel>) {
      const input = tensorsOf(k0);
      let cur = k0;
      let i = 0;
      while (i < layers.length) {
        let next: Flow<Kernel>;
        if (isKernel(cur) && (layers[i].stages || layers[i].headStages)) {
          // Fuse the run of elementwise layers starting here (after a head such as a
          // convolution's window mean) into one chain.
          const stages: Stage[] = [];
          let base: Kernel = cur;
          if (!layers[i].stages) {
            const hs = layers[i].headStages!;
            base = hs.head(cur);
            stages.push(...hs.stages(base.width));
            i++;
          }
          let width = stages.reduce((w, s) => s.outWidth(w), base.width);
          while (i < layers.length && layers[i].stages) {
            const ss = layers[i].stages!(width);
            for (const s of ss) width = s.outWidth(width);
            stages.push(...ss);
            i++;
          }
          next = stages.length ? applyStages(base, stages) : base;
          if (base !== cur && next !== base) {
            const keep = new Set([...tensorsOf(next), ...tensorsOf(cur), ...input]);
            for (const t of tensorsOf(base)) if (!keep.has(t)) t.dispose();
          }
        } else {
          next = layers[i].kernelFn(cur);
          i++;
        }
        // Free what the previous step made that the next one does not reference.
        if (cur !== k0) {
          const live = tensorsOf(next);
          for (const t of tensorsOf(cur)) if (!live.has(t) && !input.has(t)) t.dispose();
        }
        cur = next;
      }
      return cur;
    },
    stages: allStages ? (width) => stagesOf(width) : undefined,
    headStages,
  });
}

/**
 * Applies layer i to input i of a list (branches of a network).
 *
 * @example
 * ```ts
 * import { dense, fanInConcat, fanOut, parallel, relu, serial } from "../mod.ts";
 * const net = serial(fanOut(2), parallel(dense(4), serial(dense(4), relu())), fanInConcat());
 * console.log(net.outputShape([3])); // [8]
 * ```
 */
export function parallel(...layers: Layer[]): Layer {
  const name = `parallel(${layers.map((l) => l.name).join(", ")})`;
  const asList = <T>(x: Flow<T>, what: string): readonly Flow<T>[] => {
    if (!Array.isArray(x) || x.length !== layers.length) {
      throw new InvalidArgumentError(
        `${name}: expected a list of ${layers.length} ${what} (use fanOut(${layers.length}) first)`,
      );
    }
    return x as readonly Flow<T>[];
  };
  return makeLayer({
    crossLocations: layers.some((l) => l.crossLocations),
    name,
    init(key, inShape) {
      const shapes = asList(inShape as Flow<readonly number[]>, "input shapes");
      const keys = layers.length ? splitKeys(key, layers.length) : [];
      return layers.map((l, i) => l.init(keys[i], shapes[i] as ShapeFlow));
    },
    outputShape(inShape) {
      const shapes = asList(inShape as Flow<readonly number[]>, "input shapes");
      return layers.map((l, i) => l.outputShape(shapes[i] as ShapeFlow));
    },
    apply(params: Params, x: Flow<Tensor>) {
      const xs = asList(x, "inputs");
      const ps = params as readonly Params[];
      return layers.map((l, i) => l.apply(ps[i], xs[i]));
    },
    kernelFn(k: Flow<Kernel>) {
      const ks = asList(k, "kernels");
      return layers.map((l, i) => l.kernelFn(ks[i]));
    },
  });
}

/**
 * Copies one input into `n` branches.
 *
 * @example
 * ```ts
 * import { fanOut } from "./combinators.ts";
 * console.log(fanOut(3).outputShape([5])); // [[5], [5], [5]]
 * ```
 */
export function fanOut(n: number): Layer {
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`fanOut: n must be a positive integer, got ${n}`);
  }
  return makeLayer({
    name: `fanOut(${n})`,
    init: () => [],
    outputShape: (s) => Array.from({ length: n }, () => s),
    apply: (_p, x) => Array.from({ length: n }, () => x),
    kernelFn: (k) => Array.from({ length: n }, () => k),
  });
}

function branches<T>(x: Flow<T>, where: string): T[] {
  if (!Array.isArray(x) || x.length === 0) {
    throw new InvalidArgumentError(`${where}: expected a non-empty list of branches`);
  }
  for (const b of x) {
    if (Array.isArray(b)) {
      throw new InvalidArgumentError(`${where}: branches must not be nested lists`);
    }
  }
  return x as T[];
}

function shapeBranches(s: ShapeFlow, where: string): (readonly number[])[] {
  if (
    s.length === 0 || !s.every((b) => Array.isArray(b) && b.every((v) => typeof v === "number"))
  ) {
    throw new InvalidArgumentError(
      `${where}: expected a list of feature shapes like [[8], [8]], got ${JSON.stringify(s)}`,
    );
  }
  return s as unknown as (readonly number[])[];
}

function combineKernels(ks: Kernel[], weights: number[], width: number, where: string): Kernel {
  const k0 = ks[0];
  for (const k of ks) {
    if (k.diagonal !== k0.diagonal || k.computeNtk !== k0.computeNtk) {
      throw new InvalidArgumentError(`${where}: branches disagree on diagonal/NTK mode`);
    }
    if (
      k.nngp.shape.join() !== k0.nngp.shape.join() ||
      String(k.spatial ?? null) !== String(k0.spatial ?? null) ||
      Boolean(k.crossLocations) !== Boolean(k0.crossLocations)
    ) {
      throw new ShapeError(
        `${where}: branch kernels have shapes [${k0.nngp.shape}] and [${k.nngp.shape}]`,
      );
    }
  }
  const wsum = (sel: (k: Kernel) => Tensor | null): Tensor | null => {
    let acc: Tensor | null = null;
    ks.forEach((k, i) => {
      const t = sel(k);
      if (!t) return;
      const term = weights[i] === 1 ? t : mul(t, weights[i]);
      acc = acc ? add(acc, term) : term;
    });
    return acc;
  };
  const cov1 = wsum((k) => k.cov1)!;
  const sameCov = ks.every((k) => k.cov1 === k.cov2);
  return {
    nngp: wsum((k) => k.nngp)!,
    ntk: k0.computeNtk ? wsum((k) => k.ntk) : null,
    cov1,
    cov2: sameCov ? cov1 : wsum((k) => k.cov2)!,
    width,
    diagonal: k0.diagonal,
    computeNtk: k0.computeNtk,
    ...(k0.spatial ? { spatial: k0.spatial } : {}),
    ...(k0.crossLocations ? { crossLocations: true } : {}),
  };
}

/**
 * Sums branches elementwise (they must have equal shapes); kernels add.
 *
 * @example
 * ```ts
 * import { dense, fanInSum, fanOut, parallel, serial } from "../mod.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const net = serial(fanOut(2), parallel(dense(4), dense(4)), fanInSum());
 * console.log(await net.kernel(tensor([[1, 1]])).nngp.read()); // Float32Array [2]
 * ```
 */
export function fanInSum(): Layer {
  const name = "fanInSum";
  return makeLayer({
    name,
    init: () => [],
    outputShape(s) {
      const ss = shapeBranches(s, name);
      for (const x of ss) {
        if (x.join() !== ss[0].join()) {
          throw new ShapeError(`${name}: branch shapes [${ss[0]}] and [${x}] differ`);
        }
      }
      return ss[0];
    },
    apply(_p, x) {
      const xs = branches<Tensor>(x, name);
      return xs.slice(1).reduce((a, b) => add(a, b), xs[0]);
    },
    kernelFn(k) {
      const ks = branches<Kernel>(k, name);
      if (ks.length === 1) return ks[0];
      return combineKernels(ks, ks.map(() => 1), ks[0].width, name);
    },
  });
}

/**
 * Concatenates branches along the feature axis; kernels average weighted by channel counts.
 *
 * @example
 * ```ts
 * import { dense, fanInConcat, fanOut, parallel, serial } from "../mod.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const net = serial(fanOut(2), parallel(dense(4, { wStd: 2 }), dense(12)), fanInConcat());
 * console.log(await net.kernel(tensor([[1, 1]])).nngp.read()); // Float32Array [1.75]
 * ```
 */
export function fanInConcat(): Layer {
  const name = "fanInConcat";
  return makeLayer({
    name,
    init: () => [],
    outputShape(s) {
      const ss = shapeBranches(s, name);
      for (const x of ss) {
        if (x.slice(0, -1).join() !== ss[0].slice(0, -1).join()) {
          throw new ShapeError(
            `${name}: branch shapes [${ss[0]}] and [${x}] differ in more than the channel axis`,
          );
        }
      }
      return [...ss[0].slice(0, -1), ss.reduce((a, x) => a + channels(x, name), 0)];
    },
    apply(_p, x) {
      return concat(branches<Tensor>(x, name), -1);
    },
    kernelFn(k) {
      const ks = branches<Kernel>(k, name);
      if (ks.length === 1) return ks[0];
      const total = ks.reduce((a, x) => a + x.width, 0);
      return combineKernels(ks, ks.map((x) => x.width / total), total, name);
    },
  });
}
