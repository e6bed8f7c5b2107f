import assert from "node:assert/strict";
import { adapterSummary, runtime } from "../../mod.ts";

Deno.test("adapterSummary describes the adapter and its limits", async () => {
  const s = await adapterSummary();
  assert.ok(s, "this machine has an adapter (tests need one)");
  assert.equal(typeof s.description, "string");
  assert.ok(s.limits.maxStorageBufferBindingSize > 0);
  assert.ok(Array.isArray(s.features));
  assert.ok(runtime().summary.description.length > 0);
});

/** Runs a script in a fresh Deno process (re-initialising the device would disturb other tests). */
async function runIsolated(code: string): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  const root = new URL("../../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(file, code.replaceAll("GPUSCI", root));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

Deno.test("tensors of a replaced runtime give DeviceMismatchError; a lost device gives DeviceLostError", async () => {
  const out = await runIsolated(`
    import { add, init, runtime, tensor } from "GPUSCI";
    const old = tensor([1, 2]);
    await init();
    try { add(old, 1); console.log("no error"); } catch (e) { console.log("mismatch:", e.name); }
    const t = tensor([1]);
    runtime().device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    try { add(t, 1); console.log("no error"); } catch (e) { console.log("lost:", e.name); }
  `);
  assert.match(out, /mismatch: DeviceMismatchError/);
  assert.match(out, /lost: DeviceLostError/);
});
