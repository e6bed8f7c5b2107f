import assert from "node:assert/strict";
import { type CliOptions, main } from "../cli.ts";
import { fakeExperiment } from "./report/fake_experiment.ts";

const planned = [{ name: "sde-gmm", module: "sde", description: "Score SDE on a GMM" }];

/** Runs the CLI in-process with the fake experiment registered (only here). */
async function cli(args: string[], extra: Partial<CliOptions> = {}) {
  let out = "";
  let err = "";
  const code = await main(args, {
    experiments: [fakeExperiment(), fakeExperiment("other-exp")],
    planned,
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    adapter: () =>
      Promise.resolve({
        description: "Fake GPU",
        vendor: "test",
        architecture: "none",
        isFallback: true,
        backend: "vulkan",
        features: ["shader-f16", "timestamp-query"],
        limits: { maxBufferSize: 1024, maxComputeWorkgroupSizeX: 256 },
      }),
    signal: new AbortController().signal,
    ...extra,
  });
  return { code, out, err };
}

/** Asserts a usage error: exit 2 and exactly one line on stderr matching `re`. */
function assertUsage(r: { code: number; out: string; err: string }, re: RegExp) {
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.trimEnd().split("\n").length, 1, `one line: ${JSON.stringify(r.err)}`);
  assert.match(r.err, re);
  assert.equal(r.out, "");
}

Deno.test("help on every command, exit 0", async () => {
  for (const args of [["--help"], ["run", "--help"], ["list", "-h"], ["info", "--help"]]) {
    const r = await cli(args);
    assert.equal(r.code, 0);
    assert.match(r.out, /^(gpusci \d|Usage: gpusci)/);
  }
  assert.match((await cli(["run", "--help"])).out, /--set key=value/);
  assert.equal((await cli([])).code, 2);
  assert.match((await cli(["--version"])).out, /^gpusci \d+\.\d+\.\d+/);
});

Deno.test("usage errors: bad flag, unknown command/experiment, bad seed, exit 2", async () => {
  assertUsage(await cli(["run", "fake-exp", "--fast"]), /^error: unknown option --fast for "run"/);
  assertUsage(await cli(["run", "fake-exp", "--seed"]), /option '--seed <value>' argument missing/);
  assertUsage(await cli(["lsit"]), /unknown command "lsit" \(did you mean "list"\?\)/);
  assertUsage(
    await cli(["run", "fake-ex"]),
    /^error: unknown experiment "fake-ex" \(did you mean "fake-exp"\?\); expected "all" or one of: fake-exp, other-exp\n$/,
  );
  assertUsage(await cli(["run", "sde-gmm"]), /experiment "sde-gmm" is not yet implemented/);
  assertUsage(await cli(["run"]), /run needs an experiment name or "all"/);
  assertUsage(await cli(["run", "a", "b"]), /run takes one experiment name or "all"/);
  assertUsage(
    await cli(["run", "fake-exp", "--seed=-1"]),
    /invalid --seed "-1": expected a non-negative integer/,
  );
  assertUsage(await cli(["run", "fake-exp", "--seed", "1.5"]), /invalid --seed "1.5"/);
  assertUsage(
    await cli(["run", "fake-exp", "--seed", "-1"]),
    /option '--seed' argument is ambiguous/,
  );
  assertUsage(
    await cli(["run", "fake-exp", "--quick", "--full"]),
    /--quick and --full cannot be used together/,
  );
});

Deno.test("bad --set: one line naming the key, the value and the expected type, exit 2", async () => {
  assertUsage(
    await cli(["run", "fake-exp", "--set", "steps=many"]),
    /^error: invalid value for "steps" in experiment "fake-exp": got "many", expected integer > 0\n$/,
  );
  assertUsage(
    await cli(["run", "fake-exp", "--set", "mode=turbo"]),
    /got "turbo", expected one of "fast" \| "slow"/,
  );
  assertUsage(
    await cli(["run", "fake-exp", "--set", "stepz=3"]),
    /unknown config key "stepz" for experiment "fake-exp"; expected one of: steps, lr/,
  );
  assertUsage(
    await cli(["run", "fake-exp", "--set", "steps"]),
    /--set "steps": expected key=value/,
  );
  assertUsage(
    await cli(["run", "all", "--set", "steps=3"]),
    /with "run all", write <experiment>\.steps=value/,
  );
  assertUsage(
    await cli(["run", "fake-exp", "--set", "other-exp.steps=3"]),
    /names experiment "other-exp", which is not being run/,
  );
});

Deno.test("list shows experiments, config fields with presets, and planned ones", async () => {
  const r = await cli(["list"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^fake-exp {2}\(test\)\n {2}Decays a loss/);
  assert.match(r.out, /steps +integer > 0 +20 +5 +200/);
  assert.match(r.out, /mode +one of "fast" \| "slow" +"fast"/);
  assert.match(r.out, /not yet implemented:\n {2}sde-gmm {2}\(sde\) Score SDE on a GMM/);
  const json = JSON.parse((await cli(["list", "--json"])).out);
  assert.equal(json.experiments[0].fields[0].name, "steps");
  assert.equal(json.planned[0].status, "not yet implemented");
});

Deno.test("info prints the adapter, backend, features and limits", async () => {
  const r = await cli(["info"]);
  assert.equal(r.code, 0);
  for (
    const re of [
      /adapter +Fake GPU/,
      /backend +vulkan/,
      /features +shader-f16, timestamp-query/,
      /maxBufferSize +1024/,
      /deno +\d/,
    ]
  ) {
    assert.match(r.out, re);
  }
  const json = JSON.parse((await cli(["info", "--json"])).out);
  assert.equal(json.adapter.description, "Fake GPU");
  const none = await cli(["info"], { adapter: () => Promise.resolve(null) });
  assert.match(none.out, /adapter +none: no WebGPU adapter found/);
});

Deno.test("run all --quick: the whole path through the CLI, summary and report", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const r = await cli([
      "run",
      "all",
      "--quick",
      "--seed",
      "3",
      "--out",
      outRoot,
      "--set",
      "fake-exp.steps=4",
    ]);
    assert.equal(r.code, 0, r.err);
    // each experiment's tables as aligned text, then the summary table
    assert.match(
      r.out,
      /^fake-exp: Final loss by width\nstep +width +loss\n─+ +─+ +─+\n +3 +8 +0\.\d+$/m,
    );
    const all = r.out.trimEnd().split("\n");
    const lines = all.slice(all.findIndex((l) => /^experiment +status/.test(l)));
    assert.match(lines[0], /^experiment +status +key metric +value +seconds$/);
    assert.match(lines[2], /^fake-exp +ok +final_loss +0\.\d+ +\d/);
    assert.match(lines[3], /^other-exp +ok +final_loss/);
    assert.match(lines[4], /^sde-gmm +not yet implemented$/);
    assert.equal(lines.at(-1), `report: ${outRoot}/report.html`);
    assert.match(
      r.err,
      /running 2 experiments \(quick preset, seed 3\) on Fake GPU \[vulkan, fallback\]/,
    );
    assert.match(r.err, /\[fake-exp\] training: 4\/4 done in/);
    const m = JSON.parse(await Deno.readTextFile(`${outRoot}/fake-exp/metrics.json`));
    assert.equal(m.steps_run, 4);
    assert.equal(m.seed, 3);
    assert.equal(m.adapter, "Fake GPU [vulkan, fallback]");
    assert.equal(
      JSON.parse(await Deno.readTextFile(`${outRoot}/other-exp/metrics.json`)).steps_run,
      5,
    );
    const html = await Deno.readTextFile(`${outRoot}/report.html`);
    for (const name of ["fake-exp", "other-exp", "sde-gmm"]) assert.ok(html.includes(name), name);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("run --json prints outcomes; a failing experiment exits 1", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const ok = await cli(["run", "fake-exp", "--out", outRoot, "--json", "--set", "steps=2"]);
    assert.equal(ok.code, 0);
    const json = JSON.parse(ok.out);
    assert.equal(json.outcomes[0].status, "ok");
    assert.equal(json.outcomes[0].metrics.steps_run, 2);
    assert.equal(json.preset, "default");
    const bad = await cli(["run", "fake-exp", "--out", outRoot, "--set", "fail=true"]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /fake-exp +failed/);
    assert.match(bad.err, /\[fake-exp\] failed in [\d.]+s: Error: fake failure requested/);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("Ctrl-C (abort) stops cleanly: exit 130, results kept, report written", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const controller = new AbortController();
    const slow = fakeExperiment("fake-exp", { onStep: (s) => s === 1 && controller.abort() });
    const r = await cli(["run", "all", "--out", outRoot, "--set", "fake-exp.steps=50"], {
      experiments: [slow, fakeExperiment("other-exp")],
      signal: controller.signal,
    });
    assert.equal(r.code, 130);
    assert.match(r.out, /fake-exp +interrupted/);
    assert.match(r.out, /not run \(interrupted\): other-exp/);
    const m = JSON.parse(await Deno.readTextFile(`${outRoot}/fake-exp/metrics.json`));
    assert.equal(m.steps_run, 2);
    assert.match(await Deno.readTextFile(`${outRoot}/report.html`), /badge interrupted/);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("the real CLI process: demo with the real registry, and exit codes", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const run = async (...args: string[]) => {
      const p = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli.ts", ...args],
        env: { RUST_BACKTRACE: "0" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: p.code, out: dec.decode(p.stdout), err: dec.decode(p.stderr) };
    };
    // The demo path with the real registry, its five slowest experiments cut down (CI time:
    // their own tests cover them at tiny scale; `deno task demo` runs the real quick presets).
    const smaller = [
      "sde-mnist.trainSteps=100",
      "sde-mnist.steps=50",
      "bnn-ess.steps=160",
      "bnn-ess.warmup=40",
      "lopt-train.iterations=10",
      "sde-gmm.trainSteps=100",
      "sde-gmm.steps=50",
      "nngp-mnist.cnnTrainSize=50",
      "nngp-mnist.cnnTestSize=100",
    ].flatMap((s) => ["--set", s]);
    const demo = await run("run", "all", "--quick", "--out", outRoot, ...smaller);
    assert.equal(demo.code, 0, demo.err);
    const { plannedExperiments } = await import("../src/experiments.ts");
    for (const p of plannedExperiments) {
      assert.match(demo.out, new RegExp(`^${p.name} +not yet implemented$`, "m"));
    }
    assert.ok((await Deno.stat(`${outRoot}/report.html`)).isFile);
    const bad = await run("run", "no-such-experiment");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^error: unknown experiment "no-such-experiment"/m);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test({
  name: "a real SIGINT stops the run cleanly (exit 130, metrics and report kept)",
  ignore: Deno.build.os === "windows",
  async fn() {
    const outRoot = await Deno.makeTempDir();
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tests/report/sigint_fixture.ts", "run", "slow-exp", "--out", outRoot],
        env: { RUST_BACKTRACE: "0" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stdout = new Response(child.stdout).text();
      let err = "";
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      while (!err.includes("[slow-exp] started")) {
        const { value, done } = await reader.read();
        if (done) break;
        err += value;
      }
      child.kill("SIGINT");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        err += value;
      }
      const { code } = await child.status;
      assert.equal(code, 130, err);
      assert.match(err, /interrupted: stopping after the current step/);
      assert.match(await stdout, /slow-exp +interrupted/);
      const m = JSON.parse(await Deno.readTextFile(`${outRoot}/slow-exp/metrics.json`));
      assert.ok(m.ticks >= 3 && m.ticks < 10_000);
      const run = JSON.parse(await Deno.readTextFile(`${outRoot}/slow-exp/run.json`));
      assert.equal(run.status, "interrupted");
      assert.match(await Deno.readTextFile(`${outRoot}/report.html`), /slow-exp/);
    } finally {
      await Deno.remove(outRoot, { recursive: true });
    }
  },
});

Deno.test("long tables are printed truncated, pointing at the CSV", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const base = fakeExperiment("long-table");
    const { from } = await import("arquero");
    const long = {
      ...base,
      run: () =>
        Promise.resolve({
          metrics: { final_loss: 1 },
          tables: [{
            name: "rows",
            title: "Many rows",
            table: from(Array.from({ length: 25 }, (_, i) => ({ i }))),
          }],
        }),
    };
    const r = await cli(["run", "long-table", "--out", outRoot], { experiments: [long] });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^long-table: Many rows\n/m);
    assert.match(r.out, /^19\n… 5 more rows in .*long-table\/rows\.csv$/m);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("an experiment marked notInRunAll: skipped by run all (said why), run by name", async () => {
  const gpu = { ...fakeExperiment("gpu-exp"), notInRunAll: "its quick preset is sized for a GPU" };
  const experiments = [fakeExperiment(), gpu];
  const outRoot = await Deno.makeTempDir();
  try {
    const all = await cli(["run", "all", "--quick", "--out", outRoot, "--json"], { experiments });
    assert.equal(all.code, 0, all.err);
    assert.match(all.err, /running 1 experiment /);
    assert.match(
      all.err,
      /\[gpu-exp\] not in "run all" \(its quick preset is sized for a GPU\); run it by name/,
    );
    const json = JSON.parse(all.out);
    assert.deepEqual(
      json.outcomes.filter((o: { status: string }) => o.status !== "planned")
        .map((o: { name: string }) => o.name),
      ["fake-exp"],
    );
    assert.deepEqual(json.notInRunAll, ["gpu-exp"]);
    assertUsage(
      await cli(["run", "all", "--out", outRoot, "--set", "gpu-exp.steps=2"], { experiments }),
      /names experiment "gpu-exp", which is not being run \("run all" skips it: run it by name\)/,
    );
    const one = await cli(["run", "gpu-exp", "--out", outRoot, "--set", "steps=2"], {
      experiments,
    });
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, /gpu-exp +ok/);
    const list = await cli(["list"], { experiments });
    assert.match(list.out, /gpu-exp {2}\(test\)\n.*\n.*\n {2}not in "run all": its quick preset/);
    const listJson = JSON.parse((await cli(["list", "--json"], { experiments })).out);
    assert.equal(listJson.experiments[1].notInRunAll, "its quick preset is sized for a GPU");
    assert.equal(listJson.experiments[0].notInRunAll, undefined);
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});
