import assert from "node:assert/strict";
import { z } from "zod";
import { coerceValue, configFields, describeType, resolveConfig } from "../../src/report/config.ts";
import { fakeExperiment } from "./fake_experiment.ts";

const exp = fakeExperiment();

Deno.test("resolveConfig: defaults, presets, then --set", () => {
  assert.deepEqual(resolveConfig(exp), {
    steps: 20,
    lr: 0.1,
    mode: "fast",
    widths: [8, 16],
    fail: false,
    label: "fake",
  });
  assert.equal(resolveConfig(exp, { preset: "quick" }).steps, 5);
  assert.equal(resolveConfig(exp, { preset: "full" }).steps, 200);
  const c = resolveConfig(exp, {
    preset: "quick",
    sets: ["steps=7", "lr=1e-3", "mode=slow", "widths=[4, 8]", "fail=false", "label=123"],
  });
  assert.deepEqual(c, {
    steps: 7,
    lr: 0.001,
    mode: "slow",
    widths: [4, 8],
    fail: false,
    label: "123",
  });
  assert.deepEqual(resolveConfig(exp, { sets: ["widths=1, 2,3"] }).widths, [1, 2, 3]);
});

Deno.test("resolveConfig: a bad value names the key, the value and the expected type", () => {
  const cases: [string, RegExp][] = [
    [
      "steps=abc",
      /^invalid value for "steps" in experiment "fake-exp": got "abc", expected integer > 0$/,
    ],
    ["steps=-3", /"steps".*got "-3", expected integer > 0/],
    ["steps=2.5", /"steps".*got "2\.5", expected integer > 0/],
    ["mode=medium", /"mode".*got "medium", expected one of "fast" \| "slow"/],
    ["fail=maybe", /"fail".*got "maybe", expected boolean/],
    ["widths=1,x", /"widths".*got "1,x", expected integer > 0\[\] \(at widths\.1: /],
  ];
  for (const [set, re] of cases) {
    assert.throws(() => resolveConfig(exp, { sets: [set] }), (e: Error) => {
      assert.equal(e.name, "InvalidArgumentError");
      assert.match(e.message, re);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  }
});

Deno.test("resolveConfig: unknown key lists the known ones; malformed --set", () => {
  assert.throws(() => resolveConfig(exp, { sets: ["stpes=3"] }), {
    name: "UnknownNameError",
    message:
      'unknown config key "stpes" for experiment "fake-exp"; expected one of: steps, lr, mode, widths, fail, label',
  });
  assert.throws(() => resolveConfig(exp, { sets: ["steps"] }), /--set "steps": expected key=value/);
});

Deno.test("resolveConfig: a broken preset is reported as such", () => {
  const broken = { ...exp, presets: { quick: { steps: 0 }, full: {} } };
  assert.throws(
    () => resolveConfig(broken, { preset: "quick" }),
    /invalid config for experiment "fake-exp" \(quick preset\): steps: /,
  );
});

Deno.test("configFields and describeType", () => {
  const fields = configFields(exp.schema);
  assert.deepEqual(fields.map((f) => [f.name, f.type, f.default]), [
    ["steps", "integer > 0", 20],
    ["lr", "number > 0", 0.1],
    ["mode", 'one of "fast" | "slow"', "fast"],
    ["widths", "integer > 0[]", [8, 16]],
    ["fail", "boolean", false],
    ["label", "string", "fake"],
  ]);
  assert.equal(describeType({ type: "number", minimum: 0, maximum: 1 }), "number >= 0 and <= 1");
  const described = configFields(z.strictObject({ x: z.number().describe("the x").default(1) }));
  assert.equal(described[0].description, "the x");
});

Deno.test("coerceValue follows the expected type", () => {
  assert.equal(coerceValue("3", { type: "number" }), 3);
  assert.equal(coerceValue("abc", { type: "number" }), "abc");
  assert.equal(coerceValue(" ", { type: "integer" }), " ");
  assert.equal(coerceValue("off", { type: "boolean" }), false);
  assert.deepEqual(coerceValue("", { type: "array" }), []);
  assert.deepEqual(coerceValue('{"a":1}', { type: "object" }), { a: 1 });
  assert.equal(coerceValue("x", {}), "x");
});
