import assert from "node:assert/strict";
import { createProgress, formatDuration } from "../../src/report/progress.ts";

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

Deno.test("plain mode: periodic lines with ETA, then a done line", () => {
  const clock = fakeClock();
  const lines: string[] = [];
  const p = createProgress("train", 100, {
    tty: false,
    write: (s) => lines.push(s),
    now: clock.now,
    intervalMs: 5000,
  });
  for (let i = 0; i < 100; i++) {
    clock.advance(200); // 20 s in total
    p.tick();
  }
  p.done();
  p.done(); // idempotent
  // lines at 5, 10, 15 s (and maybe 20 s) plus the final one; no carriage returns
  assert.ok(lines.length >= 4 && lines.length <= 5, lines.join(""));
  assert.equal(lines[0], "train: 25% 25/100 5s ETA 15s\n");
  assert.equal(lines.at(-1), "train: 100/100 done in 20s\n");
  assert.ok(lines.every((l) => !l.includes("\r")));
});

Deno.test("tty mode: a redrawn bar, throttled, ending with a newline", () => {
  const clock = fakeClock();
  let out = "";
  const p = createProgress("sample", 10, {
    tty: true,
    write: (s) => (out += s),
    now: clock.now,
    barWidth: 10,
  });
  for (let i = 0; i < 10; i++) {
    clock.advance(i === 4 ? 500 : 10);
    p.tick();
  }
  p.done();
  const frames = out.split("\r\x1b[K").filter(Boolean);
  // initial frame, the frame after the 500 ms gap, the final frame
  assert.equal(frames.length, 3, JSON.stringify(frames));
  assert.equal(frames[0], "sample [░░░░░░░░░░] 0% 0/10 0s");
  assert.equal(frames[1], "sample [█████░░░░░] 50% 5/10 1s ETA 1s");
  assert.equal(frames[2], "sample 10/10 done in 1s\n");
});

Deno.test("unknown totals count without percentages; bad totals throw", () => {
  const lines: string[] = [];
  const p = createProgress("scan", 0, { tty: false, write: (s) => lines.push(s) });
  p.tick(7);
  p.done();
  assert.match(lines.at(-1)!, /^scan: 7 done in \d+s\n$/);
  assert.throws(() => createProgress("x", -1), { name: "InvalidArgumentError" });
  assert.throws(() => createProgress("x", NaN), /total must be a finite number/);
});

Deno.test("formatDuration", () => {
  assert.equal(formatDuration(0.4), "0s");
  assert.equal(formatDuration(59.6), "1m00s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
  assert.equal(formatDuration(Infinity), "?");
});
