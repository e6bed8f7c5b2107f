import assert from "node:assert/strict";
import {
  writeFileAtomic,
  writeJsonAtomic,
  writeTextFileAtomic,
} from "../../src/report/atomic_write.ts";

async function tmpFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".tmp")) out.push(e.name);
  return out;
}

Deno.test("atomic writes replace the file and leave no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTextFileAtomic(`${dir}/a.txt`, "old");
    await writeTextFileAtomic(`${dir}/a.txt`, "new");
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "new");
    await writeJsonAtomic(`${dir}/m.json`, { x: 1, s: "y" });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/m.json`)), { x: 1, s: "y" });
    assert.deepEqual(await tmpFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reader never sees a half-written file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.bin`;
    const old = new Uint8Array(1 << 20).fill(1);
    const next = new Uint8Array(8 << 20).fill(2);
    await writeFileAtomic(path, old);
    const writing = writeFileAtomic(path, next);
    let reads = 0;
    let done = false;
    writing.then(() => (done = true));
    while (!done) {
      const got = await Deno.readFile(path);
      reads++;
      const ok = (got.length === old.length && got.every((b) => b === 1)) ||
        (got.length === next.length && got[0] === 2 && got[got.length - 1] === 2);
      assert.ok(ok, `read ${got.length} bytes: neither the old nor the new file`);
    }
    await writing;
    assert.ok(reads >= 1);
    assert.equal((await Deno.readFile(path)).length, next.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed write keeps the old file and removes its temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The target is a non-empty directory: the rename fails after the temp file is written.
    await Deno.mkdir(`${dir}/target`);
    await Deno.writeTextFile(`${dir}/target/keep.txt`, "kept");
    await assert.rejects(writeTextFileAtomic(`${dir}/target`, "data"));
    assert.equal(await Deno.readTextFile(`${dir}/target/keep.txt`), "kept");
    assert.deepEqual(await tmpFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
