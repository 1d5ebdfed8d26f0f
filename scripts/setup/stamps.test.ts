import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildOutdated, dependenciesOutdated, recordBuild, recordDependencies } from "./stamps.mjs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A workspace as pnpm leaves it: a lockfile, two manifests, linked dependencies. */
function installedWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), "phaseboard-stamps-"));
  dirs.push(root);
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "root" }));
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: [apps/*]\n");
  mkdirSync(join(root, "apps", "web"), { recursive: true });
  writeFileSync(
    join(root, "apps", "web", "package.json"),
    JSON.stringify({ name: "web", dependencies: { left: "1.0.0" } }),
  );
  const store = join(root, "node_modules", ".pnpm", "left@1.0.0", "node_modules", "left");
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, "package.json"), JSON.stringify({ name: "left" }));
  writeFileSync(join(root, "node_modules", ".modules.yaml"), "layoutVersion: 5\n");
  mkdirSync(join(root, "apps", "web", "node_modules"));
  symlinkSync(store, join(root, "apps", "web", "node_modules", "left"));
  return root;
}

describe("dependency install stamp", () => {
  it("skips the install when nothing changed since the last finished one", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    expect(dependenciesOutdated(root)).toBeUndefined();
  });

  it("installs when there is no record of a finished install", () => {
    const root = installedWorkspace();
    expect(dependenciesOutdated(root)).toBe("no record of a finished install");
  });

  it("installs when the lockfile changed since the last install", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n# changed\n");
    expect(dependenciesOutdated(root)).toBe("the lockfile or a package.json changed");
  });

  it("installs when a workspace package.json changed", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    writeFileSync(
      join(root, "apps", "web", "package.json"),
      JSON.stringify({ name: "web", dependencies: { left: "1.0.1" } }),
    );
    expect(dependenciesOutdated(root)).toBe("the lockfile or a package.json changed");
  });

  it("skips the install when only a script of a package.json changed", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "root", scripts: { typecheck: "tsc" } }),
    );
    expect(dependenciesOutdated(root)).toBeUndefined();
  });

  it("repairs a corrupt node_modules: a dependency link is gone", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    rmSync(join(root, "node_modules", ".pnpm"), { recursive: true });
    expect(dependenciesOutdated(root)).toBe(
      "node_modules is incomplete (apps/web/node_modules/left is missing)",
    );
  });

  it("installs when node_modules was removed", () => {
    const root = installedWorkspace();
    recordDependencies(root);
    rmSync(join(root, "node_modules"), { recursive: true });
    expect(dependenciesOutdated(root)).toBe("not installed");
  });
});

describe("build stamp", () => {
  function built() {
    const root = mkdtempSync(join(tmpdir(), "phaseboard-build-"));
    dirs.push(root);
    const input = join(root, "main.ts");
    const output = join(root, "main.mjs");
    const stamp = join(root, ".stamp.json");
    writeFileSync(input, "export const a = 1;\n");
    writeFileSync(output, "export const a = 1;\n");
    recordBuild(stamp, output, [input], "esbuild:1");
    return { input, output, stamp };
  }

  it("keeps a build whose sources and recipe are unchanged", () => {
    const { output, stamp } = built();
    expect(buildOutdated(stamp, output, "esbuild:1")).toBeUndefined();
  });

  it("rebuilds when a source changed", () => {
    const { input, output, stamp } = built();
    writeFileSync(input, "export const a = 2;\n");
    expect(buildOutdated(stamp, output, "esbuild:1")).toBe("its sources changed");
  });

  it("rebuilds when the bundler changed", () => {
    const { output, stamp } = built();
    expect(buildOutdated(stamp, output, "esbuild:2")).toBe("its sources changed");
  });

  it("rebuilds a half-finished build: the output is not the one recorded", () => {
    const { output, stamp } = built();
    writeFileSync(output, "export const");
    expect(buildOutdated(stamp, output, "esbuild:1")).toBe("the last build did not finish");
  });

  it("accepts an output another tool rebuilt from the same sources, when told to", () => {
    const { output, stamp } = built();
    writeFileSync(output, "export const a = 1; // rebuilt\n");
    expect(buildOutdated(stamp, output, "esbuild:1", { checkOutput: false })).toBeUndefined();
  });

  it("rebuilds when the output or its record is missing", () => {
    const { output, stamp } = built();
    rmSync(stamp);
    expect(buildOutdated(stamp, output, "esbuild:1")).toBe("no record of a finished build");
    rmSync(output);
    expect(buildOutdated(stamp, output, "esbuild:1")).toBe("not built");
  });
});
