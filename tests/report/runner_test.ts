import assert from "node:assert/strict";
import { readManifest } from "../../src/report/manifest.ts";
import { pngSize } from "../../src/report/png.ts";
import { readRunRecord } from "../../src/report/run_record.ts";
import { runExperiment, runSuite } from "../../src/report/runner.ts";
import { resolveConfig } from "../../src/report/config.ts";
import { fakeExperiment } from "./fake_experiment.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("runExperiment writes metrics, tables, charts, images and run.json", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const exp = fakeExperiment();
    const log: string[] = [];
    const config = resolveConfig(exp, { preset: "quick" });
    const o = await runExperiment(exp, config, {
      outRoot,
      preset: "quick",
      seed: 7,
      adapter: "test adapter",
      write: (s) => log.push(s),
    });
    assert.equal(o.status, "ok");
    assert.equal(o.keyMetric, "final_loss");
    assert.equal(typeof o.keyValue, "number");
    const dir = `${outRoot}/fake-exp`;
    for (
      const f of [
        "metrics.json",
        "run.json",
        "final-loss.md",
        "final-loss.csv",
        "loss-curve.vl.json",
        "loss-curve.svg",
        "loss-curve.png",
        "sample.png",
      ]
    ) assert.ok(await exists(`${dir}/${f}`), f);
    const record = await readRunRecord(dir);
    assert.ok(record);
    assert.equal(record.seed, 7);
    assert.equal(record.adapter, "test adapter");
    assert.equal(record.preset, "quick");
    assert.deepEqual(record.config, config);
    assert.equal(record.steps_run, 5);
    assert.deepEqual(Object.keys(record.loss_by_width as object), ["8", "16"]);
    assert.match(record.started, /^\d{4}-\d\d-\d\dT/);
    assert.ok(record.seconds >= 0);
    assert.match(
      await Deno.readTextFile(`${dir}/final-loss.md`),
      /^# Final loss by width\n\n\| step \|/,
    );
    assert.ok(pngSize(await Deno.readFile(`${dir}/loss-curve.png`)).width > 600);
    const manifest = await readManifest(dir);
    assert.equal(manifest?.status, "ok");
    assert.deepEqual(manifest?.notes, ["label: fake"]);
    assert.ok(log.some((l) => l === "[fake-exp] running 5 steps, seed 7\n"));
    assert.ok(log.some((l) => l.startsWith("[fake-exp] training: 5/5 done in")));
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("a failing experiment is recorded as failed, without a stale metrics.json", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const exp = fakeExperiment();
    await runExperiment(exp, resolveConfig(exp, { preset: "quick" }), { outRoot, write: () => {} });
    assert.ok(await exists(`${outRoot}/fake-exp/metrics.json`));
    const o = await runExperiment(exp, resolveConfig(exp, { sets: ["fail=true"] }), {
      outRoot,
      write: () => {},
    });
    assert.equal(o.status, "failed");
    assert.equal(o.error, "Error: fake failure requested");
    assert.ok(!(await exists(`${outRoot}/fake-exp/metrics.json`)));
    const m = await readManifest(`${outRoot}/fake-exp`);
    assert.equal(m?.status, "failed");
    assert.equal(m?.error, "Error: fake failure requested");
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("bad metrics or a bad chart spec fail the run with a clear error", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const base = fakeExperiment();
    const badMetrics = {
      ...base,
      name: "bad-metrics",
      run: () => Promise.resolve({ metrics: { list: [1, 2] as unknown as number } }),
    };
    const o1 = await runExperiment(badMetrics, resolveConfig(base), { outRoot, write: () => {} });
    assert.equal(o1.status, "failed");
    assert.match(o1.error!, /InvalidArgumentError: metric "list" is an array/);
    const badChart = {
      ...base,
      name: "bad-chart",
      run: () =>
        Promise.resolve({
          metrics: {},
          charts: [{ name: "c", title: "C", spec: { mark: { type: "nonsense" } } }],
        }),
    };
    const o2 = await runExperiment(badChart, resolveConfig(base), { outRoot, write: () => {} });
    assert.match(o2.error!, /chart "c": chart: invalid vega-lite spec/);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("runSuite: Ctrl-C (abort) marks the run interrupted, keeps its results, skips the rest", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const controller = new AbortController();
    const first = fakeExperiment("first", { onStep: (s) => s === 2 && controller.abort() });
    const second = fakeExperiment("second");
    const cfg = resolveConfig(first, { sets: ["steps=10"] });
    const outcomes = await runSuite(
      [{ experiment: first, config: cfg }, { experiment: second, config: cfg }],
      { outRoot, signal: controller.signal, write: () => {}, planned: [] },
    );
    assert.deepEqual(outcomes.map((o) => [o.name, o.status]), [["first", "interrupted"]]);
    const record = await readRunRecord(`${outRoot}/first`);
    assert.equal(record?.steps_run, 3);
    assert.equal((await readManifest(`${outRoot}/first`))?.status, "interrupted");
    assert.ok(!(await exists(`${outRoot}/second`)));
    const html = await Deno.readTextFile(`${outRoot}/report.html`);
    assert.match(html, /id="exp-first"/);
    assert.match(html, /badge interrupted/);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});
