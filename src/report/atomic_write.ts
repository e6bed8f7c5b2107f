/**
 * Atomic file writes: write a temporary file beside the target, then rename it over
 * the target, so a reader (or an interrupted run) never sees a half-written file.
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeTextFileAtomic(`${dir}/hello.txt`, "hello\n");
 * console.log(await Deno.readTextFile(`${dir}/hello.txt`)); // "hello\n"
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

/**
 * Writes `data` to `path` atomically (temp file in the same directory + rename).
 * The temporary file is removed if the write fails.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/b.bin`, new Uint8Array([1, 2, 3]));
 * console.log((await Deno.readFile(`${dir}/b.bin`)).length); // 3
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Writes UTF-8 text to `path` atomically.
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeTextFileAtomic(`${dir}/a.md`, "# title\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeTextFileAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}

/**
 * Writes a value as pretty-printed JSON to `path` atomically.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await writeJsonAtomic(`${dir}/m.json`, { accuracy: 0.9 });
 * console.log(JSON.parse(await Deno.readTextFile(`${dir}/m.json`))); // { accuracy: 0.9 }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeTextFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
