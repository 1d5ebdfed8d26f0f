import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { MemoryWorkflowContext } from "../testing/MemoryWorkflowContext.js";
import type { LoadedTemplate } from "../types/definition.js";
import { describeTemplate } from "./describeTemplate.js";
import { discoverTemplates } from "./discoverTemplates.js";
import { loadDefinitionFromSnapshot } from "./loadDefinitionFromSnapshot.js";
import { loadTemplate, SNAPSHOT_BUNDLE_FILE } from "./loadTemplate.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/templates/", import.meta.url));
const repoDefinitions = fileURLToPath(
  new URL("../../../../.agent/workflows/definitions/", import.meta.url),
);

function ok(loaded: LoadedTemplate): Extract<LoadedTemplate, { ok: true }> {
  if (!loaded.ok) throw new Error(`expected the template to load: ${loaded.error.message}`);
  return loaded;
}

function failed(loaded: LoadedTemplate): Extract<LoadedTemplate, { ok: false }> {
  if (loaded.ok) throw new Error(`expected ${loaded.path} to fail`);
  return loaded;
}

// A template in a folder of its own, outside this repository: its imports must still resolve.
function writeTemplate(dir: string, name: string, phases: string[]): string {
  const file = join(dir, "greet.ts");
  writeFileSync(
    file,
    `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
export default defineWorkflow({
  name: ${JSON.stringify(name)},
  phases: ${JSON.stringify(phases)},
  argsSchema: z.object({ who: z.string(), times: z.number().int().default(1) }),
  async execute(ctx) {
    const hello = await ctx.step("hello", { phase: ${JSON.stringify(phases[0])}, type: "function", fn: () => "hello " + ctx.args.who });
    return hello.data;
  },
});
`,
  );
  return file;
}

describe("loadTemplate for TypeScript", () => {
  it("loads seed 004's implement-feature.ts and runs it against a context with a fake agent", async () => {
    const shipped = readFileSync(join(repoDefinitions, "implement-feature.ts"), "utf8");
    expect(readFileSync(join(fixtures, "valid/implement-feature.ts"), "utf8")).toBe(shipped);
    const loaded = ok(await loadTemplate(join(repoDefinitions, "implement-feature.ts")));
    expect(loaded.format).toBe("code");
    expect(loaded.identifier).toBe("implement-feature");
    expect(loaded.definition.name).toBe("Implement Feature");
    expect(loaded.definition.phases).toEqual(["research", "plan", "implement", "test"]);
    expect(loaded.definition.argsSchema).toMatchObject({
      type: "object",
      properties: { featureName: { type: "string" }, requirements: { type: "string" } },
      required: ["featureName", "requirements"],
    });
    const prompts: string[] = [];
    const ctx = new MemoryWorkflowContext({
      args: { featureName: "dark mode", requirements: "toggle in settings" },
      agent: (_key, config) => {
        prompts.push(config.prompt);
        return { text: "done" };
      },
      script: () => ({ exitCode: 0, stdout: "", stderr: "" }),
    });
    await loaded.definition.execute(ctx);
    expect(ctx.stepKeys).toEqual([
      "research-codebase",
      "create-spec",
      "implement",
      "run-tests",
      "build",
    ]);
    expect(prompts[1]).toBe(
      "Create a spec for implementing dark mode. Requirements: toggle in settings",
    );
    expect(ctx.calls.at(-1)).toEqual({
      method: "comment",
      text: "Feature implementation complete!",
    });
  });

  it("resolves @phaseboard/workflow-engine and zod for a template outside this repository", async () => {
    const dir = tempDir("template");
    const loaded = ok(await loadTemplate(writeTemplate(dir, "Greet", ["work"])));
    expect(loaded.definition.argsSchema).toMatchObject({
      required: ["who"],
      properties: { times: { default: 1 } },
    });
    expect(
      await loaded.definition.execute(new MemoryWorkflowContext({ args: { who: "Ada" } })),
    ).toBe("hello Ada");
  });

  it("keeps zod out of a template's bundle and imports the engine's own copy", async () => {
    const dir = tempDir("template");
    const loaded = ok(await loadTemplate(writeTemplate(dir, "Greet", ["work"])));
    if (!("bundle" in loaded) || typeof loaded.bundle !== "string") throw new Error("no bundle");
    expect(loaded.bundle).toMatch(/from "zod"/);
    // zod's own code (its core defines `$constructor`) is not in the bundle.
    expect(loaded.bundle).not.toContain("$constructor");
    expect(loaded.bundle.length).toBeLessThan(20_000);
    // A pinned bundle imported afresh (another text, so not the cached module) finds zod.
    const pinned = await loadDefinitionFromSnapshot(
      JSON.parse(JSON.stringify(loaded.snapshot)),
      `${loaded.bundle}\n// pinned\n`,
    );
    expect(await pinned.execute(new MemoryWorkflowContext({ args: { who: "Bo" } }))).toBe(
      "hello Bo",
    );
  });

  it("picks up a changed file on the next load instead of a cached module", async () => {
    const dir = tempDir("template");
    const file = writeTemplate(dir, "First", ["one"]);
    const first = ok(await loadTemplate(file));
    writeTemplate(dir, "Second", ["two", "three"]);
    const second = ok(await loadTemplate(file));
    expect([first.definition.name, second.definition.name]).toEqual(["First", "Second"]);
    expect(second.definition.phases).toEqual(["two", "three"]);
    expect(second.sourceHash).not.toBe(first.sourceHash);
  });

  it("reuses an unchanged template, and reloads it when a file it imports changes", async () => {
    const dir = tempDir("template");
    writeFileSync(join(dir, "phases.ts"), 'export const phases = ["one"];\n');
    const file = join(dir, "main.ts");
    writeFileSync(
      file,
      `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
import { phases } from "./phases.js";
export default defineWorkflow({ name: "Helpers", phases, argsSchema: z.object({}), async execute() {} });
`,
    );
    const first = ok(await loadTemplate(file));
    expect(ok(await loadTemplate(file)).definition).toBe(first.definition);
    writeFileSync(join(dir, "phases.ts"), 'export const phases = ["one", "two"];\n');
    const changed = ok(await loadTemplate(file));
    expect(changed.definition.phases).toEqual(["one", "two"]);
  });

  it("pins a run to its bundle: the snapshot reloads the old version after the file changed", async () => {
    const dir = tempDir("template");
    const file = writeTemplate(dir, "Pinned", ["one"]);
    const pinned = ok(await loadTemplate(file));
    writeTemplate(dir, "Edited", ["one"]);
    expect(pinned.snapshot).toMatchObject({
      name: "Pinned",
      format: "code",
      source: { bundle: SNAPSHOT_BUNDLE_FILE },
    });
    const snapshot = JSON.parse(JSON.stringify(pinned.snapshot));
    const resumed = await loadDefinitionFromSnapshot(snapshot, pinned.bundle);
    expect(resumed.name).toBe("Pinned");
    await expect(loadDefinitionFromSnapshot(snapshot)).rejects.toMatchObject({
      code: "TEMPLATE_NOT_FOUND",
    });
  });

  it("reports a template that throws at import", async () => {
    const loaded = failed(await loadTemplate(join(fixtures, "invalid/throws-at-import.ts")));
    expect(loaded.error).toMatchObject({
      code: "TEMPLATE_IMPORT_FAILED",
      file: join(fixtures, "invalid/throws-at-import.ts"),
    });
    expect(loaded.error.message).toContain(
      "the template threw while loading: configuration file missing",
    );
  });

  it("reports a template without a default export", async () => {
    const loaded = failed(await loadTemplate(join(fixtures, "invalid/no-default-export.ts")));
    expect(loaded.error.code).toBe("TEMPLATE_NO_DEFAULT_EXPORT");
    expect(loaded.error.message).toContain("expected `export default defineWorkflow({ … })`");
  });

  it("rejects a code template whose cron trigger does not parse", async () => {
    const dir = tempDir("template");
    const file = join(dir, "nightly.ts");
    writeFileSync(
      file,
      `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
export default defineWorkflow({
  name: "Nightly", phases: ["a"], argsSchema: z.object({}),
  triggers: [{ type: "cron", schedule: "0 25 * * *" }],
  async execute() {},
});
`,
    );
    const loaded = failed(await loadTemplate(file));
    expect(loaded.error.code).toBe("INVALID_CRON");
    expect(loaded.error.message).toContain('invalid cron schedule "0 25 * * *"');
  });

  it("reports an unresolvable import with its line and column", async () => {
    const dir = tempDir("template");
    const file = join(dir, "broken.ts");
    writeFileSync(file, 'import { x } from "./nowhere.js";\nexport default x;\n');
    const loaded = failed(await loadTemplate(file));
    expect(loaded.error).toMatchObject({
      code: "TEMPLATE_BUNDLE_FAILED",
      file,
      line: 1,
      column: 19,
    });
    expect(loaded.error.message).toContain('Could not resolve "./nowhere.js"');
  });
});

describe("loadTemplate for YAML", () => {
  it("loads seed 004's pipeline with a JSON snapshot that rebuilds the same definition", async () => {
    const loaded = ok(await loadTemplate(join(repoDefinitions, "simple-pipeline.yaml")));
    expect(loaded.format).toBe("yaml");
    expect(loaded.snapshot.steps).toHaveLength(4);
    const snapshot = JSON.parse(JSON.stringify(loaded.snapshot));
    const resumed = await loadDefinitionFromSnapshot(snapshot);
    expect(resumed.steps).toEqual(loaded.definition.steps);
    expect(resumed.argsSchema).toEqual(loaded.definition.argsSchema);
  });

  it("pins a run to the YAML it started with, even after the file changed", async () => {
    const dir = tempDir("template");
    const file = join(dir, "pipeline.yaml");
    const steps = (command: string) =>
      `name: P\nphases: [a]\nsteps:\n  - { id: s, phase: a, type: script, command: ${command} }\n`;
    writeFileSync(file, steps("echo first"));
    const pinned = ok(await loadTemplate(file));
    writeFileSync(file, steps("echo second"));
    expect(ok(await loadTemplate(file)).sourceHash).not.toBe(pinned.sourceHash);
    const resumed = await loadDefinitionFromSnapshot(JSON.parse(JSON.stringify(pinned.snapshot)));
    const ctx = new MemoryWorkflowContext({ workdir: dir });
    await resumed.execute(ctx);
    expect(ctx.getStepResult("s")?.data).toMatchObject({ stdout: "first\n" });
  });

  it("returns a located error instead of throwing", async () => {
    const loaded = failed(await loadTemplate(join(fixtures, "invalid/unknown-phase.yaml")));
    expect(loaded.error).toMatchObject({ code: "UNKNOWN_PHASE", line: 5, column: 12 });
  });

  it("reports a missing file", async () => {
    const loaded = failed(await loadTemplate(join(fixtures, "nope.yaml")));
    expect(loaded.error.code).toBe("TEMPLATE_NOT_FOUND");
  });
});

describe("discoverTemplates", () => {
  it("lists every template in the directory, broken ones with their error, and never throws", async () => {
    const all = await discoverTemplates(join(fixtures, "invalid"));
    expect(all.map((t) => `${t.identifier}:${t.ok ? "ok" : t.error.code}`)).toEqual([
      "duplicate-step-id:DUPLICATE_STEP_ID",
      "expression-syntax:EXPRESSION_SYNTAX",
      "function-step:FUNCTION_STEP_IN_YAML",
      "invalid-cron:INVALID_CRON",
      "missing-command:TEMPLATE_INVALID",
      "missing-route-target:UNKNOWN_ROUTE_TARGET",
      "needs-cycle:NEEDS_CYCLE",
      "no-default-export:TEMPLATE_NO_DEFAULT_EXPORT",
      "throws-at-import:TEMPLATE_IMPORT_FAILED",
      "unknown-phase:UNKNOWN_PHASE",
      "unknown-step-type:UNKNOWN_STEP_TYPE",
      "yaml-syntax:YAML_SYNTAX",
    ]);
  });

  it("loads the templates that ship with the project", async () => {
    const shipped = await discoverTemplates(repoDefinitions);
    expect(shipped.filter((t) => !t.ok)).toEqual([]);
    expect(shipped.map((t) => t.identifier)).toEqual([
      "best-of-n-attempt",
      "best-of-n",
      "build-workflow",
      "continuous-builder",
      "fix-bug",
      "implement-feature",
      "package-build",
      "package-builder",
      "scheduled-poller",
      "simple-pipeline",
    ]);
  });

  it("treats a missing directory as empty", async () => {
    expect(await discoverTemplates(join(tempDir("none"), "missing"))).toEqual([]);
  });
});

describe("describeTemplate", () => {
  it("plans a YAML template's steps by phase, and a code template's phases only", async () => {
    const yaml = ok(await loadTemplate(join(fixtures, "valid/release-train.yaml")));
    const plan = describeTemplate(yaml.definition);
    expect(plan.stepsKnown).toBe(true);
    expect(plan.phases.map((phase) => [phase.name, phase.steps.map((step) => step.id)])).toEqual([
      ["prepare", ["lint", "typecheck"]],
      ["build", ["build"]],
      ["test", ["unit", "e2e"]],
      ["release", ["approve", "deploy", "notify"]],
    ]);
    const code = ok(await loadTemplate(join(repoDefinitions, "implement-feature.ts")));
    expect(describeTemplate(code.definition)).toMatchObject({
      stepsKnown: false,
      phases: [
        { name: "research", steps: [] },
        { name: "plan" },
        { name: "implement" },
        { name: "test" },
      ],
    });
  });
});
