import assert from "node:assert/strict";
import { z } from "zod";
import { InvalidArgumentError } from "../../src/errors.ts";
import { operationOptionsShape, parseOptions, probability } from "../../src/text/options.ts";

const schema = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.2),
  name: z.string().default("x"),
});

Deno.test("parseOptions fills defaults", () => {
  assert.deepEqual(parseOptions(schema, undefined, "op"), {
    seed: 0,
    maxOutputs: 1,
    prob: 0.2,
    name: "x",
  });
  assert.deepEqual(parseOptions(schema, { seed: -5, maxOutputs: 3 }, "op").seed, -5);
});

Deno.test("parseOptions errors name the operation, field, value and expectation", () => {
  const cases: [unknown, RegExp][] = [
    [{ prob: -0.1 }, /^op: option prob = -0.1: Too small: expected number to be >=0$/],
    [{ prob: "0.5" }, /^op: option prob = "0.5": .*expected number/],
    [{ maxOutputs: 1001 }, /option maxOutputs = 1001: Too big/],
    [{ seed: Number.MAX_SAFE_INTEGER + 2 }, /option seed = 9007199254740992/],
    [
      { extra: 1, other: 2 },
      /option\(s\) extra, other not recognised; expected keys: seed, maxOutputs, prob, name/,
    ],
    ["text", /options = "text": /],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => parseOptions(schema, options, "op"),
      (e: Error) => e instanceof InvalidArgumentError && message.test(e.message),
      String(options),
    );
  }
});
