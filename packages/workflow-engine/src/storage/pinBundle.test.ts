import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { bundleStoreDir, pinBundle } from "./pinBundle.js";
import { runPaths } from "./runPaths.js";

function runBundle(projectPath: string, runId: string): string {
  const { root } = runPaths(projectPath, runId);
  mkdirSync(root, { recursive: true });
  return join(root, "bundle.mjs");
}

describe("pinBundle", () => {
  it("gives runs of one bundle one file on disk, and each run the whole bundle", () => {
    const projectPath = tempDir("pin");
    const text = `export default ${JSON.stringify("x".repeat(10_000))};\n`;
    const a = runBundle(projectPath, "run-a");
    const b = runBundle(projectPath, "run-b");
    pinBundle(projectPath, a, text);
    pinBundle(projectPath, b, text);
    expect(readFileSync(a, "utf8")).toBe(text);
    expect(readFileSync(b, "utf8")).toBe(text);
    expect(statSync(a).ino).toBe(statSync(b).ino);
    // The store's copy and the two runs' names.
    expect(statSync(a).nlink).toBe(3);
    expect(readdirSync(bundleStoreDir(projectPath))).toHaveLength(1);
    // No temporary names are left beside the runs' files.
    expect(readdirSync(runPaths(projectPath, "run-a").root)).toEqual(["bundle.mjs"]);

    const other = runBundle(projectPath, "run-c");
    pinBundle(projectPath, other, "export default 2;\n");
    expect(statSync(other).ino).not.toBe(statSync(a).ino);
  });

  it("keeps a run's bundle when the run folders sharing it or the store are removed", () => {
    const projectPath = tempDir("pin");
    const a = runBundle(projectPath, "run-a");
    const b = runBundle(projectPath, "run-b");
    pinBundle(projectPath, a, "export default 1;\n");
    pinBundle(projectPath, b, "export default 1;\n");
    rmSync(runPaths(projectPath, "run-a").root, { recursive: true });
    rmSync(bundleStoreDir(projectPath), { recursive: true });
    expect(readFileSync(b, "utf8")).toBe("export default 1;\n");
    // The next pin starts the store again.
    const c = runBundle(projectPath, "run-c");
    pinBundle(projectPath, c, "export default 1;\n");
    expect(readFileSync(c, "utf8")).toBe("export default 1;\n");
  });

  it("drops store copies no run links to any more", () => {
    const projectPath = tempDir("pin");
    const old = runBundle(projectPath, "old");
    pinBundle(projectPath, old, "export default 'old';\n");
    rmSync(runPaths(projectPath, "old").root, { recursive: true });
    pinBundle(projectPath, runBundle(projectPath, "new"), "export default 'new';\n");
    expect(readdirSync(bundleStoreDir(projectPath))).toHaveLength(1);
    expect(
      readFileSync(
        join(bundleStoreDir(projectPath), readdirSync(bundleStoreDir(projectPath))[0] ?? ""),
        "utf8",
      ),
    ).toBe("export default 'new';\n");
  });

  it("never hands on a store copy that was changed by hand", () => {
    const projectPath = tempDir("pin");
    const text = "export default 'real';\n";
    const first = runBundle(projectPath, "first");
    pinBundle(projectPath, first, text);
    const [name] = readdirSync(bundleStoreDir(projectPath));
    const shared = join(bundleStoreDir(projectPath), name ?? "");
    rmSync(shared);
    writeFileSync(shared, "export default 'tampered';\n");
    const second = runBundle(projectPath, "second");
    pinBundle(projectPath, second, text);
    expect(readFileSync(second, "utf8")).toBe(text);
    expect(readFileSync(first, "utf8")).toBe(text);
  });

  it("writes a copy of its own where the store cannot be made", () => {
    const projectPath = tempDir("pin");
    const target = runBundle(projectPath, "run");
    // A file where the store's folder belongs.
    writeFileSync(bundleStoreDir(projectPath), "in the way");
    pinBundle(projectPath, target, "export default 3;\n");
    expect(readFileSync(target, "utf8")).toBe("export default 3;\n");
    expect(statSync(target).nlink).toBe(1);
    expect(readdirSync(runPaths(projectPath, "run").root)).toEqual(["bundle.mjs"]);
  });
});
