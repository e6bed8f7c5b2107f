import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  readRunRecord,
  runRecord,
  validateMetrics,
  writeRunRecord,
} from "../../src/report/run_record.ts";
import { GPUSCI_VERSION } from "../../src/report/version.ts";

const meta = {
  experiment: "x",
  preset: "quick",
  adapter: "llvmpipe",
  seed: 3,
  config: { steps: 5, widths: [1, 2] },
  started: "2025-01-01T00:00:00.000Z",
  seconds: 1.25,
};

Deno.test("runRecord: metrics plus adapter, seed, config, gpusci_version, started, seconds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = runRecord({ acc: 0.9, name: "ok", by_width: { "32": 1.5 }, bad: NaN }, meta);
    await writeRunRecord(dir, r);
    const back = await readRunRecord(dir);
    assert.deepEqual(back, {
      acc: 0.9,
      name: "ok",
      by_width: { "32": 1.5 },
      bad: "NaN",
      ...meta,
      gpusci_version: GPUSCI_VERSION,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validateMetrics rejects nesting, arrays, booleans and reserved names", () => {
  assert.throws(() => validateMetrics({ a: { b: { c: 1 } } }), {
    name: "InvalidArgumentError",
    message: /metric "a\.b" is an object.*expected a number/,
  });
  assert.throws(() => validateMetrics({ a: [1, 2] }), /metric "a" is an array/);
  assert.throws(() => validateMetrics({ ok: true }), InvalidArgumentError);
  assert.throws(() => validateMetrics({ seed: 1 }), /reserved name/);
  validateMetrics({ a: 1, b: "s", c: { x: 2 } });
});

Deno.test("readRunRecord returns null when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readRunRecord(dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
