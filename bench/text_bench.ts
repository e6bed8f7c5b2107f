/**
 * Text augmentation throughput (src/text): sentences per second of every registered
 * transformation and filter on real review sentences (the UCI "Sentiment Labelled Sentences"
 * shipped with the npm package `sentiment`, mean length ~60 characters), each operation built
 * from its registry entry with seed 0 and `maxOutputs` 1. Everything runs on the host (no GPU).
 *
 * `deno bench -A bench/text_bench.ts` times one batch of 200 sentences per operation.
 * `deno run -A bench/text_bench.ts --report [--seconds S]` prints one line per operation,
 * `text_{name}_sentences_per_s value sentences/s`, each timed over repeated passes of the
 * 3,000 sentences until at least S seconds (default 0.5) have passed. The compromise tagging
 * cache is cleared before every pass, so POS-aware operations are timed on unseen text.
 * bench/peers/text_peer.py
 * prints `numpy_text_butter_fingers_sentences_per_s` (vectorized numpy) and
 * `python_text_butter_fingers_sentences_per_s` (a pure-Python loop in the style of the
 * NL-Augmenter reference) for the same sentences and typo rate.
 *
 * With `--big` (as bench/device.sh passes) or `--gpu-trainer`, report mode also times the spam
 * classifier's logistic-regression trainer on synthetic hashed-feature rows (120 non-zeros per
 * unit-norm row): `text_lr_gpu_n{N}_d{D}_s{S}_ms` (gpusci tensor core + autodiff, one read-back
 * at the end), `text_lr_host_n{N}_d{D}_s{S}_ms` (f64 host trainer) and the largest weight
 * difference between the two, for the quick (1000 x 256, 150 steps) and full (2000 x 2000,
 * 300 steps) experiment sizes.
 *
 * @module
 */
import { createRequire } from "node:module";
import { clearCompromiseCache } from "../src/text/compromise_terms.ts";
import type { TextExample } from "../src/text/example.ts";
import type { Filter } from "../src/text/filter.ts";
import { listOperations } from "../src/text/registry.ts";
import type { Transformation } from "../src/text/transformation.ts";

const require = createRequire(import.meta.url);
const SENTENCES: string[] = ["amazon", "imdb", "yelp"].flatMap((s) =>
  (require(`sentiment/test/fixtures/${s}.json`) as { text: string }[]).map((r) => r.text.trim())
).filter((t) => t.length > 0);
const EXAMPLES: TextExample[] = SENTENCES.map((sentence) => ({ kind: "sentence", sentence }));
const BATCH = EXAMPLES.slice(0, 200);
// Tagging and QA operations get the same sentences in their own shape.
const TAGGED: TextExample[] = SENTENCES.map((s) => {
  const tokens = s.split(/\s+/).filter(Boolean);
  return { kind: "tagging", tokens, tags: tokens.map((t) => (/^[A-Z]/.test(t) ? "B-PER" : "O")) };
});
const QA: TextExample[] = SENTENCES.map((context) => ({
  kind: "question_answer",
  context,
  question: "What is said?",
  answers: [],
}));
const KV: TextExample[] = SENTENCES.map((reference, i) => ({
  kind: "key_value",
  meaning: { id: String(i), length: String(reference.length), first: reference.slice(0, 8) },
  reference,
}));

function inputsFor(op: Transformation | Filter): TextExample[] {
  if (op.supports("sentence")) return EXAMPLES;
  if (op.supports("tagging")) return TAGGED;
  if (op.supports("question_answer")) return QA;
  return KV;
}

function runOnce(op: Transformation | Filter, data: readonly TextExample[]): number {
  // Part-of-speech tags are cached per text; clear them so every pass pays for tagging.
  clearCompromiseCache();
  let n = 0;
  for (const e of data) {
    if ("generate" in op) n += op.generate(e).length;
    else if (op.filter(e)) n++;
  }
  return n;
}

const entries = listOperations();

async function trainerTimings(): Promise<void> {
  const { trainLogisticRegression } = await import("../src/text/models/logistic_regression.ts");
  let gpuTrain:
    typeof import("../src/text/models/gpu_logistic_regression.ts").trainLogisticRegressionGpu;
  try {
    gpuTrain =
      (await import("../src/text/models/gpu_logistic_regression.ts")).trainLogisticRegressionGpu;
  } catch (e) {
    console.log(`# GPU trainer unavailable: ${(e as Error).message}`);
    return;
  }
  for (const [n, d, steps] of [[1000, 256, 150], [2000, 2000, 300]]) {
    const { x, y } = syntheticRows(n, d);
    await gpuTrain(x, y, { steps: 3 }); // pipelines compiled, buffers pooled
    let t = performance.now();
    const gpu = await gpuTrain(x, y, { steps, learningRate: 8 });
    const gpuMs = performance.now() - t;
    t = performance.now();
    const host = trainLogisticRegression(x, y, { steps, learningRate: 8 });
    const hostMs = performance.now() - t;
    let diff = 0;
    for (let j = 0; j < d; j++) diff = Math.max(diff, Math.abs(gpu.weights[j] - host.weights[j]));
    const tag = `n${n}_d${d}_s${steps}`;
    console.log(`text_lr_gpu_${tag}_ms ${Number(gpuMs.toPrecision(5))} ms`);
    console.log(`text_lr_host_${tag}_ms ${Number(hostMs.toPrecision(5))} ms`);
    console.log(`text_lr_max_weight_diff_${tag} ${Number(diff.toPrecision(3))} abs`);
  }
}

function syntheticRows(n: number, d: number): {
  x: import("../src/text/models/hashed_features.ts").SparseRows;
  y: number[];
} {
  let s = 1;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const indptr = new Int32Array(n + 1), indices: number[] = [], values: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3 === 0 ? 1 : 0;
    y.push(label);
    const cols = new Set<number>();
    while (cols.size < Math.min(120, d)) cols.add(Math.floor(rnd() * d));
    const sorted = [...cols].sort((a, b) => a - b);
    const v = sorted.map((c) => 1 + (label && c % 7 === 0 ? 2 : 0) + rnd());
    const norm = Math.hypot(...v);
    sorted.forEach((c, k) => {
      indices.push(c);
      values.push(v[k] / norm);
    });
    indptr[i + 1] = indices.length;
  }
  return {
    x: {
      rows: n,
      cols: d,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    y,
  };
}

if (Deno.args.includes("--report")) {
  const i = Deno.args.indexOf("--seconds");
  const minSeconds = i >= 0 ? Number(Deno.args[i + 1]) : 0.5;
  console.log(
    `# ${SENTENCES.length} sentences, mean ${
      Math.round(SENTENCES.reduce((s, t) => s + t.length, 0) / SENTENCES.length)
    } chars; host only`,
  );
  for (const e of entries) {
    const op = e.create({ ...e.exampleOptions, seed: 0 });
    const data = inputsFor(op);
    runOnce(op, data.slice(0, 50)); // warm-up: lexicons, WordNet, compromise
    let passes = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minSeconds * 1000) {
      runOnce(op, data);
      passes++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const rate = (passes * data.length) / seconds;
    console.log(`text_${e.info.name}_sentences_per_s ${Number(rate.toPrecision(5))} sentences/s`);
  }
  if (Deno.args.includes("--big") || Deno.args.includes("--gpu-trainer")) await trainerTimings();
} else {
  for (const e of entries) {
    const op = e.create({ ...e.exampleOptions, seed: 0 });
    const data = inputsFor(op);
    const batch = data === EXAMPLES ? BATCH : data.slice(0, 200);
    Deno.bench({
      name: `${e.info.name} (200 sentences)`,
      group: e.type,
      n: 20,
      warmup: 2,
      fn: () => {
        runOnce(op, batch);
      },
    });
  }
}
