// Renders a report in a real headless browser (Debian's chromium) and checks the
// screenshot. Skipped where chromium is not installed (CI does not install it).
import assert from "node:assert/strict";
import { pngSize } from "../../src/report/png.ts";
import { resolveConfig } from "../../src/report/config.ts";
import { runSuite } from "../../src/report/runner.ts";
import { chromiumPath, screenshot } from "../../scripts/screenshot_report.ts";
import { fakeExperiment } from "./fake_experiment.ts";

Deno.test({
  name: "report.html renders in headless chromium",
  ignore: chromiumPath() === null,
  sanitizeResources: false,
  async fn() {
    const outRoot = await Deno.makeTempDir();
    try {
      const e = fakeExperiment();
      await runSuite([{ experiment: e, config: resolveConfig(e, { preset: "quick" }) }], {
        outRoot,
        write: () => {},
        planned: [{ name: "sde-gmm", module: "sde", description: "planned" }],
      });
      const png = `${outRoot}/shot.png`;
      await screenshot(`${outRoot}/report.html`, png, { width: 1000, height: 1400 });
      const bytes = await Deno.readFile(png);
      assert.deepEqual(pngSize(bytes), { width: 1000, height: 1400 });
      // a blank page compresses to a few kB; a rendered report with a chart does not
      assert.ok(bytes.length > 40_000, `screenshot is ${bytes.length} bytes`);
    } finally {
      await Deno.remove(outRoot, { recursive: true });
    }
  },
});
